import assert from 'node:assert/strict';
import { defined } from './check.js';
import { FAILURE, jsonPayload, startRun, T0, taskRow } from './fixtures.js';
import { claim, enqueue } from './tasks.js';
import type { StoreScenario } from './types.js';

export const taskLeaseScenarios: StoreScenario[] = [
  {
    name: 'tasks: extendTaskLease by the holder extends and stores heartbeat details; others get false',
    tags: ['tasks', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1');
      await enqueue(store, run, 1, [row]);
      await claim(store, { now: T0, leaseMs: 1000 });
      const details = jsonPayload({ progress: 42 });
      const base = { namespace: run.namespace, taskId: row.taskId };
      assert.equal(
        await store.extendTaskLease({
          ...base,
          owner: 'w1',
          leaseUntil: T0 + 5000,
          heartbeatDetails: details,
          now: T0 + 900,
        }),
        true,
      );
      assert.deepStrictEqual(defined(await store.getTask(run.namespace, row.taskId)), {
        ...row,
        leaseOwner: 'w1',
        leaseUntil: T0 + 5000,
        deliveries: 1,
        heartbeatDetails: details,
        lastHeartbeatAt: T0 + 900,
      });
      assert.deepStrictEqual(
        await claim(store, { now: T0 + 1000, owner: 'w2' }),
        [],
        'the extended lease holds past the old expiry',
      );
      const before = await store.getTask(run.namespace, row.taskId);
      assert.equal(
        await store.extendTaskLease({
          ...base,
          owner: 'intruder',
          leaseUntil: T0 + 99_999,
          heartbeatDetails: jsonPayload('x'),
          now: T0 + 950,
        }),
        false,
      );
      assert.equal(
        await store.extendTaskLease({
          ...base,
          taskId: 'no-such-task',
          owner: 'w1',
          leaseUntil: T0 + 9,
          now: T0,
        }),
        false,
      );
      assert.deepStrictEqual(
        await store.getTask(run.namespace, row.taskId),
        before,
        'a refused extension changes nothing',
      );
    },
  },
  {
    name: 'tasks: an expired lease is redelivered with deliveries + 1 and the old holder loses its rights',
    tags: ['tasks', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1');
      await enqueue(store, run, 1, [row]);
      const base = { namespace: run.namespace, taskId: row.taskId };
      await claim(store, { now: T0, owner: 'old', leaseMs: 1000 });
      assert.deepStrictEqual(
        await claim(store, { now: T0 + 999, owner: 'new' }),
        [],
        'live while now < leaseUntil',
      );
      // Past expiry but not yet re-claimed, the holder keeps its rights.
      assert.equal(
        await store.extendTaskLease({
          ...base,
          owner: 'old',
          leaseUntil: T0 + 1500,
          now: T0 + 1200,
        }),
        true,
      );
      assert.deepStrictEqual(await claim(store, { now: T0 + 1499, owner: 'new' }), []);
      const again = await claim(store, { now: T0 + 1500, owner: 'new', leaseMs: 2000 });
      assert.deepStrictEqual(
        again.map((t) => [t.activityId, t.leaseOwner, t.leaseUntil, t.deliveries, t.attempt]),
        [['1', 'new', T0 + 3500, 2, 2]],
        'redelivered as the next attempt: the old holder never called retryTask',
      );
      assert.equal(
        await store.extendTaskLease({
          ...base,
          owner: 'old',
          leaseUntil: T0 + 9000,
          now: T0 + 1600,
        }),
        false,
      );
      assert.equal(
        await store.retryTask({ ...base, owner: 'old', attempt: 9, visibleAt: T0 }),
        false,
      );
      const task = await store.getTask(run.namespace, row.taskId);
      assert.deepStrictEqual(
        [task?.leaseOwner, task?.leaseUntil, task?.attempt],
        ['new', T0 + 3500, 2],
      );
      assert.equal(
        await store.extendTaskLease({
          ...base,
          owner: 'new',
          leaseUntil: T0 + 4000,
          now: T0 + 1700,
        }),
        true,
      );
    },
  },
  {
    name: 'tasks: retryTask sets attempt, visibleAt and lastFailure and releases the lease',
    tags: ['tasks', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1');
      await enqueue(store, run, 1, [row]);
      await claim(store, { now: T0, owner: 'w1' });
      const base = { namespace: run.namespace, taskId: row.taskId };
      assert.equal(
        await store.retryTask({ ...base, owner: 'w2', attempt: 9, visibleAt: T0 }),
        false,
        'not the holder',
      );
      assert.equal(
        await store.retryTask({
          ...base,
          owner: 'w1',
          attempt: 2,
          visibleAt: T0 + 4000,
          lastFailure: FAILURE,
        }),
        true,
      );
      assert.deepStrictEqual(defined(await store.getTask(run.namespace, row.taskId)), {
        ...row,
        attempt: 2,
        visibleAt: T0 + 4000,
        deliveries: 1,
        lastFailure: FAILURE,
      });
      assert.deepStrictEqual(
        await claim(store, { now: T0 + 3999 }),
        [],
        'invisible during the backoff',
      );
      assert.equal(
        await store.extendTaskLease({ ...base, owner: 'w1', leaseUntil: T0 + 9000, now: T0 + 10 }),
        false,
        'the released lease is gone',
      );
      const next = await claim(store, { now: T0 + 4000, owner: 'w3' });
      assert.deepStrictEqual(
        next.map((t) => [t.attempt, t.deliveries, t.leaseOwner, t.lastFailure]),
        [[2, 2, 'w3', FAILURE]],
      );
    },
  },
];
