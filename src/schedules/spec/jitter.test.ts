import { describe, expect, it } from 'vitest';
import { jitterOffset } from './jitter.js';

describe('jitterOffset', () => {
  const nominal = new Date('2026-01-01T00:00:00Z');

  it('is the same for the same schedule and nominal time', () => {
    expect(jitterOffset('nightly', nominal, 60_000)).toBe(jitterOffset('nightly', nominal, 60_000));
  });

  it('stays in [0, jitter) and spreads fires across it', () => {
    const offsets = Array.from({ length: 500 }, (_, i) =>
      jitterOffset(`s-${i}`, new Date(nominal.getTime() + i * 1000), 10_000),
    );
    for (const o of offsets) {
      expect(Number.isInteger(o)).toBe(true);
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(10_000);
    }
    expect(new Set(offsets).size).toBeGreaterThan(400);
    expect(Math.min(...offsets)).toBeLessThan(1_000);
    expect(Math.max(...offsets)).toBeGreaterThan(9_000);
  });

  it('differs between schedules and between fires', () => {
    const a = jitterOffset('a', nominal, 3_600_000);
    expect(jitterOffset('b', nominal, 3_600_000)).not.toBe(a);
    expect(jitterOffset('a', new Date(nominal.getTime() + 1000), 3_600_000)).not.toBe(a);
  });

  it('is 0 without jitter', () => {
    expect(jitterOffset('a', nominal, 0)).toBe(0);
  });
});
