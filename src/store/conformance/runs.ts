import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TERMINAL_EVENT_TYPES, type WorkflowStatus } from '../../core/index.js';
import { defined } from './check.js';
import {
  closeRun,
  event,
  expectedRunInfo,
  jsonPayload,
  makeRunKey,
  outboxRow,
  startedEvent,
  startRun,
  T0,
  taskRow,
  terminalEvent,
  timerRow,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

const TERMINAL_STATUS_OF: Record<string, WorkflowStatus> = {
  WorkflowCompleted: 'COMPLETED',
  WorkflowFailed: 'FAILED',
  WorkflowCancelled: 'CANCELLED',
  WorkflowTerminated: 'TERMINATED',
  WorkflowTimedOut: 'TIMED_OUT',
  WorkflowContinuedAsNew: 'CONTINUED_AS_NEW',
};

export const runScenarios: StoreScenario[] = [
  {
    name: 'runs: WorkflowRepinned moves the visibility row to the new version, also in lists',
    tags: ['runs'],
    async run({ store }) {
      const run = makeRunKey();
      await store.append(run, [startedEvent({ version: 'v-old' })], 0);
      await store.append(
        run,
        [event(2, T0 + 5, { type: 'WorkflowRepinned', fromVersion: 'v-old', toVersion: 'v-new' })],
        1,
      );
      const info = await store.getRun(run);
      assert.equal(info?.version, 'v-new');
      assert.equal(info?.headSeq, 2);
      const listed = await store.listRuns({
        namespace: run.namespace,
        where: { op: 'cmp', field: { kind: 'builtin', name: 'Version' }, cmp: '=', value: 'v-new' },
      });
      assert.deepEqual(
        listed.items.map((i) => i.runId),
        [run.runId],
      );
    },
  },
  {
    name: 'runs: the visibility row of a new run is projected exactly from WorkflowStarted',
    tags: ['runs'],
    async run({ store }) {
      const run = makeRunKey();
      const started = startedEvent({
        at: T0 + 42,
        workflowType: 'Billing',
        taskQueue: 'q-bill',
        version: 'sha256:0123',
        searchAttributes: {
          Customer: { type: 'Keyword', value: 'acme' },
          Amount: { type: 'Int', value: 7 },
        },
        memo: { note: jsonPayload('memo') },
        parent: {
          namespace: run.namespace,
          workflowId: 'parent',
          runId: randomUUID(),
          initiatedSeq: 4,
        },
        continuedFromRunId: randomUUID(),
      });
      await store.append(run, [started], 0);
      assert.deepStrictEqual(defined(await store.getRun(run)), expectedRunInfo(run, started));
      const plain = makeRunKey();
      const plainStart = startedEvent();
      await store.append(plain, [plainStart], 0);
      assert.deepStrictEqual(
        defined(await store.getRun(plain)),
        expectedRunInfo(plain, plainStart),
      );
    },
  },
  {
    name: 'runs: status follows RUNNING → PAUSED → RUNNING → COMPLETED with closeTime and headSeq',
    tags: ['runs'],
    async run({ store }) {
      const { run } = await startRun(store);
      const status = async (): Promise<
        [WorkflowStatus | undefined, number | undefined, number | undefined]
      > => {
        const info = await store.getRun(run);
        return [info?.status, info?.closeTime, info?.headSeq];
      };
      assert.deepStrictEqual(await status(), ['RUNNING', undefined, 1]);
      await store.append(run, [event(2, T0 + 1, { type: 'WorkflowPaused', reason: 'ops' })], 1);
      assert.deepStrictEqual(await status(), ['PAUSED', undefined, 2]);
      await store.append(
        run,
        [event(3, T0 + 2, { type: 'SignalReceived', signalName: 's', args: [] })],
        2,
      );
      assert.deepStrictEqual(await status(), ['PAUSED', undefined, 3]);
      await store.append(run, [event(4, T0 + 3, { type: 'WorkflowResumed' })], 3);
      assert.deepStrictEqual(await status(), ['RUNNING', undefined, 4]);
      await closeRun(store, run, 4, T0 + 9);
      assert.deepStrictEqual(await status(), ['COMPLETED', T0 + 9, 5]);
    },
  },
  {
    name: 'runs: every terminal event type projects its status and closeTime',
    tags: ['runs'],
    async run({ store }) {
      const expected = TERMINAL_STATUS_OF;
      for (const [i, type] of TERMINAL_EVENT_TYPES.entries()) {
        const { run } = await startRun(store);
        await store.append(
          run,
          [event(2, T0 + 1, { type: 'WorkflowPaused' }), terminalEvent(3, T0 + 100 + i, type)],
          1,
        );
        const info = await store.getRun(run);
        assert.equal(info?.status, expected[type], type);
        assert.equal(info?.closeTime, T0 + 100 + i, `${type} closeTime`);
      }
    },
  },
  {
    name: 'runs: a close keeps the rest of the row; a close at a stale seq or of a closed run changes nothing',
    tags: ['runs', 'commit'],
    async run({ store }) {
      for (const [i, type] of TERMINAL_EVENT_TYPES.entries()) {
        const { run } = await startRun(store, {
          searchAttributes: { Customer: { type: 'Keyword', value: 'acme' } },
          memo: { note: jsonPayload('memo') },
          extra: 1, // head 2
        });
        const open = defined(await store.getRun(run));
        const stuck = { reason: 'x', since: T0 + 1 };
        await store.commit([{ run, expectedSeq: 2, events: [], visibility: { stuck } }]);
        const stale = await store.commit([
          { run, expectedSeq: 1, events: [terminalEvent(2, T0 + 50, type)] },
        ]);
        assert.equal(stale[0]?.ok, false, `${type}: a close at a stale seq is refused`);
        assert.equal((await store.getRun(run))?.status, 'RUNNING');
        await closeRun(store, run, 2, T0 + 100 + i, type);
        // The stuck flag set after `open` was read is cleared by the close.
        assert.deepStrictEqual(await store.getRun(run), {
          ...open,
          status: TERMINAL_STATUS_OF[type],
          closeTime: T0 + 100 + i,
          headSeq: 3,
        });
        const again = await store
          .commit([{ run, expectedSeq: 3, events: [terminalEvent(4, T0 + 200, type)] }])
          .then(
            (outcomes) => outcomes[0]?.ok ?? false,
            () => false,
          );
        assert.equal(again, false, `${type}: a closed run cannot close again`);
        assert.equal((await store.getRun(run))?.closeTime, T0 + 100 + i);
      }
    },
  },
  {
    name: 'runs: a continue-as-new chain reads back in order with the current run (SCENARIOS #5)',
    tags: ['runs'],
    async run({ store }) {
      const workflowId = makeRunKey().workflowId;
      const [r1, r2, r3] = [
        makeRunKey({ workflowId }),
        makeRunKey({ workflowId }),
        makeRunKey({ workflowId }),
      ];
      assert.equal(await store.getCurrentRun(r1.namespace, workflowId), undefined);
      assert.deepStrictEqual(await store.getRunChain(r1.namespace, workflowId), []);
      await store.append(
        r1,
        [startedEvent({ at: T0 + 100 }), terminalEvent(2, T0 + 200, 'WorkflowContinuedAsNew')],
        0,
      );
      assert.equal(
        (await store.getCurrentRun(r1.namespace, workflowId))?.runId,
        r1.runId,
        'only a closed run',
      );
      await store.append(r2, [startedEvent({ at: T0 + 201, continuedFromRunId: r1.runId })], 0);
      assert.equal((await store.getCurrentRun(r1.namespace, workflowId))?.runId, r2.runId);
      await store.append(r2, [terminalEvent(2, T0 + 300, 'WorkflowContinuedAsNew')], 1);
      await store.append(r3, [startedEvent({ at: T0 + 301, continuedFromRunId: r2.runId })], 0);
      const current = await store.getCurrentRun(r1.namespace, workflowId);
      assert.ok(current);
      assert.equal(current.runId, r3.runId);
      assert.equal(current.status, 'RUNNING');
      assert.equal(current.continuedFromRunId, r2.runId);
      await closeRun(store, r3, 1, T0 + 400);
      const closed = await store.getCurrentRun(r1.namespace, workflowId);
      assert.deepStrictEqual(
        [closed?.runId, closed?.status, closed?.closeTime],
        [r3.runId, 'COMPLETED', T0 + 400],
      );
      const chain = await store.getRunChain(r1.namespace, workflowId);
      assert.deepStrictEqual(
        chain.map((i) => [i.runId, i.status, i.startTime, i.closeTime]),
        [
          [r1.runId, 'CONTINUED_AS_NEW', T0 + 100, T0 + 200],
          [r2.runId, 'CONTINUED_AS_NEW', T0 + 201, T0 + 300],
          [r3.runId, 'COMPLETED', T0 + 301, T0 + 400],
        ],
      );
    },
  },
  {
    name: 'runs: a terminal event deletes the run’s timers and tasks but keeps its outbox rows',
    tags: ['runs', 'commit'],
    async run({ store }) {
      const run = makeRunKey();
      const other = makeRunKey();
      for (const r of [run, other]) {
        await store.commit([
          {
            run: r,
            expectedSeq: 0,
            events: [startedEvent()],
            timers: { upsert: [timerRow(r, 't1', T0 + 10), timerRow(r, 't2', T0 + 20)] },
            tasks: { enqueue: [taskRow(r, '1'), taskRow(r, '2')] },
            outbox: { add: [outboxRow(r, `${r.runId}-o1`)] },
          },
        ]);
      }
      const [outcome] = await store.commit([
        {
          run,
          expectedSeq: 1,
          events: [terminalEvent(2, T0 + 5)],
          outbox: { add: [outboxRow(run, `${run.runId}-o2`)] },
        },
      ]);
      assert.deepStrictEqual(outcome, { ok: true, headSeq: 2 });
      assert.deepStrictEqual(await store.listTimers(run), []);
      assert.deepStrictEqual(await store.listTasks(run), []);
      assert.equal(await store.getTask(run.namespace, `${run.runId}/1`), undefined);
      const outbox = (await store.listOutbox({ limit: 100 })).map((o) => o.id).sort();
      assert.deepStrictEqual(
        outbox,
        [`${other.runId}-o1`, `${run.runId}-o1`, `${run.runId}-o2`].sort(),
      );
      assert.equal((await store.listTimers(other)).length, 2, 'other runs keep their timers');
      assert.equal((await store.listTasks(other)).length, 2, 'other runs keep their tasks');
      const claimed = await store.claimDueTimers({
        owner: 'w',
        now: T0 + 1000,
        leaseMs: 1000,
        limit: 100,
      });
      assert.deepStrictEqual(
        claimed.map((t) => t.runId),
        [other.runId, other.runId],
      );
      // Closing by plain append cleans up the same way.
      await store.append(other, [terminalEvent(2, T0 + 6, 'WorkflowTerminated')], 1);
      assert.deepStrictEqual(await store.listTimers(other), []);
      assert.deepStrictEqual(await store.listTasks(other), []);
      assert.equal(await store.nextTimerAt(), undefined);
      assert.equal(await store.nextTaskAt(run.namespace, 'main'), undefined);
    },
  },
  {
    name: 'runs: the stuck flag is set and cleared by commits and cleared by the terminal event',
    tags: ['runs', 'commit'],
    async run({ store }) {
      const { run } = await startRun(store);
      const stuck = { reason: 'TypeError: x is undefined', since: T0 + 3 };
      await store.commit([{ run, expectedSeq: 1, events: [], visibility: { stuck } }]);
      assert.deepStrictEqual((await store.getRun(run))?.stuck, stuck);
      assert.equal((await store.getRun(run))?.status, 'RUNNING');
      await store.commit([{ run, expectedSeq: 1, events: [], visibility: { stuck: null } }]);
      assert.equal((await store.getRun(run))?.stuck, undefined);
      await store.commit([{ run, expectedSeq: 1, events: [], visibility: { stuck } }]);
      await store.commit([{ run, expectedSeq: 1, events: [], visibility: {} }]);
      assert.deepStrictEqual(
        (await store.getRun(run))?.stuck,
        stuck,
        'an absent stuck field leaves the flag alone',
      );
      await closeRun(store, run, 1, T0 + 9, 'WorkflowTerminated');
      assert.equal((await store.getRun(run))?.stuck, undefined);
    },
  },
  {
    name: 'runs: listOpenRuns pages open runs of every namespace by (namespace, runId)',
    tags: ['runs'],
    async run({ store }) {
      const open: { namespace: string; runId: string }[] = [];
      for (const namespace of ['alpha', 'beta']) {
        for (let i = 0; i < 7; i++) {
          const { run } = await startRun(store, { run: makeRunKey({ namespace }) });
          if (i % 3 === 0) await closeRun(store, run, 1, T0 + 1);
          else open.push({ namespace, runId: run.runId });
        }
      }
      const key = (r: { namespace: string; runId: string }): string =>
        `${r.namespace}\u0000${r.runId}`;
      const expected = open.map(key).sort();
      const seen: string[] = [];
      let after: { namespace: string; runId: string } | undefined;
      for (let page = 0; page < 20; page++) {
        const rows = await store.listOpenRuns(after ? { after, limit: 3 } : { limit: 3 });
        assert.ok(rows.length <= 3);
        for (const r of rows) assert.ok(r.closeTime === undefined && r.status === 'RUNNING');
        seen.push(...rows.map(key));
        if (rows.length < 3) break;
        const last = rows[rows.length - 1]!;
        after = { namespace: last.namespace, runId: last.runId };
      }
      assert.deepStrictEqual(seen, expected);
    },
  },
];
