import { describe, expect, it } from 'vitest';
import { rendezvousOwner } from './shards.js';

const owners = (nodes: readonly string[]): (string | undefined)[] =>
  Array.from({ length: 64 }, (_, s) => rendezvousOwner(s, nodes));

describe('rendezvousOwner', () => {
  it('gives every shard one of the nodes, spread roughly evenly, the same whatever their order', () => {
    const nodes = ['n-a#1', 'n-b#2', 'n-c#3'];
    const got = owners(nodes);
    expect(owners([...nodes].reverse())).toEqual(got);
    for (const n of nodes) {
      const share = got.filter((o) => o === n).length;
      expect(share).toBeGreaterThan(8);
      expect(share).toBeLessThan(40);
    }
    expect(rendezvousOwner(3, [])).toBeUndefined();
  });

  it('moves only the shards a joining node wins, and only those of a leaving node', () => {
    const before = owners(['n-a#1', 'n-b#2']);
    const joined = owners(['n-a#1', 'n-b#2', 'n-c#3']);
    joined.forEach((o, s) => {
      if (o !== 'n-c#3') expect(o).toBe(before[s]);
    });
    const left = owners(['n-a#1']);
    before.forEach((o, s) => {
      if (o === 'n-a#1') expect(left[s]).toBe('n-a#1');
    });
  });
});
