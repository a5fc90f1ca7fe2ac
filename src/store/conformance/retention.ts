import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { assertHead } from './check.js';
import {
  eventsFor,
  makeRunKey,
  outboxRow,
  startedEvent,
  T0,
  taskRow,
  terminalEvent,
  timerRow,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

/** A run with 4 events, a timer, a task and an outbox row; closed at `closeAt` when given. */
async function seedRun(store: Store, run: RunKey, closeAt?: number): Promise<void> {
  const [outcome] = await store.commit([
    {
      run,
      expectedSeq: 0,
      events: eventsFor(run, 1, 4),
      timers: { upsert: [timerRow(run, 't', T0 + 10)] },
      tasks: { enqueue: [taskRow(run, '1')] },
      outbox: { add: [outboxRow(run, `ob-${run.runId}`)] },
    },
  ]);
  assert.equal(outcome?.ok, true);
  if (closeAt !== undefined) await store.append(run, [terminalEvent(5, closeAt)], 4);
}

export const retentionScenarios: StoreScenario[] = [
  {
    name: 'retention: closed runs older than the cutoff are purged in batches with all their rows',
    tags: ['retention'],
    async run({ store }) {
      const old = Array.from({ length: 5 }, () => makeRunKey());
      for (const [i, run] of old.entries()) await seedRun(store, run, T0 + 100 + i);
      const boundary = makeRunKey();
      await seedRun(store, boundary, T0 + 1000);
      const newer = makeRunKey();
      await seedRun(store, newer, T0 + 2000);
      const open = [makeRunKey(), makeRunKey({ workflowId: old[0]!.workflowId })];
      for (const run of open) await seedRun(store, run);
      const foreign = makeRunKey({ namespace: 'other' });
      await seedRun(store, foreign, T0 + 100);

      const purge = (limit: number): Promise<number> =>
        store.purgeClosedRuns({ namespace: 'default', closedBefore: T0 + 1000, limit });
      assert.deepStrictEqual(
        [await purge(2), await purge(2), await purge(2), await purge(2)],
        [2, 2, 1, 0],
      );

      const outbox = new Set((await store.listOutbox({ limit: 1000 })).map((o) => o.id));
      for (const run of old) {
        await assertHead(store, run, 0, 'a purged run');
        assert.deepStrictEqual(await store.readHistory(run, { fromSeq: 2 }), []);
        assert.equal(await store.getRun(run), undefined);
        assert.deepStrictEqual(await store.listTimers(run), []);
        assert.deepStrictEqual(await store.listTasks(run), []);
        assert.ok(!outbox.has(`ob-${run.runId}`), 'a purged run’s outbox rows are gone');
      }
      for (const run of [boundary, newer, foreign]) {
        await assertHead(store, run, 5, 'a kept closed run');
        assert.ok(outbox.has(`ob-${run.runId}`), 'a kept closed run keeps its outbox rows');
      }
      for (const run of open) {
        await assertHead(store, run, 4, 'an open run');
        assert.equal((await store.getRun(run))?.status, 'RUNNING');
        assert.equal((await store.listTimers(run)).length, 1, 'an open run keeps its timers');
        assert.equal((await store.listTasks(run)).length, 1, 'an open run keeps its tasks');
        assert.ok(outbox.has(`ob-${run.runId}`));
      }
      assert.equal(await store.countRuns('default'), 4);
      assert.equal(await store.countRuns('other'), 1);
      assert.deepStrictEqual(
        (await store.getRunChain('default', old[0]!.workflowId)).map((r) => r.runId),
        [open[1]!.runId],
      );
      assert.equal(await store.getCurrentRun('default', old[1]!.workflowId), undefined);
      assert.equal(
        await store.purgeClosedRuns({ namespace: 'other', closedBefore: T0 + 100, limit: 10 }),
        0,
        'the cutoff is exclusive',
      );
      assert.equal(
        await store.purgeClosedRuns({ namespace: 'other', closedBefore: T0 + 101, limit: 10 }),
        1,
      );
    },
  },
  {
    name: 'retention: a purged workflow id can start again and the new run is intact',
    tags: ['retention'],
    async run({ store }) {
      const first = makeRunKey();
      await store.append(first, [startedEvent({ at: T0 }), terminalEvent(2, T0 + 1)], 0);
      assert.equal(
        await store.purgeClosedRuns({ namespace: 'default', closedBefore: T0 + 10, limit: 10 }),
        1,
      );
      const next = makeRunKey({ workflowId: first.workflowId });
      await store.append(next, [startedEvent({ at: T0 + 20 })], 0);
      assert.deepStrictEqual(
        (await store.getRunChain('default', first.workflowId)).map((r) => r.runId),
        [next.runId],
      );
      assert.equal(
        await store.purgeClosedRuns({
          namespace: 'default',
          closedBefore: T0 + 1_000_000,
          limit: 10,
        }),
        0,
        'open runs are never purged',
      );
      await assertHead(store, next, 1);
    },
  },
];
