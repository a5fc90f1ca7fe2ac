/**
 * Remote workers in cluster mode (two engines on one PostgreSQL schema, in one process): a
 * worker connected to one node gets the tasks of runs another node drives (that node's
 * scheduling commit wakes nothing on the worker's node), and its claims name the node, so a
 * survivor adopting the node's shards after its death can void them.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { RemoteTask } from '../../src/engine/index.js';
import { shardOf } from '../../src/store/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { quiet } from '../support/quiet-logger.js';
import { waitFor } from '../support/wait.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const schema = `aion_rw_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
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

/** A cluster node with no activities of its own: remote workers run them. */
async function node(): Promise<{ engine: Engine; store: PostgresStore }> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  stores.push(store);
  const engine = await createEngine({
    store,
    workflowsPath,
    logger: quiet,
    cluster: true,
    leaseTtlMs: 1_500,
  });
  engines.push(engine);
  return { engine, store };
}

describe.skipIf(SKIP_PG)('remote workers in cluster mode', () => {
  it('a worker on one node runs the tasks of runs another node drives; its claims name the node', async () => {
    const [a, b] = [await node(), await node()];
    await waitFor(
      () =>
        a.store.membership.held().length > 0 &&
        b.store.membership.held().length > 0 &&
        a.store.membership.held().length + b.store.membership.held().length === 64,
      { timeoutMs: 60_000, what: 'the shards spread over two nodes' },
    );
    const onA = new Set(a.store.membership.held());
    const id = Array.from({ length: 500 }, (_, i) => `remote-${i}`).find((w) =>
      onA.has(shardOf('default', w, 64)),
    )!;
    const tasks: RemoteTask[] = [];
    const session = b.engine.connectWorker(
      {
        namespace: 'default',
        taskQueue: 'default',
        activityTypes: ['step'],
        identity: 'worker-on-b',
        maxConcurrent: 4,
      },
      { task: (t) => void tasks.push(t), cancel: () => undefined },
    );
    // Started and released on node a, which drives the run; the worker is on node b only.
    const handle = await a.engine.client.workflow.start('chatty', {
      workflowId: id,
      args: [id, 2],
    });
    await handle.signal('go', 1);
    await waitFor(() => tasks.length === 1, {
      timeoutMs: 30_000,
      what: 'node b to hand the worker the first task',
    });
    const nodeB = (await b.engine.storeNodes()).nodeId;
    const run = await a.store.getCurrentRun('default', id);
    const [leased] = await a.store.listTasks(run!);
    expect(leased?.leaseOwner).toBe(nodeB);
    expect(await session.result(tasks[0]!.taskToken, { type: 'completed', result: 'x0' })).toBe(
      'accepted',
    );
    await waitFor(() => tasks.length === 2, { timeoutMs: 30_000, what: 'the second task' });
    expect(await session.result(tasks[1]!.taskToken, { type: 'completed', result: 'x1' })).toBe(
      'accepted',
    );
    expect(await handle.result()).toBe('x0,x1|1');
    session.close('done');
  });
});
