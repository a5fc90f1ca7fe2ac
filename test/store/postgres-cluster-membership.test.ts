/**
 * Cluster membership of the PostgreSQL store: nodes that join share the shards (disjoint,
 * together all of them), a node joining takes its share through handoffs, a dead node's
 * shards are adopted once its leases expire, a drain hands everything off, commits are fenced
 * per shard (a shard not held is refused with `shard_moved` and the others commit), and the
 * single and cluster modes refuse each other.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsFor, makeRunKey, startRun } from '../../src/store/conformance/fixtures.js';
import { machineIdentity, type NodeIdentity, type ShardObserver } from '../../src/store/index.js';
import { shardOf } from '../../src/store/shared/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { waitFor } from '../support/wait.js';
import { PG_URL, SKIP_PG } from './harnesses.js';

const schemas: string[] = [];
const stores: PostgresStore[] = [];
const TTL = 900;

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

async function open(schema: string): Promise<PostgresStore> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 3 });
  stores.push(store);
  return store;
}

function identity(mode: 'single' | 'cluster' = 'cluster'): NodeIdentity {
  return {
    nodeId: `node-${randomUUID().slice(0, 8)}`,
    host: 'test',
    pid: process.pid,
    ...machineIdentity(),
    mode,
  };
}

function freshSchema(): string {
  const schema = `aion_c_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  return schema;
}

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Records what the membership tells the node. */
function recorder(): ShardObserver & {
  acquiredLog: number[][];
  deadLog: string[][];
  handedOff: number[];
  lostLog: number[];
} {
  const r = {
    acquiredLog: [] as number[][],
    deadLog: [] as string[][],
    handedOff: [] as number[],
    lostLog: [] as number[],
    acquired: async (shards: readonly number[], dead: readonly string[]) => {
      r.acquiredLog.push([...shards]);
      r.deadLog.push([...dead]);
    },
    handOff: async (shards: readonly number[]) => {
      r.handedOff.push(...shards);
    },
    lostShards: (shards: readonly number[]) => {
      r.lostLog.push(...shards);
    },
  };
  return r;
}

/** A run key on `shard`. */
function runOn(shard: number): ReturnType<typeof makeRunKey> {
  for (let i = 0; ; i++) {
    const key = makeRunKey({ workflowId: `on-${shard}-${i}` });
    if (shardOf(key.namespace, key.workflowId, 64) === shard) return key;
  }
}

