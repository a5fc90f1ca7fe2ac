/**
 * Lease recovery: tasks enqueued already leased, lost attempts (a lease that expired without
 * `retryTask`), `expireLeases` for known-dead owners, and `nextTimerAt` over claimed timers.
 */
import assert from 'node:assert/strict';
import type { ActivityTask, ClaimedTimer, Store } from '../contract/index.js';
import { defined, sorted } from './check.js';
import { FAILURE, makeRunKey, startRun, T0, taskRow, timerRow } from './fixtures.js';
import { activityIds, claim, enqueue } from './tasks.js';
import { setTimers } from './timers.js';
import type { StoreScenario } from './types.js';

/** `[activityId, attempt, deliveries, leaseOwner, leaseUntil]` of each task, for compact asserts. */
const leaseView = (tasks: readonly (ActivityTask | undefined)[]): unknown[][] =>
  tasks.map((t) => [t?.activityId, t?.attempt, t?.deliveries, t?.leaseOwner, t?.leaseUntil]);

const timerIds = (timers: readonly ClaimedTimer[]): string[] => timers.map((t) => t.timerId);

function claimTimers(
  store: Store,
  now: number,
  owner: string,
  limit = 100,
  leaseMs = 1000,
): Promise<ClaimedTimer[]> {
  return store.claimDueTimers({ owner, now, leaseMs, limit });
}

