import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { CommittedEvents } from '../../src/engine/index.js';
import type { Store } from '../../src/store/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { memoryHarness, sqliteHarness } from '../store/harnesses.js';

const workflowsPath = new URL('../fixtures/workflows/stream.ts', import.meta.url).pathname;

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
});

/** A store whose `commit` remembers which seqs have durably committed (resolved). */
function trackingStore(store: Store, committed: Set<string>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop !== 'commit') {
        const value = Reflect.get(target, prop) as unknown;
        // Private fields need the real store as `this`.
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return async (commits: Parameters<Store['commit']>[0]) => {
        const outcomes = await target.commit(commits);
        commits.forEach((c, i) => {
          if (outcomes[i]?.ok) for (const e of c.events) committed.add(`${c.run.runId}/${e.seq}`);
        });
        return outcomes;
      };
    },
  });
}

describe.each([memoryHarness, sqliteHarness])('engine.events on $name', (harness) => {
  it('delivers every committed event once, after its commit, in seq order per run', async () => {
    handle = await harness.create();
    const committed = new Set<string>();
    engine = await createEngine({ store: trackingStore(handle.store, committed), workflowsPath });
    const batches: CommittedEvents[] = [];
    const early: string[] = [];
    const off = engine.events.subscribe((b) => {
      batches.push(b);
      for (const e of b.events)
        if (!committed.has(`${b.runId}/${e.seq}`)) early.push(`${b.runId}/${e.seq}`);
    });
    const handles = await Promise.all(
      ['a', 'b', 'c'].map((id) => engine!.start('ticker', { workflowId: id })),
    );
    await Promise.all(
      handles.map(async (h) => {
        for (let i = 0; i < 5; i++) await h.signal('tick', String(i));
        await h.signal('finish');
        await h.result();
      }),
    );
    off();
    expect(early).toEqual([]);
    for (const h of handles) {
      const { runId } = await h.describe();
      const stored = (await h.fetchHistory()).events;
      const mine = batches.filter((b) => b.runId === runId);
      expect(mine.every((b) => b.workflowType === 'ticker')).toBe(true);
      expect(mine.flatMap((b) => b.events)).toEqual(stored);
    }
    expect(engine.events.listenerCount).toBe(0);
  });
});
