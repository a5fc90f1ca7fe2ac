/**
 * Shard filters (what a cluster node reads of its own shards): open runs, due timers and the
 * next timer, the outbox; and expiring the leases and claims of named owners only. Single-node
 * stores honour them too, with the default shard count.
 */
import assert from 'node:assert/strict';
import type { RunKey } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { DEFAULT_SHARD_COUNT, shardOf } from '../shared/index.js';
import { closeRun, makeRunKey, outboxRow, startRun, T0, taskRow, timerRow } from './fixtures.js';
import { claim, enqueue } from './tasks.js';
import { setTimers } from './timers.js';
import type { StoreScenario } from './types.js';

async function shardCount(store: Store): Promise<number> {
  return store.membership ? store.membership.shardCount() : DEFAULT_SHARD_COUNT;
}

/**
 * Started runs over two namespaces, and a set of shards holding about half of them (`mine`),
 * each run marked with whether it is in `mine`.
 */
async function runsOverShards(
  store: Store,
  count = 12,
): Promise<{ runs: { run: RunKey; mine: boolean }[]; mine: number[] }> {
  const shards = await shardCount(store);
  const keys = Array.from({ length: count }, (_, i) =>
    makeRunKey({ namespace: i % 2 === 0 ? 'ns-a' : 'ns-b' }),
  );
  const shardsOf = keys.map((k) => shardOf(k.namespace, k.workflowId, shards));
  const mine = [...new Set(shardsOf.slice(0, count / 2))];
  for (const run of keys) await startRun(store, { run });
  const runs = keys.map((run, i) => ({ run, mine: mine.includes(shardsOf[i]!) }));
  return { runs, mine };
}

const runKeyText = (r: { namespace: string; runId: string }): string => `${r.namespace}/${r.runId}`;

export const shardScenarios: StoreScenario[] = [
  {
    name: 'shards: listOpenRuns with shards pages only the open runs of those shards',
    tags: ['runs', 'shards'],
    async run({ store }) {
      const { runs, mine } = await runsOverShards(store);
      const closed = runs.find((r) => r.mine)!;
      await closeRun(store, closed.run, 1, T0 + 1);
      const expected = runs
        .filter((r) => r.mine && r !== closed)
        .map((r) => runKeyText(r.run))
        .sort((a, b) => (a < b ? -1 : 1));
      const seen: string[] = [];
      let after: { namespace: string; runId: string } | undefined;
      for (let page = 0; page < 20; page++) {
        const rows = await store.listOpenRuns({
          limit: 2,
          shards: mine,
          ...(after ? { after } : {}),
        });
        seen.push(...rows.map(runKeyText));
        if (rows.length < 2) break;
        after = rows[rows.length - 1]!;
      }
      assert.deepStrictEqual(seen, expected);
      assert.deepStrictEqual(await store.listOpenRuns({ limit: 100, shards: [] }), []);
      assert.equal((await store.listOpenRuns({ limit: 100 })).length, runs.length - 1);
    },
  },
  {
    name: 'shards: claimDueTimers and nextTimerAt with shards see only the timers of those shards',
    tags: ['timers', 'shards'],
    async run({ store }) {
      const { runs, mine } = await runsOverShards(store);
      for (const [i, { run }] of runs.entries())
        await setTimers(store, run, 1, [timerRow(run, 't', T0 + 100 + i)]);
      const firstMine = runs.findIndex((r) => r.mine);
      assert.equal(await store.nextTimerAt(mine), T0 + 100 + firstMine);
      assert.equal(await store.nextTimerAt([]), undefined);
      assert.equal(await store.nextTimerAt(), T0 + 100);
      const claimed = await store.claimDueTimers({
        owner: 'node-1',
        now: T0 + 1000,
        leaseMs: 1000,
        limit: 100,
        shards: mine,
      });
      assert.deepStrictEqual(
        claimed.map(runKeyText).sort(),
        runs
          .filter((r) => r.mine)
          .map((r) => runKeyText(r.run))
          .sort(),
      );
      const rest = await store.claimDueTimers({
        owner: 'node-2',
        now: T0 + 1000,
        leaseMs: 1000,
        limit: 100,
      });
      assert.equal(rest.length, runs.filter((r) => !r.mine).length, 'the others stay unclaimed');
    },
  },
  {
    name: 'shards: listOutbox with shards pages only the rows of runs of those shards',
    tags: ['outbox', 'shards'],
    async run({ store }) {
      const { runs, mine } = await runsOverShards(store);
      for (const { run } of runs) {
        const rows = ['m1', 'm2'].map((id) => outboxRow(run, `${run.runId}-${id}`));
        await store.commit([{ run, expectedSeq: 1, events: [], outbox: { add: rows } }]);
      }
      const seen: string[] = [];
      let after: { namespace: string; id: string } | undefined;
      for (let page = 0; page < 40; page++) {
        const rows = await store.listOutbox({
          limit: 3,
          shards: mine,
          ...(after ? { after } : {}),
        });
        seen.push(...rows.map((o) => `${o.namespace}/${o.id}`));
        if (rows.length < 3) break;
        after = rows[rows.length - 1]!;
      }
      const expected = runs
        .filter((r) => r.mine)
        .flatMap((r) => ['m1', 'm2'].map((id) => `${r.run.namespace}/${r.run.runId}-${id}`))
        .sort((a, b) => (a < b ? -1 : 1));
      assert.deepStrictEqual(seen, expected);
      assert.deepStrictEqual(await store.listOutbox({ limit: 10, shards: [] }), []);
    },
  },
  {
    name: 'shards: expireLeases with owners expires only the task leases and timer claims of those owners',
    tags: ['tasks', 'timers', 'leases', 'shards'],
    async run({ store }) {
      const { run } = await startRun(store);
      const owners = ['dead-1', 'dead-2', 'live'];
      await enqueue(
        store,
        run,
        1,
        owners.map((owner) => ({
          ...taskRow(run, owner),
          leaseOwner: owner,
          leaseUntil: T0 + 10_000,
        })),
      );
      await setTimers(
        store,
        run,
        1,
        owners.map((o) => timerRow(run, o, T0)),
      );
      for (const owner of owners) {
        await store.claimDueTimers({ owner, now: T0, leaseMs: 10_000, limit: 1 });
      }
      const expired = await store.expireLeases({
        exceptOwner: 'someone-else',
        now: T0 + 5,
        owners: ['dead-1', 'dead-2'],
      });
      assert.deepStrictEqual(expired, { tasks: 2, timers: 2 });
      const tasks = await claim(store, { now: T0 + 5, owner: 'next' });
      assert.deepStrictEqual(tasks.map((t) => t.activityId).sort(), ['dead-1', 'dead-2']);
      const timers = await store.claimDueTimers({
        owner: 'next',
        now: T0 + 5,
        leaseMs: 1000,
        limit: 10,
      });
      assert.deepStrictEqual(
        timers.map((t) => t.timerId).sort(),
        ['dead-1', 'dead-2'],
        'the live owner keeps its claim',
      );
      assert.deepStrictEqual(
        await store.expireLeases({ exceptOwner: 'x', now: T0 + 6, owners: [] }),
        { tasks: 0, timers: 0 },
      );
    },
  },
];
