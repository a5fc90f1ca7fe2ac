import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { assertAlreadyStarted, defined, rejectsWithCode, rejectsWithConflict } from './check.js';
import {
  event,
  eventsFor,
  FAILURE,
  jsonPayload,
  makeRunKey,
  outboxRow,
  startedEvent,
  T0,
  taskRow,
  terminalEvent,
  timerRow,
} from './fixtures.js';
import { assertSamePackage, packageRecord } from './packages.js';
import type { StoreScenario } from './types.js';

/** Everything a store holds that can be read back, in a comparable form. */
async function snapshot(store: Store, runs: readonly RunKey[]): Promise<unknown> {
  const perRun = [];
  for (const run of runs) {
    perRun.push({
      history: await store.readHistory(run),
      head: await store.headSeq(run),
      info: defined(await store.getRun(run)),
      timers: defined(await store.listTimers(run)).sort((a, b) => a.fireAt - b.fireAt),
      tasks: defined(await store.listTasks(run)).sort((a, b) => a.scheduledSeq - b.scheduledSeq),
      chain: defined(await store.getRunChain(run.namespace, run.workflowId)),
    });
  }
  return {
    perRun,
    outbox: defined(await store.listOutbox({ limit: 1000 })),
    packages: defined(await store.listPackages('default')),
    routes: defined(await store.listRoutes('default')),
    list: defined((await store.listRuns({ namespace: 'default', pageSize: 1000 })).items),
    nextTimerAt: await store.nextTimerAt(),
    nextTaskAt: await store.nextTaskAt('default', 'main'),
  };
}

/** Writes runs of every kind with side-effect rows, a lease, a package and a route. */
async function writeEverything(store: Store): Promise<RunKey[]> {
  const open = makeRunKey();
  const closed = makeRunKey();
  const paused = makeRunKey();
  const outcomes = await store.commit([
    {
      run: open,
      expectedSeq: 0,
      events: [
        startedEvent({
          searchAttributes: { Customer: { type: 'Keyword', value: 'acme' } },
          memo: { m: jsonPayload(1) },
        }),
        ...eventsFor(open, 2, 40),
      ],
      timers: { upsert: [timerRow(open, 't1', T0 + 100), timerRow(open, 't2', T0 + 200)] },
      tasks: {
        enqueue: [
          taskRow(open, '1', { visibleAt: T0 }),
          taskRow(open, '2', { visibleAt: T0 + 50, scheduledSeq: 3 }),
        ],
      },
      outbox: { add: [outboxRow(open, 'ob-1', { version: 'v1' })] },
      visibility: { stuck: { reason: 'crash', since: T0 + 1 } },
    },
    {
      run: closed,
      expectedSeq: 0,
      events: [startedEvent(), terminalEvent(2, T0 + 9, 'WorkflowFailed')],
    },
    {
      run: paused,
      expectedSeq: 0,
      events: [startedEvent({ at: T0 + 3 }), event(2, T0 + 4, { type: 'WorkflowPaused' })],
    },
  ]);
  assert.ok(outcomes.every((o) => o.ok));
  await store.claimDueTimers({ owner: 'timer-owner', now: T0 + 100, leaseMs: 10_000, limit: 1 });
  await store.claimTasks({
    namespace: 'default',
    taskQueue: 'main',
    owner: 'w1',
    now: T0,
    leaseMs: 10_000,
    limit: 1,
  });
  await store.extendTaskLease({
    namespace: 'default',
    taskId: `${open.runId}/1`,
    owner: 'w1',
    leaseUntil: T0 + 20_000,
    heartbeatDetails: jsonPayload({ p: 1 }),
    now: T0 + 5,
  });
  await store.putPackage(packageRecord('v1', { size: 100_000 }), ['OrderWorkflow']);
  return [open, closed, paused];
}

export const durabilityScenarios: StoreScenario[] = [
  {
    name: 'durability: everything written reads back identical after close and reopen',
    tags: ['durability'],
    needs: ['reopen'],
    async run({ store, reopen }) {
      const runs = await writeEverything(store);
      const pkg = await store.getPackage('default', 'v1');
      assert.ok(pkg);
      const before = await snapshot(store, runs);
      const reopened = await reopen();
      assert.deepStrictEqual(await snapshot(reopened, runs), before);
      assertSamePackage(await reopened.getPackage('default', 'v1'), pkg, 'package after reopen');

      // Rules keep holding on the reopened store.
      const [open] = runs as [RunKey];
      await rejectsWithConflict(reopened.append(open, eventsFor(open, 41, 1), 40), 40, 41);
      await reopened.append(open, eventsFor(open, 42, 2), 41);
      assert.equal(await reopened.headSeq(open), 43);
      const dup = makeRunKey({ workflowId: open.workflowId });
      assertAlreadyStarted(
        await rejectsWithCode(
          reopened.append(dup, [startedEvent()], 0),
          'workflow_already_started',
        ),
        open.workflowId,
        open.runId,
      );
      const due = await reopened.claimDueTimers({
        owner: 'other',
        now: T0 + 5000,
        leaseMs: 10,
        limit: 10,
      });
      assert.deepStrictEqual(
        due.map((t) => t.timerId),
        ['t2'],
        'the timer lease taken before the reopen still holds t1',
      );
      const expired = await reopened.claimDueTimers({
        owner: 'other',
        now: T0 + 10_100,
        leaseMs: 10,
        limit: 10,
      });
      assert.deepStrictEqual(
        expired.map((t) => t.timerId),
        ['t1', 't2'],
        'both leases have expired',
      );
      assert.equal(
        await reopened.retryTask({
          namespace: 'default',
          taskId: `${open.runId}/1`,
          owner: 'w1',
          attempt: 2,
          visibleAt: T0 + 1,
          lastFailure: FAILURE,
        }),
        true,
        'the task lease holder survives the reopen',
      );
    },
  },
  {
    name: 'durability: a second connection sees committed writes at once, both ways',
    tags: ['durability', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      const runs = await writeEverything(store);
      assert.deepStrictEqual(await snapshot(other, runs), await snapshot(store, runs));
      const [open] = runs as [RunKey];
      await other.append(open, eventsFor(open, 42, 1), 41);
      assert.equal(await store.headSeq(open), 42);
      await rejectsWithConflict(store.append(open, eventsFor(open, 42, 1), 41), 41, 42);
    },
  },
];
