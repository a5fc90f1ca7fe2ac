import { describe, expect, it } from 'vitest';
import { RunIndex } from './run-index.js';

describe('RunIndex', () => {
  it("takes a run's rows once, and only that run's", () => {
    const index = new RunIndex();
    index.add('ns', 'r1', 'a');
    index.add('ns', 'r1', 'b');
    index.add('ns', 'r2', 'c');
    index.add('other', 'r1', 'd');
    expect([...index.take('ns', 'r1')].sort()).toEqual(['a', 'b']);
    expect([...index.take('ns', 'r1')]).toEqual([]);
    expect([...index.take('ns', 'r2')]).toEqual(['c']);
    expect([...index.take('other', 'r1')]).toEqual(['d']);
  });

  it('forgets a row deleted on its own, and a run whose rows are all gone', () => {
    const index = new RunIndex();
    index.add('ns', 'r1', 'a');
    index.add('ns', 'r1', 'b');
    index.delete('ns', 'r1', 'a');
    index.delete('ns', 'r9', 'x'); // unknown run: nothing to do
    expect([...index.take('ns', 'r1')]).toEqual(['b']);
    index.add('ns', 'r2', 'c');
    index.delete('ns', 'r2', 'c');
    expect([...index.take('ns', 'r2')]).toEqual([]);
  });
});
