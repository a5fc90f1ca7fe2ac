// SIGTERM on a real `aion server` while in-process activities run (needs `npm run build`):
// the drain never crashes, work scheduled during it stays in the store for the next start,
// the process exits within drainTimeoutMs plus a fixed margin, and the store is closed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import { spawnAion, until, type AionProcess } from '../support/aion-process.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';

const workflows = new URL('./fixtures/chain-workflows.ts', import.meta.url).pathname;
const activities = new URL('./fixtures/chain-activities.ts', import.meta.url).pathname;

const DRAIN_TIMEOUT_MS = 2000;
/** What the product promises on top of drainTimeoutMs (docs/operations.md, Shutdown and drain). */
const EXIT_MARGIN_MS = 2000;
/**
 * Slack for a loaded 2-core box: signal delivery, process start-up of Node, the event loop
 * being late. The exit is also checked by the log line saying the drain stopped waiting.
 */
const LOAD_ALLOWANCE_MS = 6000;

const running: AionProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-drain-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A database of its own on the shared PostgreSQL server (dropped after the test). */
async function privateDatabase(): Promise<string> {
  const name = `aion_drain_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

interface Started {
  readonly proc: AionProcess;
  readonly url: string;
}

async function startServer(
  dataDir: string,
  env: Record<string, string>,
  store: string | undefined,
): Promise<Started> {
  const proc = spawnAion(
    [
      'server',
      '--port',
      '0',
      '--no-auth',
      '--data-dir',
      dataDir,
      ...(store ? ['--store', store] : []),
      '--workflows',
      workflows,
      '--activities',
      activities,
      '--log-level',
      'info',
    ],
    { env: { AION_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS), ...env } },
  );
  running.push(proc);
  const url = await until('the server to listen', () => {
    if (proc.child.exitCode !== null) throw new Error(`server exited:\n${proc.stderr()}`);
    return /listening on (http:\/\/\S+)/.exec(proc.stderr())?.[1];
  });
  return { proc, url };
}

async function client(url: string): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: url }) });
}

/** Sends SIGTERM; resolves with the exit code and how long the exit took. */
async function terminate(p: AionProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  p.child.kill('SIGTERM');
  const outer = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000).unref());
  const code = await Promise.race([p.exited, outer]);
  if (code === 'hung') throw new Error(`server did not exit within 60 s:\n${p.stderr()}`);
  return { code, ms: performance.now() - t0 };
}

function stepLog(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every step of the chain ran to its end exactly once, across both processes. */
function expectEachStepEndedOnce(log: string, steps: number): void {
  const ends = stepLog(log)
    .filter((l) => l.startsWith('end '))
    .map((l) => Number(l.split(' ')[1]));
  expect(ends.sort((a, b) => a - b)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
}

const STORES: { name: string; store: () => Promise<string | undefined>; skip: boolean }[] = [
  { name: 'sqlite', store: () => Promise.resolve(undefined), skip: false },
  { name: 'postgres', store: privateDatabase, skip: SKIP_PG },
];

describe.each(STORES)('SIGTERM drain of aion server on $name', ({ store: makeStore, skip }) => {
  it.skipIf(skip)(
    'finishes the running step, leaves the next one in the store, exits 0; the restart completes the chain',
    async () => {
      const dataDir = tempDir();
      const store = await makeStore();
      const log = path.join(dataDir, 'steps.log');
      const env = { AION_TEST_STEP_LOG: log, AION_TEST_STEP_MS: '600' };
      const first = await startServer(dataDir, env, store);
      const c = await client(first.url);
      await c.workflow.start('chain', { workflowId: 'chain-1', args: [6] });
      await until('step 2 to start', () =>
        stepLog(log).some((l) => l.startsWith('start 2 ')) ? true : undefined,
      );
      const before = stepLog(log).length;
      const { code, ms } = await terminate(first.proc);
      const stderr = first.proc.stderr();
      expect(stderr).not.toContain('executor is shut down');
      expect(code, stderr).toBe(0);
      expect(ms, stderr).toBeLessThan(DRAIN_TIMEOUT_MS + EXIT_MARGIN_MS + LOAD_ALLOWANCE_MS);
      // The step that was running finished during the drain; the one it led to did not start.
      const firstPid = String(first.proc.child.pid);
      const afterSignal = stepLog(log).slice(before);
      expect(afterSignal.filter((l) => l.startsWith('end ') && l.endsWith(firstPid))).toHaveLength(
        1,
      );
      expect(afterSignal.filter((l) => l.startsWith('start '))).toEqual([]);

      const second = await startServer(dataDir, { ...env, AION_TEST_STEP_MS: '20' }, store);
      const again = await client(second.url);
      const h = again.getHandle('chain-1');
      expect(await h.result()).toBe(21);
      const { events } = await h.fetchHistory();
      const completed = events.filter((e) => e.type === 'ActivityCompleted');
      expect(completed).toHaveLength(6);
      expect(new Set(completed.map((e) => e.scheduledSeq)).size).toBe(6);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expectEachStepEndedOnce(log, 6);
      expect((await terminate(second.proc)).code).toBe(0);
    },
    120_000,
  );

  it.skipIf(skip)(
    'stops waiting for a step that outlasts drainTimeoutMs and exits within the bound',
    async () => {
      const dataDir = tempDir();
      const store = await makeStore();
      const log = path.join(dataDir, 'steps.log');
      const first = await startServer(
        dataDir,
        { AION_TEST_STEP_LOG: log, AION_TEST_STEP_MS: '600000' },
        store,
      );
      const c = await client(first.url);
      await c.workflow.start('chain', { workflowId: 'chain-2', args: [2] });
      await until('step 1 to start', () =>
        stepLog(log).some((l) => l.startsWith('start 1 ')) ? true : undefined,
      );
      const { code, ms } = await terminate(first.proc);
      const stderr = first.proc.stderr();
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/drain deadline reached/);
      expect(ms, stderr).toBeLessThan(DRAIN_TIMEOUT_MS + EXIT_MARGIN_MS + LOAD_ALLOWANCE_MS);

      // The interrupted step runs again on the next start.
      const second = await startServer(
        dataDir,
        { AION_TEST_STEP_LOG: log, AION_TEST_STEP_MS: '20' },
        store,
      );
      const h = (await client(second.url)).getHandle('chain-2');
      expect(await h.result()).toBe(3);
      const completed = (await h.fetchHistory()).events.filter(
        (e) => e.type === 'ActivityCompleted',
      );
      expect(completed).toHaveLength(2);
      expectEachStepEndedOnce(log, 2);
      expect((await terminate(second.proc)).code).toBe(0);
    },
    120_000,
  );
});
