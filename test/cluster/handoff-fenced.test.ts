/**
 * A handoff waits for the commits in flight of the runs it moves. When such a commit is refused
 * because the shard was taken meanwhile (the node was paused past its lease, then thawed), the
 * run leaves memory on the way: the handoff must still finish, or the node's beat waits for it
 * forever and the node never renews, hands off or claims anything again.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { rendezvousOwner, shardOf } from '../../src/store/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { quiet } from '../support/quiet-logger.js';
import { waitFor } from '../support/wait.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const schema = `aion_hf_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const engines: Engine[] = [];
const stores: PostgresStore[] = [];

afterAll(async () => {
  for (const e of engines) await e.shutdown().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** While set, commits of this workflow wait for `gate` (the engine keeps the store's methods). */
let gated: { workflowId: string; gate: Promise<void>; reached: boolean } | undefined;

async function node(): Promise<{ engine: Engine; store: PostgresStore }> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  stores.push(store);
  const commit = store.commit.bind(store);
  store.commit = async (batch, audit) => {
    const g = gated;
    if (g && batch.some((c) => c.run.workflowId === g.workflowId)) {
      g.reached = true;
      await g.gate;
    }
    return commit(batch, audit);
  };
  const engine = await createEngine({
    store,
    workflowsPath,
    logger: quiet,
    cluster: true,
    leaseTtlMs: 3_000,
    activities: { step: (_id: string, i: number) => Promise.resolve(`${i}`) },
  });
  engines.push(engine);
  return { engine, store };
}

describe.skipIf(SKIP_PG)('a handoff whose run finds its shard moved', () => {
  it('finishes, and the run’s input reaches the shard’s new owner', async () => {
    const [a, b] = [await node(), await node()];
    // Settled: each node holds exactly the shards rendezvous hashing gives it (a node that
    // has not yet seen the other may hold every shard for a moment).
    const ids = [(await a.engine.storeNodes()).nodeId!, (await b.engine.storeNodes()).nodeId!];
    const settled = (n: { store: PostgresStore }, id: string): boolean => {
      const held = new Set(n.store.membership.held());
      return Array.from({ length: 64 }, (_, s) => s).every(
        (s) => held.has(s) === (rendezvousOwner(s, ids) === id),
      );
    };
    await waitFor(() => settled(a, ids[0]!) && settled(b, ids[1]!), {
      timeoutMs: 60_000,
      what: 'the shards spread over two nodes',
    });
    const onA = new Set(a.store.membership.held());
    const id = Array.from({ length: 500 }, (_, i) => `moved-${i}`).find((w) =>
      onA.has(shardOf('default', w, 64)),
    )!;
    const shard = shardOf('default', id, 64);
    const handle = await a.engine.client.workflow.start('chatty', {
      workflowId: id,
      args: [id, 1],
    });
    await waitFor(async () => (await handle.describe()).historyLength >= 2, {
      what: 'the run to wait for its signal',
    });

    // Node a's next commit of the run waits at the gate.
    let release!: () => void;
    const g = { workflowId: id, gate: new Promise<void>((r) => (release = r)), reached: false };
    gated = g;
    const signalled = handle.signal('go', 1);
    await waitFor(() => g.reached, { what: 'the signal commit to reach the gate' });

    // Drained, node a hands its shards off: the handoff waits for that commit.
    const nodeA = (await a.engine.storeNodes()).nodeId!;
    await a.engine.drainNode(nodeA);
    // The drain starts at node a's next beat (every ttl / 3 = 1 s): let two go by, so the
    // handoff is waiting for the held commit when the shard is taken.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(a.store.membership.held().length).toBe(onA.size);
    // Meanwhile the run's shard is taken from it (as after a pause past the lease).
    const sql = new pg.Client({ connectionString: PG_URL });
    await sql.connect();
    await sql.query(
      `UPDATE "${schema}".shard_leases SET epoch = epoch + 1, lease_until = now() WHERE shard = $1`,
      [shard],
    );
    await sql.end();
    gated = undefined;
    release();

    await waitFor(() => a.store.membership.held().length === 0, {
      timeoutMs: 30_000,
      what: 'node a to finish handing its shards off',
    });
    await signalled;
    expect(await b.engine.client.workflow.getHandle(id).result()).toBe('0|1');
  });
});
