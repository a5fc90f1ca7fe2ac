/**
 * One node per PostgreSQL store, held by shard leases with fencing epochs, with real
 * processes: a second node is refused while the first is alive; a node killed with `kill -9`
 * is taken over at once; a node frozen with SIGSTOP past its lease ttl is taken over, and once
 * thawed (SIGCONT) it writes nothing — every workflow completes once, and every activity's
 * completion is recorded once, whoever ran it — and starts no attempt of a task the new node
 * took over while it was frozen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';

const child = new URL('./fixtures/node-process.ts', import.meta.url).pathname;
const running: ChildProcess[] = [];
const schemas: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'aion-node-leases-'));
const WORKFLOWS = 8;
const STEPS = 6;

afterAll(async () => {
  for (const c of running) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

interface Node {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  output(): string;
}

function node(
  schema: string,
  journal: string,
  ttlMs: number,
  ...rest: (string | Record<string, string>)[]
): Node {
  const env = rest.filter((r) => typeof r !== 'string');
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      child,
      schema,
      journal,
      String(ttlMs),
      '300',
      ...rest.filter((r) => typeof r === 'string'),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AION_TEST_PG: PG_URL, NODE_LOG: '1', ...Object.assign({}, ...env) },
    },
  );
  running.push(proc);
  let out = '';
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      if (!out.includes('ready\n')) reject(new Error(`node exited (${code}) before ready: ${out}`));
    });
  });
  ready.catch(() => undefined);
  return { proc, ready, exited, output: () => out };
}

async function until(what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function setup(): { schema: string; journal: string } {
  const schema = `leases_${randomUUID().slice(0, 8)}`;
  schemas.push(schema);
  return { schema, journal: path.join(dir, `${schema}.log`) };
}

const journalLines = (journal: string): string[] =>
  existsSync(journal) ? readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean) : [];

/** Every workflow completed with each step's completion recorded exactly once, in order. */
async function checkCompletedOnce(store: PostgresStore): Promise<void> {
  for (let w = 0; w < WORKFLOWS; w++) {
    const runs = await store.getRunChain('default', `wf-${w}`);
    expect(
      runs.map((r) => r.status),
      `wf-${w}`,
    ).toEqual(['COMPLETED']);
    const events = await store.readHistory(runs[0]!);
    const completed = events.filter((e) => e.type === 'ActivityCompleted');
    expect(completed.length, `wf-${w} activity completions`).toBe(STEPS);
    expect(events.filter((e) => e.type === 'WorkflowCompleted').length).toBe(1);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
}

async function allCompleted(store: PostgresStore): Promise<boolean> {
  for (let w = 0; w < WORKFLOWS; w++) {
    const run = await store.getCurrentRun('default', `wf-${w}`);
    if (run?.status !== 'COMPLETED') return false;
  }
  return true;
}

describe.skipIf(SKIP_PG)('node leases on PostgreSQL (real processes)', () => {
  it('refuses a second node while the first is alive, and takes a killed node over at once', async () => {
    const { schema, journal } = setup();
    const a = node(schema, journal, 10_000, 'start', String(WORKFLOWS));
    await a.ready;
    const b = node(schema, journal, 10_000);
    expect(await b.exited).toBe(3);
    expect(b.output()).toContain('store_locked');
    expect(b.output()).toContain('another Aion node serves this PostgreSQL store');

    a.proc.kill('SIGKILL');
    await a.exited;
    // Same machine, process gone: no waiting for the leases to expire.
    const c = node(schema, journal, 60_000);
    await c.ready;
    const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await until('every workflow to complete on the new node', () => allCompleted(store));
      await checkCompletedOnce(store);
    } finally {
      await store.close();
      c.proc.kill('SIGKILL');
    }
  }, 180_000);

  it('fences a node frozen past its lease: the new node finishes the work, the thawed one writes nothing', async () => {
    const { schema, journal } = setup();
    const ttl = 1500;
    const a = node(schema, journal, ttl, 'start', String(WORKFLOWS));
    await a.ready;
    await until(
      'a few steps to run on the first node',
      async () => journalLines(journal).length >= 4,
    );
    a.proc.kill('SIGSTOP');
    // The frozen node's process exists, so the new node waits its leases out, then claims.
    const b = node(schema, journal, ttl);
    await b.ready;
    a.proc.kill('SIGCONT');
    const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await until('every workflow to complete on the new node', () => allCompleted(store));
      await checkCompletedOnce(store);
      const status = await store.membership.status();
      const owners = new Set(status.leases.map((l) => l.owner));
      expect(owners.size).toBe(1);
      expect(status.leases.every((l) => l.epoch === 2)).toBe(true);
      // The thawed node learns it was fenced (its next renewal or commit), and stays up.
      await until('the thawed node to know it lost its leases', () =>
        Promise.resolve(a.output().includes('no longer owns its PostgreSQL store')),
      );
      expect(a.proc.exitCode).toBe(null);
      const pids = new Set(journalLines(journal).map((l) => Number(l.split(' ')[0])));
      expect(pids.has(b.proc.pid!)).toBe(true);
    } finally {
      await store.close();
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGKILL');
    }
  }, 180_000);

  it('a node frozen with an attempt queued, whose task was taken over meanwhile, never starts it once thawed', async () => {
    const { schema, journal } = setup();
    const ttl = 1500;
    // One attempt at a time: `leaf` waits in the executor's queue behind `hold` (2 s).
    const a = node(schema, journal, ttl, 'pair', '1', { AION_TEST_MAX_ACTIVITIES: '1' });
    await a.ready;
    await until('hold to start on the first node', async () =>
      journalLines(journal).includes(`${a.proc.pid} pair-0 hold`),
    );
    a.proc.kill('SIGSTOP');
    // The new node waits the frozen one's leases out, voids its task leases, runs both.
    const b = node(schema, journal, ttl);
    await b.ready;
    const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await until('the pair to complete on the new node', async () => {
        const run = await store.getCurrentRun('default', 'pair-0');
        return run?.status === 'COMPLETED';
      });
      a.proc.kill('SIGCONT');
      // Thawed, `hold` ends and `leaf` gets its slot: its lease is checked, found moved.
      const ranHere = `${a.proc.pid} pair-0 leaf`;
      await until('the thawed node to check the queued task’s lease (or run it)', () =>
        Promise.resolve(
          a.output().includes('task-lease-check') || journalLines(journal).includes(ranHere),
        ),
      );
      const lines = journalLines(journal);
      expect(lines).toContain(`${a.proc.pid} pair-0 hold-done`);
      expect(lines.filter((l) => l.endsWith(' leaf'))).toEqual([`${b.proc.pid} pair-0 leaf`]);
      const run = (await store.getRunChain('default', 'pair-0'))[0]!;
      const completed = (await store.readHistory(run)).filter(
        (e) => e.type === 'ActivityCompleted',
      );
      expect(completed).toHaveLength(2);
      expect(a.output()).toContain('task-lease-check moved');
      expect(a.proc.exitCode).toBe(null);
    } finally {
      await store.close();
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGKILL');
    }
  }, 180_000);
});
