import { describe, expect, it } from 'vitest';
import { SmallMap } from './small-map.js';

/** The same operations on a SmallMap and a Map give the same answers. */
function both(ops: (m: Map<string, number> | SmallMap<string, number>) => void): void {
  const small = new SmallMap<string, number>();
  const map = new Map<string, number>();
  ops(small);
  ops(map);
  expect([...small]).toEqual([...map]);
  expect([...small.keys()]).toEqual([...map.keys()]);
  expect([...small.values()]).toEqual([...map.values()]);
  expect(small.size).toBe(map.size);
  const seen: [string, number][] = [];
  small.forEach((v, k, m) => {
    expect(m).toBe(small);
    seen.push([k, v]);
  });
  expect(seen).toEqual([...map.entries()]);
}

describe('SmallMap', () => {
  it('answers as a Map with none, one and several entries', () => {
    both(() => undefined);
    both((m) => m.set('a', 1));
    both((m) => m.set('a', 1).set('a', 2));
    both((m) => m.set('a', 1).set('b', 2).set('c', 3));
    both((m) => {
      m.set('a', 1).set('b', 2);
      m.delete('a');
      m.set('c', 3);
    });
  });

  it('gets, tests and deletes its one entry and moves to a Map for a second', () => {
    const m = new SmallMap<string, { n: number }>();
    const one = { n: 1 };
    expect(m.get('a')).toBeUndefined();
    expect(m.delete('a')).toBe(false);
    m.set('a', one);
    expect(m.get('a')).toBe(one);
    expect(m.has('a')).toBe(true);
    expect(m.has('b')).toBe(false);
    expect(m.get('b')).toBeUndefined();
    expect(m.delete('b')).toBe(false);
    expect(m.delete('a')).toBe(true);
    expect(m.size).toBe(0);
    expect(m.has('a')).toBe(false);
    m.set('a', one).set('b', { n: 2 });
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe(one);
    expect(m.delete('a')).toBe(true);
    expect([...m.keys()]).toEqual(['b']);
  });

  it('tells an undefined value from no entry', () => {
    const m = new SmallMap<string, undefined>();
    m.set('a', undefined);
    expect(m.has('a')).toBe(true);
    expect(m.size).toBe(1);
  });
});
