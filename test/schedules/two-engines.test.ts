/**
 * A schedule on PostgreSQL while its timer fires and bursts of concurrent triggers race, from
 * two handles: every fire starts exactly one workflow and no scheduled time is fired twice or
 * lost. A second engine on the same schema is refused while the first serves it (one node per
 * store; see docs/adr/0013-node-leases-and-fencing.md).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Store } from '../../src/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { quiet } from '../support/quiet-logger.js';
import { PG_URL } from '../store/harnesses.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const schema = `aion_s2_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const engines: Engine[] = [];
const stores: Store[] = [];

afterAll(async () => {
  for (const e of engines) await e.shutdown().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

async function engine(): Promise<Engine> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  stores.push(store);
  const e = await createEngine({ store, workflowsPath, logger: quiet });
  engines.push(e);
  return e;
}

const until = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('a schedule on PostgreSQL under concurrent triggers', () => {
  it('starts exactly one workflow per fire while it fires and is triggered', async () => {
    const a = await engine();
    await expect(engine()).rejects.toMatchObject({
      code: 'store_locked',
      details: { reason: 'node_alive' },
    });
    const b = a;
    const handleA = await a.client.schedule.create({
      scheduleId: 'shared',
      spec: { intervals: [{ every: '1 second' }] },
      action: { type: 'startWorkflow', workflowType: 'held', args: [10] },
      policies: { overlap: 'ALLOW_ALL', catchupWindow: '1 hour' },
    });
    const handleB = b.client.schedule.getHandle('shared');
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        handleA.trigger(),
        handleB.trigger(),
        handleA.trigger(),
        handleB.trigger(),
      ]);
    }
    await until(
      async () => (await handleA.describe()).info.numActionsTaken >= 26,
      'six scheduled fires and twenty triggers',
    );
    await handleB.pause('check');
    await until(
      async () => (await handleA.describe()).info.runningActions.length === 0,
      'the actions to finish',
    );
    const store = stores[0]!;
    const fires = await store.listScheduleFires({
      namespace: 'default',
      scheduleId: 'shared',
      limit: 1000,
    });
    const started = fires.filter((f) => f.outcome === 'started');
    expect(started.filter((f) => f.kind === 'trigger').length).toBe(20);
    const list = await a.client.workflow.list({ query: "WorkflowType = 'held'", pageSize: 1000 });
    const ids = list.items.map((r) => r.workflowId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(started.length);
    // Scheduled fires: every second from the first to the last, each once.
    const scheduled = started
      .filter((f) => f.kind === 'scheduled')
      .map((f) => f.nominalAt)
      .sort((x, y) => x - y);
    for (let i = 1; i < scheduled.length; i++) expect(scheduled[i]! - scheduled[i - 1]!).toBe(1000);
    const d = await handleA.describe();
    expect(d.info.numActionsTaken).toBe(started.length);
  });
});
