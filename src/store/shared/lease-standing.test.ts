import { describe, expect, it } from 'vitest';
import { RenewedStanding } from './lease-standing.js';

const TTL = 5_000; // margin 1 s

function standing() {
  let now = 0;
  const s = new RenewedStanding(() => now);
  return { s, at: (ms: number) => (now = ms) };
}

describe('RenewedStanding', () => {
  it('holds nothing before the first renewal', () => {
    const { s } = standing();
    expect(s.heldSince(s.mark())).toBe(false);
  });

  it('holds from a renewal until its ttl, less the margin, from when it was sent', () => {
    const { s, at } = standing();
    s.renewed(0, TTL);
    const mark = s.mark();
    at(3_999);
    expect(s.heldSince(mark)).toBe(true);
    at(4_000);
    expect(s.heldSince(mark)).toBe(false);
  });

  it('renewals sent in time keep every earlier mark', () => {
    const { s, at } = standing();
    s.renewed(0, TTL);
    const mark = s.mark();
    for (let t = 1_600; t < 20_000; t += 1_600) {
      at(t);
      s.renewed(t, TTL);
      expect(s.heldSince(mark)).toBe(true);
    }
  });

  it('a renewal sent once the leases may have lapsed starts a new generation', () => {
    const { s, at } = standing();
    s.renewed(0, TTL);
    const before = s.mark();
    at(9_000); // frozen past the ttl
    s.renewed(9_000, TTL);
    expect(s.heldSince(before)).toBe(false);
    expect(s.heldSince(s.mark())).toBe(true);
  });

  it('a lease found taken voids every mark until the next renewal', () => {
    const { s, at } = standing();
    s.renewed(0, TTL);
    const before = s.mark();
    at(100);
    s.broken();
    expect(s.heldSince(before)).toBe(false);
    expect(s.heldSince(s.mark())).toBe(false);
    s.renewed(200, TTL);
    expect(s.heldSince(before)).toBe(false);
    expect(s.heldSince(s.mark())).toBe(true);
  });

  it('a renewal answered late counts from when it was sent', () => {
    const { s, at } = standing();
    s.renewed(0, TTL);
    const mark = s.mark();
    at(10_000); // sent at 1 600, answered after a freeze
    s.renewed(1_600, TTL);
    expect(s.heldSince(mark)).toBe(false);
  });
});
