import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { ActivityTask, ClaimTasksRequest, NewActivityTask, Store } from '../contract/index.js';
import { defined } from './check.js';
import { makeRunKey, startRun, T0, taskRow } from './fixtures.js';
import type { StoreScenario } from './types.js';

/** Enqueues tasks of a started run through a side-effect-only commit at `head`. */
export async function enqueue(
  store: Store,
  run: RunKey,
  head: number,
  tasks: NewActivityTask[],
): Promise<void> {
  const [outcome] = await store.commit([
    { run, expectedSeq: head, events: [], tasks: { enqueue: tasks } },
  ]);
  assert.deepStrictEqual(outcome, { ok: true, headSeq: head }, 'enqueue commit');
}

export function claim(
  store: Store,
  request: Partial<ClaimTasksRequest> & { now: number },
): Promise<ActivityTask[]> {
  return store.claimTasks({
    namespace: 'default',
    taskQueue: 'main',
    owner: 'w1',
    leaseMs: 1000,
    limit: 100,
    ...request,
  });
}

export const activityIds = (tasks: readonly ActivityTask[]): string[] =>
  tasks.map((t) => t.activityId);

async function claimRace(stores: readonly Store[]): Promise<void> {
  const { run } = await startRun(stores[0]!);
  const tasks = Array.from({ length: 50 }, (_, i) =>
    taskRow(run, `a${String(i).padStart(2, '0')}`, { visibleAt: T0 + i }),
  );
  await enqueue(stores[0]!, run, 1, tasks);
  const batches = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      claim(stores[i % stores.length]!, {
        now: T0 + 100,
        owner: `w${i}`,
        limit: 20,
        leaseMs: 60_000,
      }),
    ),
  );
  const all = batches.flatMap(activityIds);
  assert.equal(new Set(all).size, all.length, 'no task is leased to two claimers');
  assert.deepStrictEqual(
    [...all].sort(),
    tasks.map((t) => t.activityId),
  );
  for (const [i, batch] of batches.entries()) {
    for (const t of batch) {
      assert.equal(t.leaseOwner, `w${i}`);
      assert.equal(t.deliveries, 1);
      assert.equal(
        (await stores[0]!.getTask(run.namespace, t.taskId))?.leaseOwner,
        `w${i}`,
        'the stored lease owner',
      );
    }
  }
  assert.deepStrictEqual(await claim(stores[0]!, { now: T0 + 200, owner: 'late' }), []);
}

