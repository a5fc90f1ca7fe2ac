import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { ClaimedTimer, Store, TimerRow } from '../contract/index.js';
import { defined } from './check.js';
import { makeRunKey, startRun, T0, timerRow } from './fixtures.js';
import type { StoreScenario } from './types.js';

/** Upserts (and cancels) timers of a started run through a side-effect-only commit at `head`. */
export async function setTimers(
  store: Store,
  run: RunKey,
  head: number,
  upsert: TimerRow[],
  cancel: string[] = [],
): Promise<void> {
  const [outcome] = await store.commit([
    { run, expectedSeq: head, events: [], timers: { upsert, cancel } },
  ]);
  assert.deepStrictEqual(outcome, { ok: true, headSeq: head }, 'timer commit');
}

async function claim(
  store: Store,
  now: number,
  owner = 'owner-1',
  limit = 100,
  leaseMs = 1000,
): Promise<ClaimedTimer[]> {
  return store.claimDueTimers({ owner, now, leaseMs, limit });
}

const ids = (timers: readonly TimerRow[]): string[] => timers.map((t) => t.timerId);

/** Claims concurrently with `claimers` claimers spread over `stores`; asserts each timer is handed out once. */
async function claimRace(stores: readonly Store[], claimers: number): Promise<void> {
  const { run } = await startRun(stores[0]!);
  const rows = Array.from({ length: 30 }, (_, i) =>
    timerRow(run, `t${String(i).padStart(2, '0')}`, T0 + i),
  );
  await setTimers(stores[0]!, run, 1, rows);
  const batches = await Promise.all(
    Array.from({ length: claimers }, (_, i) =>
      stores[i % stores.length]!.claimDueTimers({
        owner: `c${i}`,
        now: T0 + 100,
        leaseMs: 5000,
        limit: 20,
      }),
    ),
  );
  const all = batches.flatMap(ids);
  assert.equal(new Set(all).size, all.length, 'no timer is handed to two claimers');
  assert.deepStrictEqual([...all].sort(), ids(rows));
  assert.deepStrictEqual(await claim(stores[0]!, T0 + 200), [], 'every due timer is leased');
}

