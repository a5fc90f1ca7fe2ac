/**
 * Three engines in cluster mode on one PostgreSQL schema (in one process, each with its own
 * store): the shards spread over them; any engine starts, signals, queries, updates and waits
 * for any run, whichever node drives it; every activity runs once; a node that stops hands
 * its shards to the others, which finish its runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { quiet } from '../support/quiet-logger.js';
import { waitFor } from '../support/wait.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const schema = `aion_cl_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const engines: Engine[] = [];
const stores: PostgresStore[] = [];
/** Executions of each activity (workflow id / step), across every node. */
const executions = new Map<string, number>();
/** The kinds of messages nodes sent each other. */
const crossed = new Set<string>();

afterAll(async () => {
  for (const e of engines) await e.shutdown().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

async function node(): Promise<{ engine: Engine; store: PostgresStore }> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  stores.push(store);
  const inbox = store.inbox;
  const send = inbox.send.bind(inbox);
  inbox.send = (shard, kind, body) => {
    crossed.add(kind);
    return send(shard, kind, body);
  };
  const engine = await createEngine({
    store,
    workflowsPath,
    logger: process.env.AION_TEST_LOG
      ? {
          debug: () => undefined,
          info: (m, f) => console.log('INFO', m, JSON.stringify(f)),
          warn: (m, f) => console.log('WARN', m, JSON.stringify(f)),
          error: (m, f) => console.log('ERROR', m, JSON.stringify(f)),
        }
      : quiet,
    cluster: true,
    leaseTtlMs: 1_500,
    activities: {
      step: async (workflowId: string, i: number) => {
        const k = `${workflowId}/${i}`;
        executions.set(k, (executions.get(k) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5));
        return `${i}`;
      },
    },
  });
  engines.push(engine);
  return { engine, store };
}

describe.skipIf(SKIP_PG)('engines in cluster mode on one PostgreSQL schema', () => {
  it('serve every run from every node, and hand runs over when a node stops', async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    const spread = (): boolean =>
      [a, b, c].every((n) => n.store.membership.held().length > 0) &&
      [a, b, c].reduce((sum, n) => sum + n.store.membership.held().length, 0) === 64;
    await waitFor(spread, { timeoutMs: 60_000, what: 'the shards spread over three nodes' });

    const ids = Array.from({ length: 24 }, (_, i) => `chatty-${i}`);
    const nodes = [a, b, c];
    // Started on one node, driven by whichever holds the shard.
    const handles = await Promise.all(
      ids.map((id, i) =>
        nodes[i % 3]!.engine.client.workflow.start('chatty', { workflowId: id, args: [id, 3] }),
      ),
    );
    // Queried and updated through another node, before the signal releases them.
    for (const [i, id] of ids.entries()) {
      const h = nodes[(i + 1) % 3]!.engine.client.workflow.getHandle(id);
      expect(await h.query('progress')).toBe(0);
      expect(await h.executeUpdate('bump', { args: [10] })).toBe(10);
    }
    // Signalled through a third node.
    await Promise.all(
      ids.map((id, i) => nodes[(i + 2) % 3]!.engine.client.workflow.getHandle(id).signal('go', 1)),
    );
    // Half finish while all three nodes serve; then a stops and hands its shards off.
    const firstHalf = await Promise.all(
      handles
        .slice(0, 12)
        .map((h, i) => nodes[(i + 1) % 3]!.engine.client.workflow.getHandle(h.workflowId).result()),
    );
    expect(firstHalf).toEqual(Array.from({ length: 12 }, () => '0,1,2|11'));
    await a.engine.shutdown();
    expect(a.store.membership.held()).toEqual([]);
    await waitFor(
      () => b.store.membership.held().length + c.store.membership.held().length === 64,
      {
        timeoutMs: 60_000,
        what: 'the stopped node\u2019s shards taken over',
      },
    );
    const rest = await Promise.all(
      ids.slice(12).map((id, i) => [b, c][i % 2]!.engine.client.workflow.getHandle(id).result()),
    );
    expect(rest).toEqual(Array.from({ length: 12 }, () => '0,1,2|11'));
    for (const id of ids) for (let i = 0; i < 3; i++) expect(executions.get(`${id}/${i}`)).toBe(1);
    // Calls did cross nodes: starts, signals, updates and queries went through the inbox.
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const kinds = await client.query<{ kind: string; n: string; open: string }>(
      `SELECT kind, count(*) AS n, count(*) FILTER (WHERE done_at IS NULL) AS open
         FROM "${schema}".inbox GROUP BY kind ORDER BY kind`,
    );
    await client.end();
    // Read outcomes are deleted by their senders; what is left is answered.
    expect(kinds.rows.every((r) => Number(r.open) === 0)).toBe(true);
    expect([...crossed].sort()).toEqual(['arrival', 'start', 'validate', 'query'].sort());
  });

  it('runs schedules on the node of their id, whichever node their calls reach', async () => {
    const nodes = engines.slice(-2); // the two nodes still serving
    const [b, c] = nodes as [Engine, Engine];
    const ids = ['sched-a', 'sched-b', 'sched-c', 'sched-d'];
    for (const [i, id] of ids.entries()) {
      await nodes[i % 2]!.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1 hour' }] },
        action: { type: 'startWorkflow', workflowType: 'quick', args: [id] },
        policies: { overlap: 'ALLOW_ALL' },
      });
    }
    for (const [i, id] of ids.entries()) {
      const h = nodes[(i + 1) % 2]!.client.schedule.getHandle(id);
      await h.trigger();
      await h.trigger();
    }
    for (const id of ids) {
      await waitFor(
        async () => {
          const d = await b.client.schedule.getHandle(id).describe();
          return d.info.numActionsTaken === 2 && d.info.runningActions.length === 0;
        },
        { timeoutMs: 60_000, what: `schedule ${id} to take and finish two actions` },
      );
    }
    await c.client.schedule.getHandle('sched-a').pause('done');
    expect((await b.client.schedule.getHandle('sched-a').describe()).state.paused).toBe(true);
  });

  it('uses a package deployed on one node for starts on the others within a bound', async () => {
    const [b, c] = engines.slice(-2) as [Engine, Engine];
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-cluster-deploy-'));
    const archiveOf = async (tag: string): Promise<Uint8Array> => {
      const file = path.join(dir, `${tag}.ts`);
      writeFileSync(file, `export async function tagged(): Promise<string> { return '${tag}'; }\n`);
      return (await buildPackage({ workflowsPath: file, name: 'tagged' })).archive;
    };
    const startedOn = async (e: Engine): Promise<unknown> => {
      for (let i = 0; ; i++) {
        try {
          return await e.client.workflow.execute('tagged', {
            workflowId: `tagged-${randomUUID()}`,
          });
        } catch (err) {
          if ((err as { code?: string }).code !== 'unknown_workflow_type' || i > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    await b.deploy(await archiveOf('v1'));
    expect(await startedOn(c)).toBe('v1');
    await b.deploy(await archiveOf('v2'));
    await waitFor(async () => (await startedOn(c)) === 'v2', {
      timeoutMs: 30_000,
      what: 'the other node to start the new version',
    });
  });
});
