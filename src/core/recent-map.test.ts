import { describe, expect, it } from 'vitest';
import { RecentMap, RecentSet } from './recent-map.js';

describe('RecentMap', () => {
  it('keeps at least the newest `limit` entries and at most twice that', () => {
    const m = new RecentMap<number, string>(100);
    for (let i = 0; i < 1_000; i++) {
      m.set(i, `v${i}`);
      expect(m.size).toBeLessThan(200);
      // The newest 100 are always there, with their values.
      for (let j = Math.max(0, i - 99); j <= i; j += 7) expect(m.get(j)).toBe(`v${j}`);
    }
    expect(m.has(999)).toBe(true);
    expect(m.has(900)).toBe(true);
    expect(m.has(0)).toBe(false);
    expect(m.get(0)).toBeUndefined();
  });

  it('holds one entry per key, the newest value, and a key set again counts as new', () => {
    const m = new RecentMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3); // the young generation is full: a, b, c become the old one
    m.set('a', 4); // a moves to the young generation
    expect(m.size).toBe(3);
    expect(m.get('a')).toBe(4);
    m.set('d', 5);
    m.set('e', 6); // a, d, e become the old generation; b and c are dropped
    expect(m.has('a')).toBe(true);
    expect(m.has('b')).toBe(false);
    expect(m.has('c')).toBe(false);
    expect([m.get('a'), m.get('d'), m.get('e')]).toEqual([4, 5, 6]);
  });

  it('deletes from either generation and answers falsy values as set', () => {
    const m = new RecentMap<string, number | undefined>(2);
    m.set('old', 0);
    m.set('older', undefined); // both now in the old generation
    m.set('young', 1);
    expect(m.get('old')).toBe(0);
    expect(m.has('older')).toBe(true);
    expect(m.delete('old')).toBe(true);
    expect(m.delete('young')).toBe(true);
    expect(m.delete('missing')).toBe(false);
    expect(m.has('old')).toBe(false);
    expect(m.has('young')).toBe(false);
    expect(m.size).toBe(1);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RecentMap(0)).toThrow(RangeError);
    expect(() => new RecentMap(1.5)).toThrow(/positive integer/);
  });
});

describe('RecentSet', () => {
  it('remembers the newest keys within its bounds', () => {
    const s = new RecentSet<string>(10);
    for (let i = 0; i < 55; i++) s.add(`k${i}`);
    expect(s.size).toBeGreaterThanOrEqual(10);
    expect(s.size).toBeLessThan(20);
    for (let i = 45; i < 55; i++) expect(s.has(`k${i}`)).toBe(true);
    expect(s.has('k0')).toBe(false);
    expect(s.delete('k54')).toBe(true);
    expect(s.has('k54')).toBe(false);
  });
});
