import assert from 'node:assert/strict';
import type { Store } from '../contract/index.js';
import { assertAlreadyStarted, assertHead, rejectsWithCode } from './check.js';
import { closeRun, makeRunKey, startedEvent, startRun, T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

/** Starts `n` runs of one workflow id concurrently (spread over `stores`); asserts exactly one wins. */
async function raceStarts(stores: readonly Store[], n: number): Promise<void> {
  const workflowId = makeRunKey().workflowId;
  const runs = Array.from({ length: n }, () => makeRunKey({ workflowId }));
  const results = await Promise.allSettled(
    runs.map((run, i) => stores[i % stores.length]!.append(run, [startedEvent()], 0)),
  );
  const winners = runs.filter((_, i) => results[i]!.status === 'fulfilled');
  assert.equal(
    winners.length,
    1,
    `exactly one of ${n} concurrent starts of one workflow id must win`,
  );
  const winner = winners[0]!;
  for (const r of results)
    if (r.status === 'rejected') assertAlreadyStarted(r.reason, workflowId, winner.runId);
  for (const store of stores) {
    assert.deepStrictEqual(
      (await store.getRunChain(winner.namespace, workflowId)).map((i) => i.runId),
      [winner.runId],
    );
  }
  for (const run of runs) if (run !== winner) assert.equal(await stores[0]!.headSeq(run), 0);
}

export const startScenarios: StoreScenario[] = [
  {
    name: 'runs: a second open run of a workflow id is refused naming the open run; after close a new run may start',
    tags: ['runs'],
    async run({ store }) {
      const first = await startRun(store, { extra: 2 });
      const second = makeRunKey({ workflowId: first.run.workflowId });
      const error = await rejectsWithCode(
        store.append(second, [startedEvent()], 0),
        'workflow_already_started',
      );
      assertAlreadyStarted(error, first.run.workflowId, first.run.runId);
      await assertHead(store, second, 0, 'the refused run');
      assert.equal(await store.getRun(second), undefined);
      await closeRun(store, first.run, 3, T0 + 50, 'WorkflowFailed');
      await store.append(second, [startedEvent({ at: T0 + 60 })], 0);
      const third = makeRunKey({ workflowId: first.run.workflowId });
      assertAlreadyStarted(
        await rejectsWithCode(
          store.append(third, [startedEvent({ at: T0 + 70 })], 0),
          'workflow_already_started',
        ),
        first.run.workflowId,
        second.runId,
      );
      assert.deepStrictEqual(
        (await store.getRunChain(second.namespace, second.workflowId)).map((r) => [
          r.runId,
          r.status,
        ]),
        [
          [first.run.runId, 'FAILED'],
          [second.runId, 'RUNNING'],
        ],
      );
    },
  },
  {
    name: 'runs: concurrent starts of one workflow id — exactly one wins',
    tags: ['runs', 'concurrency'],
    async run({ store }) {
      await raceStarts([store], 8);
    },
  },
  {
    name: 'runs: concurrent starts of one workflow id from two connections — exactly one wins',
    tags: ['runs', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      await raceStarts([store, other], 2);
      await raceStarts([store, other], 8);
    },
  },
];