export const leaseScenarios: StoreScenario[] = [
  {
    name: 'tasks: a task enqueued already leased starts at deliveries 1, stays leased until leaseUntil, then is claimed as its next attempt',
    tags: ['tasks', 'leases', 'commit'],
    async run({ store }) {
      const { run } = await startRun(store);
      const leased = { ...taskRow(run, 'leased'), leaseOwner: 'engine', leaseUntil: T0 + 1000 };
      const plain = taskRow(run, 'plain', { visibleAt: T0 + 5000 });
      await enqueue(store, run, 1, [leased, plain]);
      assert.deepStrictEqual(
        defined(await store.getTask(run.namespace, leased.taskId)),
        { ...leased, deliveries: 1 },
        'stored with its lease and counted as delivered',
      );
      assert.deepStrictEqual(
        defined(await store.getTask(run.namespace, plain.taskId)),
        { ...plain, deliveries: 0 },
        'a task enqueued without a lease is not delivered yet',
      );
      assert.deepStrictEqual(await claim(store, { now: T0, owner: 'w2' }), [], 'leased at once');
      assert.deepStrictEqual(
        await claim(store, { now: T0 + 999, owner: 'w2' }),
        [],
        'live while now < leaseUntil',
      );
      assert.equal(
        await store.extendTaskLease({
          namespace: run.namespace,
          taskId: leased.taskId,
          owner: 'w2',
          leaseUntil: T0 + 9000,
          now: T0 + 10,
        }),
        false,
        'only the enqueued owner holds the lease',
      );
      const next = await claim(store, { now: T0 + 1000, owner: 'w2', leaseMs: 500 });
      assert.deepStrictEqual(
        leaseView(next),
        [['leased', 2, 2, 'w2', T0 + 1500]],
        'the lost first delivery counts as an attempt',
      );
      assert.deepStrictEqual(
        leaseView([await store.getTask(run.namespace, leased.taskId)]),
        leaseView(next),
      );
    },
  },
  {
    name: 'tasks: a lease that expired without retryTask is claimed as the next attempt, every time',
    tags: ['tasks', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1', { attempt: 3 });
      await enqueue(store, run, 1, [row]);
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0, owner: 'a', leaseMs: 1000 })),
        [['1', 3, 1, 'a', T0 + 1000]],
        'a first claim keeps the enqueued attempt',
      );
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0 + 1000, owner: 'b', leaseMs: 1000 })),
        [['1', 4, 2, 'b', T0 + 2000]],
        'the lease of a expired: its attempt was lost',
      );
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0 + 2500, owner: 'c', leaseMs: 1000 })),
        [['1', 5, 3, 'c', T0 + 3500]],
        'and again for b',
      );
      assert.deepStrictEqual(
        leaseView([await store.getTask(run.namespace, row.taskId)]),
        [['1', 5, 3, 'c', T0 + 3500]],
        'the stored task',
      );
    },
  },
  {
    name: 'tasks: after retryTask the next claim keeps the attempt retryTask set',
    tags: ['tasks', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1');
      await enqueue(store, run, 1, [row]);
      await claim(store, { now: T0, owner: 'a' });
      const base = { namespace: run.namespace, taskId: row.taskId };
      assert.equal(
        await store.retryTask({
          ...base,
          owner: 'a',
          attempt: 2,
          visibleAt: T0 + 500,
          lastFailure: FAILURE,
        }),
        true,
      );
      const task = defined(await store.getTask(run.namespace, row.taskId));
      assert.deepStrictEqual(
        [task?.leaseOwner, task?.leaseUntil, task?.attempt],
        [undefined, undefined, 2],
        'retryTask releases the lease, owner included',
      );
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0 + 500, owner: 'b', leaseMs: 1000 })),
        [['1', 2, 2, 'b', T0 + 1500]],
        'the attempt retryTask set, not one more',
      );
      // The same task, lost this time: its next claim is the next attempt again.
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0 + 1500, owner: 'c', leaseMs: 1000 })),
        [['1', 3, 3, 'c', T0 + 2500]],
      );
      assert.equal(
        await store.retryTask({ ...base, owner: 'c', attempt: 7, visibleAt: T0 + 2000 }),
        true,
      );
      assert.deepStrictEqual(
        leaseView(await claim(store, { now: T0 + 2000, owner: 'd', leaseMs: 1000 })),
        [['1', 7, 4, 'd', T0 + 3000]],
      );
    },
  },
  {
    name: 'leases: expireLeases expires the task leases and timer claims of other owners as of now, keeping their owner',
    tags: ['tasks', 'timers', 'leases'],
    // eslint-disable-next-line max-lines-per-function -- one scenario: the task and timer setup and its assertions read top to bottom like the contract
    async run({ store }) {
      const now = T0 + 100;
      const live = 60_000;
      const { run } = await startRun(store);
      const other = (await startRun(store, { run: makeRunKey({ namespace: 'ns-b' }) })).run;

      // Tasks: claimed one at a time (limit 1, oldest visibleAt first) to give each its owner.
      await enqueue(store, run, 1, [
        taskRow(run, 'dead', { visibleAt: T0 }),
        taskRow(run, 'mine', { visibleAt: T0 + 1 }),
        taskRow(run, 'stale', { visibleAt: T0 + 2 }),
        taskRow(run, 'free', { visibleAt: T0 + 3 }),
        { ...taskRow(run, 'pre', { visibleAt: T0 }), leaseOwner: 'dead-2', leaseUntil: T0 + live },
      ]);
      await enqueue(store, other, 1, [taskRow(other, 'elsewhere', { visibleAt: T0 })]);
      const claimOne = async (at: number, owner: string, leaseMs: number, namespace = 'default') =>
        activityIds(await claim(store, { now: at, owner, leaseMs, limit: 1, namespace }));
      assert.deepStrictEqual(await claimOne(T0, 'dead-1', live), ['dead']);
      assert.deepStrictEqual(await claimOne(T0 + 1, 'me', live), ['mine']);
      assert.deepStrictEqual(await claimOne(T0 + 2, 'dead-1', 50), ['stale']);
      assert.deepStrictEqual(await claimOne(T0, 'dead-1', live, 'ns-b'), ['elsewhere']);

      // Timers: claimed the same way, in fireAt order.
      await setTimers(store, run, 1, [
        timerRow(run, 't-dead', T0),
        timerRow(run, 't-mine', T0 + 1),
        timerRow(run, 't-stale', T0 + 2),
        timerRow(run, 't-later', T0 + 10_000),
      ]);
      await setTimers(store, other, 1, [timerRow(other, 't-elsewhere', T0 + 3)]);
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0, 'dead-1', 1, live)), ['t-dead']);
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0 + 1, 'me', 1, live)), ['t-mine']);
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0 + 2, 'dead-2', 1, 50)), [
        't-stale',
      ]);
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0 + 3, 'dead-1', 1, live)), [
        't-elsewhere',
      ]);
      assert.deepStrictEqual(await claimTimers(store, T0 + 50, 'probe'), [], 'all claimed');
      assert.deepStrictEqual(await claim(store, { now: T0 + 2, owner: 'probe' }), [], 'all leased');

      assert.deepStrictEqual(
        await store.expireLeases({ exceptOwner: 'me', now }),
        { tasks: 3, timers: 2 },
        'dead, pre, elsewhere / t-dead, t-elsewhere: live leases of other owners in any namespace',
      );
      assert.deepStrictEqual(
        await store.expireLeases({ exceptOwner: 'me', now }),
        { tasks: 0, timers: 0 },
        'a lease ending at now is already expired',
      );

      const task = (id: string, namespace = 'default') =>
        store.getTask(namespace, `${namespace === 'default' ? run.runId : other.runId}/${id}`);
      assert.deepStrictEqual(
        leaseView([
          await task('dead'),
          await task('pre'),
          await task('elsewhere', 'ns-b'),
          await task('mine'),
          await task('stale'),
          await task('free'),
        ]),
        [
          ['dead', 1, 1, 'dead-1', now],
          ['pre', 1, 1, 'dead-2', now],
          ['elsewhere', 1, 1, 'dead-1', now],
          ['mine', 1, 1, 'me', T0 + 1 + live],
          ['stale', 1, 1, 'dead-1', T0 + 52],
          ['free', 1, 0, undefined, undefined],
        ],
        'expired leases keep their owner; the exempt, already expired and unleased rows are untouched',
      );

      // A claim at now takes the expired rows, each as its next attempt; never the exempt one.
      assert.deepStrictEqual(
        leaseView(await claim(store, { now, owner: 'new', leaseMs: 1000 })).sort(),
        [
          ['dead', 2, 2, 'new', now + 1000],
          ['free', 1, 1, 'new', now + 1000],
          ['pre', 2, 2, 'new', now + 1000],
          ['stale', 2, 2, 'new', now + 1000],
        ],
      );
      assert.deepStrictEqual(
        leaseView(await claim(store, { now, owner: 'new', namespace: 'ns-b' })),
        [['elsewhere', 2, 2, 'new', now + 1000]],
      );
      const timers = await claimTimers(store, now, 'new');
      assert.deepStrictEqual(sorted(timerIds(timers)), ['t-dead', 't-elsewhere', 't-stale']);
      assert.ok(
        timers.every((t) => t.claimUntil === now + 1000),
        'claimed at now',
      );
      assert.equal(
        await store.extendTaskLease({
          namespace: run.namespace,
          taskId: `${run.runId}/mine`,
          owner: 'me',
          leaseUntil: now + live,
          now,
        }),
        true,
        'the exempt owner still holds its lease',
      );
    },
  },
  {
    name: 'timers: nextTimerAt counts a claimed timer at max(fireAt, claimUntil)',
    tags: ['timers', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      await setTimers(store, run, 1, [timerRow(run, 'a', T0 + 100), timerRow(run, 'b', T0 + 500)]);
      assert.equal(await store.nextTimerAt(), T0 + 100);
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0 + 100, 'x', 10, 1000)), ['a']);
      assert.equal(await store.nextTimerAt(), T0 + 500, 'a is not next while its claim is live');
      await store.deleteTimer(run.namespace, run.runId, 'b');
      assert.equal(
        await store.nextTimerAt(),
        T0 + 1100,
        'a becomes claimable when its claim lapses',
      );
      assert.deepStrictEqual(await store.expireLeases({ exceptOwner: 'y', now: T0 + 300 }), {
        tasks: 0,
        timers: 1,
      });
      assert.equal(await store.nextTimerAt(), T0 + 300, 'an expired claim ends at now');
      assert.deepStrictEqual(timerIds(await claimTimers(store, T0 + 300, 'y', 10, 50)), ['a']);
      assert.equal(await store.nextTimerAt(), T0 + 350);
    },
  },
];
