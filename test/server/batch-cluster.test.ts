// Batch jobs across a cluster: two `--cluster` servers on one PostgreSQL schema. A job started
// on one node is listed, described and stopped from the other; a job whose node shuts down
// while it runs is resumed by the other node and changes each run once.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection, type BatchJobInfo } from '../../src/client/index.js';
import type { Store } from '../../src/store/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';
import { waitFor } from '../support/wait.js';
import { startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const schema = `aion_bc_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

afterAll(async () => {
  for (const t of servers) await t.stop().catch(() => undefined);
  if (SKIP_PG) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

async function clientOf(server: TestServer): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: server.url }) });
}

describe.skipIf(SKIP_PG)('batch jobs in a cluster', () => {
  it('are seen from every node, and resumed by another node when theirs shuts down', async () => {
    const open = () => openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
    // The first node's run listings wait while `gate` is set (a job's runner lists its runs
    // first), and it changes one run at a time, so its jobs are caught while they run.
    let gate: Promise<void> | undefined;
    const gated = async (): Promise<Store> => {
      const store = await open();
      return new Proxy(store, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          if (prop !== 'listRuns' || typeof value !== 'function') {
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          }
          return async (...args: Parameters<Store['listRuns']>) => {
            await gate;
            return target.listRuns(...args);
          };
        },
      });
    };
    const a = await startTestServer({ store: gated, cluster: {}, config: { batchConcurrency: 1 } });
    const b = await startTestServer({ store: open, cluster: {} });
    servers.push(a, b);
    const [ca, cb] = [await clientOf(a), await clientOf(b)];

    const runs = 200;
    for (let i = 0; i < runs; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          ca.workflow.start('counter', { workflowId: `bc-${i + k}`, args: [0] }),
        ),
      );
    }
    const query = "WorkflowType = 'counter' AND ExecutionStatus = 'RUNNING'";
    // A stop requested on the other node reaches the runner through the store: the job
    // closes as CANCELLED before it changed any run.
    let release = (): void => undefined;
    gate = new Promise((resolve) => (release = resolve));
    await ca.batch.start({
      jobId: 'stop-me',
      query,
      operation: { type: 'signal', signal: 'add', args: [5] },
    });
    await cb.batch.stop('stop-me');
    release();
    gate = undefined;
    let stopped: BatchJobInfo | undefined;
    await waitFor(
      async () => {
        stopped = await cb.batch.describe('stop-me');
        return stopped.state !== 'RUNNING';
      },
      { what: 'the stopped job closed' },
    );
    expect(stopped).toMatchObject({ state: 'CANCELLED', matched: runs, succeeded: 0 });

    const started = await ca.batch.start({
      jobId: 'add-1',
      query,
      operation: { type: 'signal', signal: 'add', args: [1] },
    });
    expect(started).toMatchObject({ jobId: 'add-1', state: 'RUNNING' });

    // The other node lists and describes it, with the progress the runner wrote.
    expect((await cb.batch.list()).map((j) => j.jobId)).toContain('add-1');
    let seen: BatchJobInfo | undefined;
    await waitFor(
      async () => {
        seen = await cb.batch.describe('add-1');
        return seen.matched > 0;
      },
      { what: 'progress of the job seen from the other node' },
    );
    expect(seen).toMatchObject({ state: 'RUNNING', namespace: 'default', matched: runs });

    // The first node shuts down mid-job: the other one resumes it and completes it.
    servers.splice(servers.indexOf(a), 1);
    await a.stop();
    const handedOver = await cb.batch.describe('add-1');
    expect(handedOver.state, 'the job was still running when its node stopped').toBe('RUNNING');
    let done: BatchJobInfo | undefined;
    await waitFor(
      async () => {
        done = await cb.batch.describe('add-1');
        return done.state !== 'RUNNING';
      },
      { timeoutMs: 120_000, what: 'the job resumed and completed on the other node' },
    );
    expect(done).toMatchObject({ state: 'COMPLETED', matched: runs, failed: 0 });
    // Each run got the job's signal exactly once (signals carry the request id jobId/runId).
    for (let i = 0; i < runs; i += 20) {
      const counts = await Promise.all(
        Array.from({ length: 20 }, (_, k) => cb.getHandle(`bc-${i + k}`).query('count')),
      );
      expect(counts).toEqual(Array.from({ length: 20 }, () => 1));
    }
  }, 240_000);
});