export const taskScenarios: StoreScenario[] = [
  {
    name: 'tasks: queue stats count backlog, running (unexpired lease) and scheduled (later) per queue',
    tags: ['tasks'],
    async run({ store }) {
      assert.deepStrictEqual(await store.taskQueueStats('default', T0), []);
      const { run } = await startRun(store);
      await enqueue(store, run, 1, [
        taskRow(run, 'a1', { visibleAt: T0 }),
        taskRow(run, 'a2', { visibleAt: T0 }),
        taskRow(run, 'a3', { visibleAt: T0 + 10_000 }),
        taskRow(run, 'b1', { taskQueue: 'b-queue', visibleAt: T0 }),
        taskRow(run, 'z1', { taskQueue: 'Z-upper', visibleAt: T0 + 50 }),
      ]);
      // One task of 'main' is leased until T0 + 1000.
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0, limit: 1, leaseMs: 1000 })),
        ['a1'],
      );
      assert.deepStrictEqual(await store.taskQueueStats('default', T0 + 100), [
        { taskQueue: 'Z-upper', backlog: 1, running: 0, scheduled: 0 },
        { taskQueue: 'b-queue', backlog: 1, running: 0, scheduled: 0 },
        { taskQueue: 'main', backlog: 1, running: 1, scheduled: 1 },
      ]);
      // The lease expired: the task is claimable again, so it counts as backlog.
      assert.deepStrictEqual(
        (await store.taskQueueStats('default', T0 + 2000)).find((q) => q.taskQueue === 'main'),
        { taskQueue: 'main', backlog: 2, running: 0, scheduled: 1 },
      );
      assert.deepStrictEqual(await store.taskQueueStats('other', T0 + 100), []);
    },
  },
  {
    name: 'tasks: a claim returns visible tasks only, oldest visibleAt first, leased to the claimer',
    tags: ['tasks'],
    async run({ store }) {
      const { run } = await startRun(store);
      const rows = [
        taskRow(run, 'late', { visibleAt: T0 + 300 }),
        taskRow(run, 'first', { visibleAt: T0 + 100 }),
        taskRow(run, 'middle', { visibleAt: T0 + 200 }),
        taskRow(run, 'future', { visibleAt: T0 + 5000 }),
      ];
      await enqueue(store, run, 1, rows);
      assert.deepStrictEqual(await claim(store, { now: T0 + 99 }), []);
      const claimed = await claim(store, { now: T0 + 1000, leaseMs: 60_000, limit: 2 });
      assert.deepStrictEqual(defined(claimed), [
        { ...rows[1], leaseOwner: 'w1', leaseUntil: T0 + 61_000, deliveries: 1 },
        { ...rows[2], leaseOwner: 'w1', leaseUntil: T0 + 61_000, deliveries: 1 },
      ]);
      assert.deepStrictEqual(
        defined(await store.getTask(run.namespace, rows[1]!.taskId)),
        defined(claimed[0]),
      );
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 1000, owner: 'w2', leaseMs: 60_000 })),
        ['late'],
      );
      assert.deepStrictEqual(
        await claim(store, { now: T0 + 4999, owner: 'w3' }),
        [],
        'future tasks are invisible',
      );
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 5000, owner: 'w3' })),
        ['future'],
        'visibleAt = now is visible',
      );
    },
  },
  {
    name: 'tasks: 5 concurrent claimers over 50 tasks lease each task exactly once',
    tags: ['tasks', 'concurrency'],
    async run({ store }) {
      await claimRace([store]);
    },
  },
  {
    name: 'tasks: concurrent claimers on two connections lease each task exactly once',
    tags: ['tasks', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      await claimRace([store, await second()]);
    },
  },
  {
    name: 'tasks: activityTypes filters the claim',
    tags: ['tasks'],
    async run({ store }) {
      const { run } = await startRun(store);
      await enqueue(store, run, 1, [
        taskRow(run, '1', { activityType: 'charge', visibleAt: T0 }),
        taskRow(run, '2', { activityType: 'ship', visibleAt: T0 + 1 }),
        taskRow(run, '3', { activityType: 'email', visibleAt: T0 + 2 }),
        taskRow(run, '4', { activityType: 'ship', visibleAt: T0 + 3 }),
      ]);
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 10, activityTypes: ['ship'] })),
        ['2', '4'],
      );
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 10, activityTypes: ['nothing'] })),
        [],
      );
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 10, activityTypes: ['email', 'charge'] })),
        ['1', '3'],
      );
    },
  },
  {
    name: 'tasks: queues are isolated',
    tags: ['tasks'],
    async run({ store }) {
      const { run } = await startRun(store);
      await enqueue(store, run, 1, [
        taskRow(run, '1', { taskQueue: 'q-a' }),
        taskRow(run, '2', { taskQueue: 'q-b' }),
        taskRow(run, '3', { taskQueue: 'q-a' }),
      ]);
      assert.deepStrictEqual(await claim(store, { now: T0 + 10 }), [], 'queue main is empty');
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 10, taskQueue: 'q-b' })).sort(),
        ['2'],
      );
      assert.deepStrictEqual(
        activityIds(await claim(store, { now: T0 + 10, taskQueue: 'q-a' })).sort(),
        ['1', '3'],
      );
      assert.deepStrictEqual((await store.listTasks(run)).map((t) => t.activityId).sort(), [
        '1',
        '2',
        '3',
      ]);
      assert.deepStrictEqual(await store.listTasks(makeRunKey()), []);
    },
  },
  {
    name: 'tasks: nextTaskAt is the earliest time a task of the queue becomes claimable',
    tags: ['tasks'],
    async run({ store }) {
      const { run } = await startRun(store);
      assert.equal(await store.nextTaskAt(run.namespace, 'main'), undefined);
      await enqueue(store, run, 1, [
        taskRow(run, '1', { visibleAt: T0 + 500 }),
        taskRow(run, '2', { visibleAt: T0 + 300 }),
        taskRow(run, '3', { visibleAt: T0 + 100, taskQueue: 'other' }),
      ]);
      assert.equal(await store.nextTaskAt(run.namespace, 'main'), T0 + 300);
      assert.equal(await store.nextTaskAt(run.namespace, 'other'), T0 + 100);
      assert.equal(await store.nextTaskAt(run.namespace, 'empty'), undefined);
      assert.equal(await store.nextTaskAt('other-ns', 'main'), undefined);
      // A leased task counts at its lease expiry, not at its (past) visibleAt.
      assert.deepStrictEqual(activityIds(await claim(store, { now: T0 + 300, leaseMs: 1000 })), [
        '2',
      ]);
      assert.equal(await store.nextTaskAt(run.namespace, 'main'), T0 + 500);
      assert.deepStrictEqual(activityIds(await claim(store, { now: T0 + 500, leaseMs: 100 })), [
        '1',
      ]);
      assert.equal(await store.nextTaskAt(run.namespace, 'main'), T0 + 600);
    },
  },
  {
    name: 'tasks: a lease extended for an attempt holds only while the task is at that attempt',
    tags: ['tasks'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = taskRow(run, '1');
      await enqueue(store, run, 1, [row]);
      const extend = (attempt: number | undefined, now: number): Promise<boolean> =>
        store.extendTaskLease({
          namespace: run.namespace,
          taskId: row.taskId,
          owner: 'w1',
          leaseUntil: now + 1000,
          now,
          ...(attempt === undefined ? {} : { attempt }),
        });
      const [first] = await claim(store, { now: T0, leaseMs: 1000 });
      assert.equal(await extend(first!.attempt, T0 + 10), true, 'the attempt that holds it');
      // The lease ran out without a retry: the next claim (same owner) is the next attempt.
      const [second] = await claim(store, { now: T0 + 5_000, leaseMs: 1000 });
      assert.equal(second!.attempt, first!.attempt + 1);
      assert.equal(await extend(first!.attempt, T0 + 5_010), false, 'an earlier attempt');
      assert.equal(await extend(second!.attempt, T0 + 5_020), true, 'the current attempt');
      assert.equal(await extend(undefined, T0 + 5_030), true, 'any attempt of the holder');
    },
  },
  {
    name: 'tasks: removal through a commit deletes the task',
    tags: ['tasks', 'commit'],
    async run({ store }) {
      const { run } = await startRun(store);
      const rows = [taskRow(run, '1'), taskRow(run, '2')];
      await enqueue(store, run, 1, rows);
      await claim(store, { now: T0, limit: 1 });
      await store.commit([
        { run, expectedSeq: 1, events: [], tasks: { remove: [rows[0]!.taskId, rows[1]!.taskId] } },
      ]);
      assert.equal(await store.getTask(run.namespace, rows[0]!.taskId), undefined, 'a leased task');
      assert.equal(
        await store.getTask(run.namespace, rows[1]!.taskId),
        undefined,
        'an unleased task',
      );
      assert.deepStrictEqual(await claim(store, { now: T0 + 10_000 }), []);
      assert.equal(
        await store.extendTaskLease({
          namespace: run.namespace,
          taskId: rows[0]!.taskId,
          owner: 'w1',
          leaseUntil: T0 + 1,
          now: T0,
        }),
        false,
      );
    },
  },
];