describe.skipIf(SKIP_PG)('PostgreSQL cluster membership', () => {
  it('spreads the shards over the nodes that join, through handoffs, and back on a drain', async () => {
    const schema = freshSchema();
    const [a, b, c] = [await open(schema), await open(schema), await open(schema)];
    const [ra, rb, rc] = [recorder(), recorder(), recorder()];
    await a.membership.join(identity(), TTL, ra);
    expect(a.membership.held()).toHaveLength(64);
    await b.membership.join(identity(), TTL, rb);
    await c.membership.join(identity(), TTL, rc);
    const spread = (): boolean => {
      const all = [a, b, c].map((s) => s.membership.held());
      const union = new Set(all.flat());
      return union.size === 64 && all.flat().length === 64 && all.every((h) => h.length > 0);
    };
    await waitFor(spread, { timeoutMs: 30_000, what: 'the shards spread over three nodes' });
    expect(ra.handedOff.length).toBeGreaterThan(0);
    const status = await a.membership.status();
    expect(status.nodes.map((n) => n.mode)).toEqual(['cluster', 'cluster', 'cluster']);

    await a.membership.drain();
    expect(a.membership.held()).toEqual([]);
    expect((await b.membership.status()).nodes.filter((n) => n.draining)).toHaveLength(1);
    await waitFor(() => b.membership.held().length + c.membership.held().length === 64, {
      timeoutMs: 30_000,
      what: 'the drained shards taken by the others',
    });
  });

  it('adopts the shards of a dead node once its leases expire, naming it', async () => {
    const schema = freshSchema();
    const a = await open(schema);
    await a.membership.shardCount(); // migrates
    // A node on another machine held shards 0-9 and stopped beating.
    await sql(
      `INSERT INTO "${schema}".nodes (node_id, mode, host, pid, machine, pid_namespace, heartbeat_at)
         VALUES ('ghost', 'cluster', 'elsewhere', 1, 'host:elsewhere', 'x', now() - interval '1 min')`,
    );
    await sql(
      `UPDATE "${schema}".shard_leases SET owner = 'ghost', epoch = 7, lease_until = now() + interval '8 s'
        WHERE shard < 10`,
    );
    const ra = recorder();
    await a.membership.join(identity(), TTL, ra);
    // The ghost's leases still run (8 s: a join on a loaded box can take seconds).
    expect(a.membership.held()).toHaveLength(54);
    await waitFor(() => a.membership.held().length === 64, {
      timeoutMs: 30_000,
      what: 'the expired shards adopted',
    });
    const seen = { acquired: ra.acquiredLog, dead: ra.deadLog, lost: ra.lostLog };
    expect(ra.deadLog.flat(), `the membership's reports: ${JSON.stringify(seen)}`).toContain(
      'ghost',
    );
    const leases = (await a.membership.status()).leases;
    expect(leases.filter((l) => l.shard < 10).every((l) => l.epoch === 8)).toBe(true);
  });

  it('fences commits per shard: a shard not held is refused, a shard taken is lost, the rest commit', async () => {
    const schema = freshSchema();
    const a = await open(schema);
    await a.membership.shardCount();
    // Shard 5 is leased to a node elsewhere (whose heartbeat is late, so the shards are not
    // balanced toward it); a takes the others.
    await sql(
      `INSERT INTO "${schema}".nodes (node_id, mode, host, pid, machine, pid_namespace, heartbeat_at)
         VALUES ('other', 'cluster', 'elsewhere', 1, 'host:elsewhere', 'x', now() - interval '10 min')`,
    );
    await sql(
      `UPDATE "${schema}".shard_leases SET owner = 'other', epoch = 3, lease_until = now() + interval '1 hour'
        WHERE shard = 5`,
    );
    const ra = recorder();
    await a.membership.join(identity(), 60_000, ra);
    expect(a.membership.held()).toHaveLength(63);
    expect(a.membership.held()).not.toContain(5);
    const away = runOn(5);
    const home = runOn(6);
    const [refused, ok] = await a.commit([
      { run: away, expectedSeq: 0, events: eventsFor(away, 1, 1) },
      { run: home, expectedSeq: 0, events: eventsFor(home, 1, 1) },
    ]);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'store_locked', details: { reason: 'shard_moved', shards: [5] } },
    });
    expect(ok).toEqual({ ok: true, headSeq: 1 });
    expect(await a.getRun(away)).toBeUndefined();

    // Shard 6 is taken over behind a's back (a froze past its lease): its next commit is
    // refused and the shard reported lost; other shards still commit.
    await sql(
      `UPDATE "${schema}".shard_leases SET owner = 'other', epoch = epoch + 1, lease_until = now() + interval '1 hour'
        WHERE shard = 6`,
    );
    await expect(
      a.commit([{ run: home, expectedSeq: 1, events: eventsFor(home, 2, 1) }]),
    ).rejects.toMatchObject({ code: 'store_locked', details: { reason: 'shard_moved' } });
    expect(ra.lostLog).toEqual([6]);
    expect(a.membership.held()).not.toContain(6);
    expect(await a.headSeq(home)).toBe(1);
    const { run } = await startRun(a, { run: runOn(7) });
    expect(await a.headSeq(run)).toBe(1);
  });

  it('refuses to mix a single-node engine and cluster nodes on one store', async () => {
    const schema = freshSchema();
    const [a, b] = [await open(schema), await open(schema)];
    expect(await a.membership.claimAll(identity('single'), 60_000)).toMatchObject({ ok: true });
    await expect(b.membership.join(identity(), TTL, recorder())).rejects.toMatchObject({
      code: 'store_locked',
      details: { reason: 'node_alive' },
    });
    await a.membership.release();
    await b.membership.join(identity(), TTL, recorder());
    const refused = await a.membership.claimAll(identity('single'), 60_000);
    expect(refused.ok).toBe(false);
  });
});
