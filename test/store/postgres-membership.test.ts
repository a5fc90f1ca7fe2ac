/**
 * Node rows and shard leases of the PostgreSQL store: a claim takes every shard with a new
 * epoch; a live holder is refused; a released store is claimed at once; once another node
 * has taken the shards over, the old node's commits are fenced (nothing written, in both the
 * single-statement and the transactional commit paths) and the old store refuses every call.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import {
  eventsFor,
  makeRunKey,
  startRun,
  T0,
  terminalEvent,
  timerRow,
} from '../../src/store/conformance/fixtures.js';
import { machineIdentity, type NodeIdentity } from '../../src/store/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { PG_URL, SKIP_PG } from './harnesses.js';

const schemas: string[] = [];
const stores: PostgresStore[] = [];

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

function identity(): NodeIdentity {
  return {
    nodeId: `node-${randomUUID().slice(0, 8)}`,
    host: 'test',
    pid: process.pid,
    ...machineIdentity(),
    mode: 'single',
  };
}

async function freshSchema(): Promise<string> {
  const schema = `aion_m_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  return schema;
}

async function expireLeases(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`UPDATE "${schema}".shard_leases SET lease_until = now() - interval '1 s'`);
  await client.end();
}

describe.skipIf(SKIP_PG)('PostgreSQL node leases', () => {
  it('claims every shard with a new epoch, refuses a live holder, and hands over on release', async () => {
    const schema = await freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    const nodeA = identity();
    const claimed = await a.membership.claimAll(nodeA, 60_000);
    expect(claimed).toEqual({ ok: true, shards: 64, tookOverFrom: [] });
    const status = await a.membership.status();
    expect(status.shardCount).toBe(64);
    expect(status.nodes.map((n) => n.nodeId)).toEqual([nodeA.nodeId]);
    expect(status.leases.every((l) => l.owner === nodeA.nodeId && l.epoch === 1)).toBe(true);
    expect(status.leases.every((l) => l.until! > status.now)).toBe(true);

    const refused = await b.membership.claimAll(identity(), 60_000);
    expect(refused).toMatchObject({ ok: false, holderId: nodeA.nodeId, holder: nodeA });

    await a.membership.release();
    const after = await b.membership.status();
    expect(after.nodes).toEqual([]);
    expect(after.leases.every((l) => l.owner === undefined && l.epoch === 1)).toBe(true);
    const nodeB = identity();
    expect(await b.membership.claimAll(nodeB, 60_000)).toMatchObject({ ok: true });
    expect((await b.membership.status()).leases.every((l) => l.epoch === 2)).toBe(true);
    // Unfenced stores (tools) still write: the run lands, under b's leases.
    await startRun(a);
  });

  it('fences the old owner once its shards are taken over: nothing written, every later call refused', async () => {
    const schema = await freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    await a.membership.claimAll(identity(), 60_000);
    const { run } = await startRun(a); // a commits while it owns the shards
    await expireLeases(schema); // a froze past its lease (its renewals are 20 s apart)
    const nodeB = identity();
    expect(await b.membership.claimAll(nodeB, 60_000)).toMatchObject({ ok: true });

    // The single-statement path (a new run) and the transactional path (side effects).
    const fresh = makeRunKey();
    const err = await startRun(a, { run: fresh }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAionError(err) && err.code).toBe('store_locked');
    expect(isAionError(err) && err.details).toMatchObject({ reason: 'lease_lost' });
    expect(await b.getRun(fresh)).toBeUndefined();
    await expect(a.getRun(run)).rejects.toMatchObject({ code: 'store_locked' });
    expect(a.membership.lost).toBeDefined();

    // The new owner writes.
    await b.append(run, [terminalEvent(2, T0 + 5)], 1);
    expect((await b.getRun(run))?.status).toBe('COMPLETED');
  });

  it('fences a transactional commit (timers and tasks ride along) the same way', async () => {
    const schema = await freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    await a.membership.claimAll(identity(), 60_000);
    const { run } = await startRun(a);
    await expireLeases(schema);
    await b.membership.claimAll(identity(), 60_000);
    const outcome = a.commit([
      {
        run,
        expectedSeq: 1,
        events: eventsFor(run, 2, 1),
        timers: { upsert: [timerRow(run, 't', T0 + 1000)] },
      },
    ]);
    await expect(outcome).rejects.toMatchObject({ code: 'store_locked' });
    expect(await b.headSeq(run)).toBe(1);
    expect(await b.listTimers(run)).toEqual([]);
  });
});
