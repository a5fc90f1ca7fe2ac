import assert from 'node:assert/strict';
import type { HistoryEvent, RunKey } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { assertHead, rejectsWithCode } from './check.js';
import {
  eventsFor,
  event,
  makeRunKey,
  signalEvent,
  startedEvent,
  startRun,
  T0,
  taskCompletedEvent,
  terminalEvent,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

/** Asserts the append is refused as `invalid_history` and the run is exactly as before. */
async function refused(
  store: Store,
  run: RunKey,
  events: HistoryEvent[],
  expectedSeq: number,
  what: string,
): Promise<void> {
  const before = await store.readHistory(run);
  const info = await store.getRun(run);
  await rejectsWithCode(store.append(run, events, expectedSeq), 'invalid_history', what);
  assert.deepStrictEqual(await store.readHistory(run), before, `${what}: history unchanged`);
  assert.deepStrictEqual(await store.getRun(run), info, `${what}: run row unchanged`);
  await assertHead(store, run, before.length, what);
}

export const validationScenarios: StoreScenario[] = [
  {
    name: 'validation: non-contiguous seqs are invalid_history and write nothing',
    tags: ['history', 'validation'],
    async run({ store }) {
      const fresh = makeRunKey();
      await refused(
        store,
        fresh,
        [startedEvent(), signalEvent(3, T0)],
        0,
        'gap inside a first batch',
      );
      await refused(
        store,
        fresh,
        [startedEvent(), signalEvent(2, T0), signalEvent(2, T0)],
        0,
        'repeated seq',
      );
      const { run } = await startRun(store, { extra: 2 });
      await refused(store, run, [signalEvent(5, T0)], 3, 'gap after the head');
      await refused(store, run, [signalEvent(3, T0)], 3, 'overlapping the head');
      await refused(
        store,
        run,
        [signalEvent(4, T0), signalEvent(6, T0)],
        3,
        'gap inside a later batch',
      );
      await store.append(run, [signalEvent(4, T0)], 3);
      await assertHead(store, run, 4);
    },
  },
  {
    name: 'validation: a run must begin with WorkflowStarted, and only there',
    tags: ['history', 'validation'],
    async run({ store }) {
      const fresh = makeRunKey();
      await refused(store, fresh, [signalEvent(1, T0)], 0, 'first event is a signal');
      await refused(
        store,
        fresh,
        [taskCompletedEvent(1, T0), taskCompletedEvent(2, T0)],
        0,
        'no start at all',
      );
      assert.deepStrictEqual(await store.getRunChain(fresh.namespace, fresh.workflowId), []);
      const { run } = await startRun(store);
      const second = { ...startedEvent(), seq: 2 } as HistoryEvent;
      await refused(store, run, [second], 1, 'a second WorkflowStarted');
      await refused(
        store,
        run,
        [signalEvent(2, T0), { ...startedEvent(), seq: 3 }],
        1,
        'WorkflowStarted mid-batch',
      );
    },
  },
  {
    name: 'validation: nothing may follow a terminal event',
    tags: ['history', 'validation'],
    async run({ store }) {
      const fresh = makeRunKey();
      await refused(
        store,
        fresh,
        [startedEvent(), terminalEvent(2, T0 + 1), signalEvent(3, T0 + 2)],
        0,
        'an event after the terminal in the same batch',
      );
      await refused(
        store,
        fresh,
        [startedEvent(), terminalEvent(2, T0 + 1), terminalEvent(3, T0 + 2, 'WorkflowFailed')],
        0,
        'two terminals in one batch',
      );
      const { run } = await startRun(store, { extra: 1 });
      await store.append(run, [terminalEvent(3, T0 + 5, 'WorkflowFailed')], 2);
      await refused(store, run, [signalEvent(4, T0 + 6)], 3, 'a signal after the run closed');
      await refused(store, run, [terminalEvent(4, T0 + 6)], 3, 'a second terminal');
      const info = await store.getRun(run);
      assert.equal(info?.status, 'FAILED');
      assert.equal(info?.closeTime, T0 + 5);
    },
  },
  {
    name: 'validation: an append with no events is invalid_history',
    tags: ['history', 'validation'],
    async run({ store }) {
      await refused(store, makeRunKey(), [], 0, 'empty append to an unknown run');
      const { run } = await startRun(store);
      await refused(store, run, [], 1, 'empty append to a run');
    },
  },
  {
    name: 'validation: history length over limits.maxHistoryLength is history_too_large and writes nothing',
    tags: ['history', 'limits'],
    limits: { maxHistoryLength: 5 },
    async run({ store }) {
      // The store reports the limits it enforces (the engine keeps runs below them).
      assert.equal(store.limits.maxHistoryLength, 5, 'store.limits.maxHistoryLength');
      const big = makeRunKey();
      const six = eventsFor(big, 1, 6);
      await rejectsWithCode(
        store.append(big, six, 0),
        'history_too_large',
        'a first batch of 6 events',
      );
      await assertHead(store, big, 0, 'the refused first batch');
      assert.equal(await store.getRun(big), undefined);
      // The refused start claimed nothing: the workflow id is still free.
      const again = { ...big, runId: makeRunKey().runId };
      await store.append(again, eventsFor(again, 1, 3), 0);
      await store.append(again, eventsFor(again, 4, 2), 3);
      await assertHead(store, again, 5, 'exactly at the limit');
      await rejectsWithCode(
        store.append(again, [signalEvent(6, T0)], 5),
        'history_too_large',
        'the sixth event',
      );
      await assertHead(store, again, 5, 'after the refused appends');
      assert.equal((await store.getRun(again))?.status, 'RUNNING');
      assert.equal((await store.getRun(again))?.headSeq, 5);
    },
  },
  {
    name: 'validation: recordedAt and every event field are stored verbatim, whatever their order',
    tags: ['history', 'validation'],
    async run({ store }) {
      // Stores never read the clock: times come from the engine and may repeat or go backwards.
      const run = makeRunKey();
      const events = [
        startedEvent({ at: T0 + 50 }),
        event(2, T0 + 50, { type: 'WorkflowTaskCompleted' }),
        event(3, T0 + 10, { type: 'SignalReceived', signalName: 'late', args: [] }),
        event(4, 0, { type: 'MarkerRecorded', markerName: 'zero-time' }),
      ];
      await store.append(run, events, 0);
      assert.deepStrictEqual(await store.readHistory(run), events);
      assert.equal((await store.getRun(run))?.startTime, T0 + 50);
    },
  },
];
