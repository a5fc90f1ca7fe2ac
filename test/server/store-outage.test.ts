/**
 * `aion server --store postgres://…` (a real process, `npm run build` first) on a private
 * PostgreSQL cluster: connections terminated under load, then the database stopped for ~7 s.
 * The process stays up; `/readyz` answers 503 `store_unavailable` during the outage and 200
 * once the database is back; requests fail with 503 meanwhile; every run completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import { spawnAion, type AionProcess } from '../support/aion-process.js';
import {
  canRunPrivatePostgres,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres.js';

const workflows = new URL('../engine/fixtures/fault-workflows.ts', import.meta.url).pathname;
const activities = new URL('./fixtures/fault-activities.ts', import.meta.url).pathname;

let pg: PrivatePostgres | undefined;
let server: AionProcess | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  pg = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGKILL');
  await pg?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function listening(p: AionProcess): Promise<string> {
  return until(
    'the server to listen',
    async () => {
      if (p.child.exitCode !== null) throw new Error(`server exited:\n${p.stderr()}`);
      return /listening on (http:\/\/\S+)/.exec(p.stderr())?.[1];
    },
    60_000,
  );
}

async function readyz(url: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, ...(body.code ? { code: body.code } : {}) };
}

describe.skipIf(!canRunPrivatePostgres())('aion server on PostgreSQL faults', () => {
  it('stays up through terminated connections and an outage; /readyz follows the store', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-faults-'));
    const p = spawnAion([
      'server',
      '--port',
      '0',
      '--no-auth',
      '--data-dir',
      dataDir,
      '--store',
      pg!.url,
      '--workflows',
      workflows,
      '--activities',
      activities,
    ]);
    server = p;
    const url = await listening(p);
    const client = new Client({ connection: await Connection.connect({ address: url }) });
    const retried = <T>(fn: () => Promise<T>): Promise<T> =>
      until('a request to succeed', () => fn().then((v) => v ?? (true as T)));
    const start = (ids: readonly string[]): Promise<unknown> =>
      Promise.all(
        ids.map((id) =>
          retried(() =>
            client.workflow.start('faulty', { workflowId: id, args: [id, 2], requestId: id }),
          ),
        ),
      );
    const signal = (ids: readonly string[]): Promise<unknown> =>
      Promise.all(
        ids.map((id) =>
          retried(() => client.getHandle(id).signalWithRequestId(`go-${id}`, 'go', 'done')),
        ),
      );
    const completed = (ids: readonly string[]): Promise<true> =>
      until(
        'every run to complete',
        async () => {
          for (const id of ids)
            if ((await client.getHandle(id).describe()).status !== 'COMPLETED') return undefined;
          return true;
        },
        120_000,
      );

    // Connections terminated under load: batches of 40 runs, until at least three rounds of
    // terminations fell while one was in flight (a fast machine finishes a batch in less).
    let stop = false;
    let rounds = 0;
    const killer = (async () => {
      while (!stop) {
        await sleep(250);
        await pg!.terminateBackends().catch(() => 0);
        rounds++;
      }
    })();
    try {
      for (let batch = 0; rounds <= 2; batch++) {
        const ids = Array.from({ length: 40 }, (_, i) => `s-${batch}-${i}`);
        await start(ids);
        await signal(ids);
        await completed(ids);
      }
    } finally {
      stop = true;
      await killer;
    }
    expect(rounds).toBeGreaterThan(2);
    expect(p.child.exitCode).toBeNull();

    // The database stops for about 7 s.
    const second = Array.from({ length: 20 }, (_, i) => `o-${i}`);
    await start(second);
    await pg!.stop();
    const down = Date.now();
    expect(
      await until('/readyz to answer 503', async () => {
        const r = await readyz(url);
        return r.status === 503 ? r : undefined;
      }),
    ).toEqual({ status: 503, code: 'store_unavailable' });
    const res = await fetch(`${url}/api/v1/namespaces/default/workflows/o-1`, {
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('store_unavailable');
    await sleep(Math.max(0, 7000 - (Date.now() - down)));
    expect(p.child.exitCode).toBeNull();
    await pg!.start();
    await until('/readyz to answer 200', async () =>
      (await readyz(url)).status === 200 ? true : undefined,
    );
    await signal(second);
    await completed(second);
    expect(p.child.exitCode).toBeNull();
    expect(p.stderr()).toMatch(/store unavailable/);
    expect(p.stderr()).toMatch(/store available again/);
  }, 240_000);
});
