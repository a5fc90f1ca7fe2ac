/**
 * Schedules under real `kill -9`: an engine process owning a schedule that fires every second
 * (BUFFER_ONE, each action holding its slot 1.5 s) is killed repeatedly — while fires are
 * buffered, while actions run, during bursts of concurrent triggers — and restarted; then the
 * store must show exactly one workflow per started fire, no two actions overlapping, and no
 * buffered fire lost. On SQLite and PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import { PG_URL } from '../store/harnesses.js';

const child = new URL('../schedules/fixtures/schedule-process.ts', import.meta.url).pathname;
const running: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  for (const clean of cleanups) await clean().catch(() => undefined);
});

function spawnEngine(
  store: string,
  ...args: string[]
): { proc: ChildProcess; ready: Promise<void>; output: () => string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, store, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code, signal) => {
      if (!out.includes('ready\n'))
        reject(new Error(`engine exited (${code ?? signal}) before ready: ${err}`));
    });
  });
  return { proc, ready, output: () => out + err };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killAfter(store: string, ms: number, ...args: string[]): Promise<void> {
  const e = spawnEngine(store, ...args);
  await e.ready;
  await pause(ms);
  const exited = new Promise((r) => e.proc.on('exit', r));
  e.proc.kill('SIGKILL');
  await exited;
}

async function drain(store: string): Promise<void> {
  const e = spawnEngine(store, 'drain');
  const code = await new Promise<number | null>((r) => e.proc.on('exit', r));
  expect(code, e.output()).toBe(0);
}

async function inspect(store: Store): Promise<void> {
  const fires = await store.listScheduleFires({
    namespace: 'default',
    scheduleId: 'crash',
    limit: 1000,
  });
  const runs = [];
  for (let cursor: string | undefined; ;) {
    const page = await store.listRuns({
      namespace: 'default',
      pageSize: 1000,
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.items.filter((r) => r.workflowType === 'held'));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const started = fires.filter((f) => f.outcome === 'started');
  const summary = fires.map((f) => `${new Date(f.nominalAt).toISOString()} ${f.kind} ${f.outcome}`);
  expect(started.length, summary.join('\n')).toBeGreaterThan(3);
  // Exactly one workflow per started fire, and no workflow without its fire.
  const ids = runs.map((r) => r.workflowId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(runs.length).toBe(started.length);
  for (const f of started) {
    const run = runs.find((r) => r.workflowId === f.workflowId);
    expect(run?.runId, `fire ${new Date(f.nominalAt).toISOString()}`).toBe(f.runId);
  }
  // No buffered fire is left behind, and every action completed.
  expect(fires.filter((f) => f.outcome === 'buffered')).toEqual([]);
  expect(runs.every((r) => r.status === 'COMPLETED')).toBe(true);
  // BUFFER_ONE: one action at a time, across every crash.
  const ordered = [...runs].sort((a, b) => a.startTime - b.startTime);
  for (let i = 1; i < ordered.length; i++)
    expect(ordered[i]!.startTime).toBeGreaterThanOrEqual(ordered[i - 1]!.closeTime!);
}

async function trial(store: string): Promise<void> {
  await killAfter(store, 2500, 'create', 'BUFFER_ONE');
  for (const ms of [700, 2100, 1300]) await killAfter(store, ms, 'run');
  await killAfter(store, 1200, 'trigger', '5');
  await killAfter(store, 900, 'run');
  await drain(store);
}

describe('schedules survive kill -9', () => {
  it('on SQLite: one workflow per fire, buffered fires kept, no overlap', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-sched-crash-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'aion.db');
    await trial(`sqlite:${file}`);
    const { openSqliteStore } = await import('../../src/store/sqlite/index.js');
    const store = await openSqliteStore({ path: file });
    try {
      await inspect(store);
    } finally {
      await store.close();
    }
  });

  it('on PostgreSQL: one workflow per fire, buffered fires kept, no overlap', async () => {
    const schema = `aion_sc_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });
    await trial(`postgres:${schema}`);
    const { openPostgresStore } = await import('../../src/store/postgres/index.js');
    const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await inspect(store);
    } finally {
      await store.close();
    }
  });
});