export const timerScenarios: StoreScenario[] = [
  {
    name: 'timers: the due boundary is inclusive and a claim returns the exact row with its lease',
    tags: ['timers'],
    async run({ store }) {
      const { run } = await startRun(store);
      const row = timerRow(run, 't1', T0 + 5000, 'backoff');
      await setTimers(store, run, 1, [row]);
      assert.deepStrictEqual(await claim(store, T0 + 4999), [], 'not due one ms before fireAt');
      const claimed = await claim(store, T0 + 5000, 'owner-1', 10, 750);
      assert.deepStrictEqual(defined(claimed), [{ ...row, claimUntil: T0 + 5750 }]);
      assert.deepStrictEqual(
        defined(await store.listTimers(run)).map((t) => t.timerId),
        ['t1'],
        'a claim does not delete',
      );
    },
  },
  {
    name: 'timers: a rescheduled timer is claimed once, at its new time (SCENARIOS #4)',
    tags: ['timers'],
    async run({ store }) {
      const { run } = await startRun(store);
      await setTimers(store, run, 1, [timerRow(run, 'sleep', T0 + 1000)]);
      await setTimers(store, run, 1, [timerRow(run, 'sleep', T0 + 3000)]);
      assert.equal((await store.listTimers(run)).length, 1, 'an upsert, not a second row');
      assert.deepStrictEqual(await claim(store, T0 + 1000), [], 'not at the old time');
      assert.deepStrictEqual(await claim(store, T0 + 2999), []);
      const claimed = await claim(store, T0 + 3000);
      assert.deepStrictEqual(
        claimed.map((t) => [t.timerId, t.fireAt]),
        [['sleep', T0 + 3000]],
      );
      assert.deepStrictEqual(await claim(store, T0 + 3000, 'owner-2'), [], 'once');
      // Moving a timer earlier makes it due earlier.
      await setTimers(store, run, 1, [timerRow(run, 'early', T0 + 9000)]);
      await setTimers(store, run, 1, [timerRow(run, 'early', T0 + 500)]);
      assert.deepStrictEqual(ids(await claim(store, T0 + 600, 'owner-3')), ['early']);
    },
  },
  {
    name: 'timers: cancel and delete are idempotent and remove the timer',
    tags: ['timers'],
    async run({ store }) {
      const { run } = await startRun(store);
      await setTimers(store, run, 1, [
        timerRow(run, 'a', T0),
        timerRow(run, 'b', T0 + 1),
        timerRow(run, 'c', T0 + 2),
      ]);
      await setTimers(store, run, 1, [], ['a', 'a', 'zzz']);
      await setTimers(store, run, 1, [], ['a']);
      await store.deleteTimer(run.namespace, run.runId, 'b');
      await store.deleteTimer(run.namespace, run.runId, 'b');
      await store.deleteTimer(run.namespace, run.runId, 'never');
      await store.deleteTimer('other-ns', run.runId, 'c');
      await store.deleteTimer(run.namespace, makeRunKey().runId, 'c');
      assert.deepStrictEqual(ids(await store.listTimers(run)), ['c']);
      assert.deepStrictEqual(ids(await claim(store, T0 + 100)), ['c']);
      await store.deleteTimer(run.namespace, run.runId, 'c');
      assert.deepStrictEqual(await store.listTimers(run), []);
      assert.equal(await store.nextTimerAt(), undefined);
      assert.deepStrictEqual(
        await claim(store, T0 + 10_000),
        [],
        'a deleted claimed timer never comes back',
      );
    },
  },
  {
    name: 'timers: a claimed timer is not claimable until its lease expires, then it is',
    tags: ['timers', 'leases'],
    async run({ store }) {
      const { run } = await startRun(store);
      await setTimers(store, run, 1, [timerRow(run, 't', T0)]);
      assert.deepStrictEqual(
        (await claim(store, T0 + 10, 'a', 10, 1000)).map((t) => t.claimUntil),
        [T0 + 1010],
      );
      assert.deepStrictEqual(await claim(store, T0 + 10, 'b'), []);
      assert.deepStrictEqual(
        await claim(store, T0 + 1009, 'b'),
        [],
        'lease live while now < claimUntil',
      );
      const again = await claim(store, T0 + 1010, 'b', 10, 500);
      assert.deepStrictEqual(
        again.map((t) => [t.timerId, t.claimUntil]),
        [['t', T0 + 1510]],
        'claimable again at now = claimUntil',
      );
      assert.deepStrictEqual(await claim(store, T0 + 1200, 'a'), [], 'the new lease holds');
    },
  },
  {
    name: 'timers: concurrent claimers each get disjoint timers',
    tags: ['timers', 'concurrency'],
    async run({ store }) {
      await claimRace([store], 3);
    },
  },
  {
    name: 'timers: concurrent claimers on two connections each get disjoint timers',
    tags: ['timers', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      await claimRace([store, await second()], 4);
    },
  },
  {
    name: 'timers: due timers are claimed in fireAt order up to the limit',
    tags: ['timers'],
    async run({ store }) {
      const runs = [await startRun(store), await startRun(store)];
      const offsets = [50, 10, 40, 20, 30, 60];
      for (const [i, offset] of offsets.entries()) {
        const { run } = runs[i % 2]!;
        await setTimers(store, run, 1, [timerRow(run, `at-${offset}`, T0 + offset)]);
      }
      assert.deepStrictEqual(ids(await claim(store, T0 + 55, 'a', 3)), ['at-10', 'at-20', 'at-30']);
      assert.deepStrictEqual(
        ids(await claim(store, T0 + 55, 'b', 3)),
        ['at-40', 'at-50'],
        'at-60 not yet due',
      );
      const last = await claim(store, T0 + 60, 'c', 3);
      assert.deepStrictEqual(
        last.map((t) => [t.timerId, t.runId, t.workflowId, t.namespace]),
        [['at-60', runs[1]!.run.runId, runs[1]!.run.workflowId, runs[1]!.run.namespace]],
      );
    },
  },
  {
    name: 'timers: nextTimerAt is the earliest fireAt of all timers',
    tags: ['timers'],
    async run({ store }) {
      assert.equal(await store.nextTimerAt(), undefined);
      const a = await startRun(store);
      const b = await startRun(store);
      await setTimers(store, a.run, 1, [
        timerRow(a.run, 'x', T0 + 300),
        timerRow(a.run, 'y', T0 + 200),
      ]);
      await setTimers(store, b.run, 1, [timerRow(b.run, 'x', T0 + 100)]);
      assert.equal(await store.nextTimerAt(), T0 + 100);
      await store.deleteTimer(b.run.namespace, b.run.runId, 'x');
      assert.equal(await store.nextTimerAt(), T0 + 200);
      await setTimers(store, a.run, 1, [timerRow(a.run, 'y', T0 + 400)]);
      assert.equal(await store.nextTimerAt(), T0 + 300);
    },
  },
  {
    name: 'timers: listTimers returns exactly the run’s rows',
    tags: ['timers'],
    async run({ store }) {
      const a = await startRun(store);
      const b = await startRun(store);
      const rowsA = [
        timerRow(a.run, 'one', T0 + 1),
        { ...timerRow(a.run, 'two', T0 + 2), kind: 'timeout' },
      ];
      const bare: TimerRow = {
        namespace: a.run.namespace,
        workflowId: a.run.workflowId,
        runId: a.run.runId,
        timerId: 'bare',
        fireAt: T0 + 3,
        kind: 'user',
      };
      await setTimers(store, a.run, 1, [...rowsA, bare]);
      await setTimers(store, b.run, 1, [timerRow(b.run, 'one', T0 + 1)]);
      const listed = defined(await store.listTimers(a.run)).sort((x, y) => x.fireAt - y.fireAt);
      assert.deepStrictEqual(listed, [...rowsA, bare]);
      assert.equal(listed[2]?.data, undefined, 'an absent data field stays absent');
      assert.deepStrictEqual(ids(await store.listTimers(b.run)), ['one']);
      assert.deepStrictEqual(await store.listTimers(makeRunKey()), []);
    },
  },
];
