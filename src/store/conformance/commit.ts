import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { RunCommit, Store } from '../contract/index.js';
import {
  assertAlreadyStarted,
  assertConflict,
  assertHead,
  defined,
  failedOutcome,
} from './check.js';
import {
  eventsFor,
  makeRunKey,
  outboxRow,
  signalEvent,
  startedEvent,
  startRun,
  T0,
  taskCompletedEvent,
  taskRow,
  timerRow,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

/** A commit that starts `run` with one timer, one task and one outbox row. */
export function startCommit(run: RunKey, tag: string): RunCommit {
  return {
    run,
    expectedSeq: 0,
    events: [startedEvent(), taskCompletedEvent(2, T0)],
    timers: { upsert: [timerRow(run, `timer-${tag}`, T0 + 1000)] },
    tasks: { enqueue: [taskRow(run, `act-${tag}`)] },
    outbox: { add: [outboxRow(run, `out-${tag}`)] },
  };
}

export async function outboxIds(store: Store): Promise<string[]> {
  return (await store.listOutbox({ limit: 1000 })).map((o) => o.id);
}

/** Asserts that `run` has no side-effect rows at all. */
export async function assertNoRows(
  store: Store,
  run: RunKey,
  tag: string,
  what: string,
): Promise<void> {
  assert.deepStrictEqual(await store.listTimers(run), [], `${what}: timers`);
  assert.deepStrictEqual(await store.listTasks(run), [], `${what}: tasks`);
  assert.equal(
    await store.getTask(run.namespace, `${run.runId}/act-${tag}`),
    undefined,
    `${what}: task`,
  );
  assert.ok(!(await outboxIds(store)).includes(`out-${tag}`), `${what}: outbox`);
}

export const commitScenarios: StoreScenario[] = [
  {
    name: 'commit: events and side-effect rows are all visible after the commit',
    tags: ['commit'],
    async run({ store }) {
      const run = makeRunKey();
      const t1 = timerRow(run, 't1', T0 + 500);
      const t2 = timerRow(run, 't2', T0 + 900, 'retry');
      const a1 = taskRow(run, '1', { scheduledSeq: 2 });
      const a2 = taskRow(run, '2', { scheduledSeq: 3, activityType: 'ship', taskQueue: 'other' });
      const o1 = outboxRow(run, 'o1', { version: 'v1' });
      const [outcome] = await store.commit([
        {
          run,
          expectedSeq: 0,
          events: eventsFor(run, 1, 3),
          timers: { upsert: [t1, t2] },
          tasks: { enqueue: [a1, a2] },
          outbox: { add: [o1] },
          visibility: { stuck: { reason: 'nondeterminism at seq 3', since: T0 + 7 } },
        },
      ]);
      assert.deepStrictEqual(outcome, { ok: true, headSeq: 3 });
      assert.deepStrictEqual(await store.readHistory(run), eventsFor(run, 1, 3));
      const timers = [...(await store.listTimers(run))].sort((a, b) =>
        a.timerId.localeCompare(b.timerId),
      );
      assert.deepStrictEqual(defined(timers), [t1, t2]);
      const tasks = [...(await store.listTasks(run))].sort(
        (a, b) => a.scheduledSeq - b.scheduledSeq,
      );
      assert.deepStrictEqual(defined(tasks), [
        { ...a1, deliveries: 0 },
        { ...a2, deliveries: 0 },
      ]);
      assert.deepStrictEqual(defined(await store.getTask(run.namespace, a2.taskId)), {
        ...a2,
        deliveries: 0,
      });
      assert.deepStrictEqual(defined(await store.listOutbox({ limit: 10 })), [o1]);
      assert.deepStrictEqual((await store.getRun(run))?.stuck, {
        reason: 'nondeterminism at seq 3',
        since: T0 + 7,
      });

      const t2b = { ...t2, fireAt: T0 + 2000, data: 'moved' };
      const [next] = await store.commit([
        {
          run,
          expectedSeq: 3,
          events: [signalEvent(4, T0 + 10)],
          timers: { upsert: [t2b], cancel: ['t1', 'never-existed'] },
          tasks: { remove: [a1.taskId, `${run.runId}/never-existed`] },
          outbox: { remove: ['o1', 'never-existed'] },
          visibility: { stuck: null },
        },
      ]);
      assert.deepStrictEqual(next, { ok: true, headSeq: 4 });
      assert.deepStrictEqual(defined(await store.listTimers(run)), [t2b]);
      assert.deepStrictEqual(
        (await store.listTasks(run)).map((t) => t.taskId),
        [a2.taskId],
      );
      assert.equal(await store.getTask(run.namespace, a1.taskId), undefined);
      assert.deepStrictEqual(await store.listOutbox({ limit: 10 }), []);
      const info = await store.getRun(run);
      assert.equal(info?.stuck, undefined);
      assert.equal(info?.headSeq, 4);
    },
  },
  {
    name: 'commit: a group commit with a conflicting middle run commits the others, and nothing of the middle',
    tags: ['commit', 'concurrency'],
    async run({ store }) {
      const a = makeRunKey();
      const b = makeRunKey();
      const c = makeRunKey();
      await store.append(b, [startedEvent()], 0);
      const outcomes = await store.commit([
        startCommit(a, 'a'),
        { ...startCommit(b, 'b'), visibility: { stuck: { reason: 'x', since: 1 } } },
        startCommit(c, 'c'),
      ]);
      assert.equal(outcomes.length, 3);
      assert.deepStrictEqual(outcomes[0], { ok: true, headSeq: 2 });
      assertConflict(failedOutcome(outcomes[1], 'the middle commit'), 0, 1);
      assert.deepStrictEqual(outcomes[2], { ok: true, headSeq: 2 });
      for (const [run, tag] of [
        [a, 'a'],
        [c, 'c'],
      ] as const) {
        await assertHead(store, run, 2);
        assert.deepStrictEqual(
          (await store.listTimers(run)).map((t) => t.timerId),
          [`timer-${tag}`],
        );
        assert.equal(
          (await store.getTask(run.namespace, `${run.runId}/act-${tag}`))?.activityId,
          `act-${tag}`,
        );
        assert.ok((await outboxIds(store)).includes(`out-${tag}`));
      }
      await assertHead(store, b, 1, 'the conflicting run');
      await assertNoRows(store, b, 'b', 'the conflicting run');
      assert.equal((await store.getRun(b))?.stuck, undefined, 'the conflicting run is not patched');
    },
  },
  {
    name: 'commit: a start of an already-open workflow id fails in its outcome and writes nothing of it',
    tags: ['commit', 'runs'],
    async run({ store }) {
      const open = await startRun(store);
      const a = makeRunKey();
      const dup = makeRunKey({ workflowId: open.run.workflowId });
      const c = makeRunKey();
      const outcomes = await store.commit([
        startCommit(a, 'a'),
        startCommit(dup, 'dup'),
        startCommit(c, 'c'),
      ]);
      assert.deepStrictEqual(outcomes[0], { ok: true, headSeq: 2 });
      assertAlreadyStarted(
        failedOutcome(outcomes[1], 'the duplicate start'),
        open.run.workflowId,
        open.run.runId,
      );
      assert.deepStrictEqual(outcomes[2], { ok: true, headSeq: 2 });
      await assertHead(store, dup, 0, 'the refused start');
      assert.equal(await store.getRun(dup), undefined);
      await assertNoRows(store, dup, 'dup', 'the refused start');
      assert.deepStrictEqual(
        (await store.getRunChain(dup.namespace, dup.workflowId)).map((r) => r.runId),
        [open.run.runId],
      );
    },
  },
  {
    name: 'commit: commits of the same run in one batch apply in order',
    tags: ['commit'],
    async run({ store }) {
      const run = makeRunKey();
      const outcomes = await store.commit([
        {
          run,
          expectedSeq: 0,
          events: [startedEvent()],
          timers: { upsert: [timerRow(run, 't', T0 + 100)] },
        },
        {
          run,
          expectedSeq: 1,
          events: [signalEvent(2, T0)],
          timers: { upsert: [timerRow(run, 't', T0 + 200)] },
          tasks: { enqueue: [taskRow(run, '1')] },
        },
        {
          run,
          expectedSeq: 2,
          events: [taskCompletedEvent(3, T0)],
          tasks: { remove: [`${run.runId}/1`] },
        },
      ]);
      assert.deepStrictEqual(outcomes, [
        { ok: true, headSeq: 1 },
        { ok: true, headSeq: 2 },
        { ok: true, headSeq: 3 },
      ]);
      assert.deepStrictEqual(
        (await store.readHistory(run)).map((e) => e.type),
        ['WorkflowStarted', 'SignalReceived', 'WorkflowTaskCompleted'],
      );
      assert.deepStrictEqual(
        (await store.listTimers(run)).map((t) => t.fireAt),
        [T0 + 200],
      );
      assert.deepStrictEqual(await store.listTasks(run), []);

      // A stale commit in the middle conflicts against the head left by the one before it.
      const more = await store.commit([
        { run, expectedSeq: 3, events: [signalEvent(4, T0, 'first')] },
        {
          run,
          expectedSeq: 3,
          events: [signalEvent(4, T0, 'stale')],
          timers: { upsert: [timerRow(run, 'stale', T0)] },
        },
        { run, expectedSeq: 4, events: [signalEvent(5, T0, 'third')] },
      ]);
      assert.deepStrictEqual(more[0], { ok: true, headSeq: 4 });
      assertConflict(failedOutcome(more[1], 'the stale middle commit'), 3, 4);
      assert.deepStrictEqual(more[2], { ok: true, headSeq: 5 });
      const signals = (await store.readHistory(run, { fromSeq: 4 })).map((e) =>
        e.type === 'SignalReceived' ? e.signalName : e.type,
      );
      assert.deepStrictEqual(signals, ['first', 'third']);
      assert.deepStrictEqual(
        (await store.listTimers(run)).map((t) => t.timerId),
        ['t'],
      );
    },
  },
];
