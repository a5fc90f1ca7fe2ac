// The store a trial runs on: a SQLite file of its own, or a fresh database in the private
// PostgreSQL cluster. The subjects get where it is (`location`); the checker opens it once
// the subjects stopped; `dumpStall` reads it (read-only) while they still run.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/store/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { PrivatePostgres } from '../test/support/private-postgres.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface TrialDatabase {
  readonly kind: StoreKind;
  /** A postgres:// connection string, or the SQLite file's path. */
  readonly location: string;
  /** Opens the store (only once every subject process stopped: SQLite has one owner). */
  open(): Promise<Store>;
  /** The open runs as rows: each run, its last events, its tasks and timers. */
  openRuns(): Promise<OpenRun[]>;
  /** Removes the database (nothing for SQLite: its file goes with the trial's folder). */
  drop(): Promise<void>;
}

interface OpenRun {
  readonly run: { run_id: string; workflow_id: string };
  readonly events: { seq: number; type: string }[];
  readonly tasks: { activity_type: string; attempt: number; lease_owner: unknown }[];
  readonly timers: unknown[];
}

async function admin<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const RUNS = `SELECT run_id, workflow_id, status, head_seq FROM {s}runs WHERE close_time IS NULL`;
const EVENTS = `SELECT seq, type, recorded_at FROM {s}events WHERE run_id = {p} ORDER BY seq DESC LIMIT 8`;
const TASKS = `SELECT * FROM {s}tasks WHERE run_id = {p}`;
const TIMERS = `SELECT * FROM {s}timers WHERE run_id = {p}`;

/** Reads the open runs with `query` (SQL with `{s}` for the schema, `{p}` for the run id). */
async function readOpenRuns(
  query: (sql: string, runId?: string) => Promise<unknown[]>,
): Promise<OpenRun[]> {
  const out: OpenRun[] = [];
  for (const run of (await query(RUNS)) as OpenRun['run'][]) {
    out.push({
      run,
      events: (await query(EVENTS, run.run_id)) as OpenRun['events'],
      tasks: (await query(TASKS, run.run_id)) as OpenRun['tasks'],
      timers: await query(TIMERS, run.run_id),
    });
  }
  return out;
}

/** A SQLite file under `dir` (`dir/aion.db`, where `aion server --data-dir dir` keeps it). */
export function sqliteDatabase(dir: string): TrialDatabase {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'aion.db');
  return {
    kind: 'sqlite',
    location: file,
    open: () => openSqliteStore({ path: file }),
    openRuns: async () => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return await readOpenRuns(async (sql, runId) => {
          const statement = db.prepare(sql.replace('{s}', '').replace('{p}', '?'));
          return runId === undefined ? statement.all() : statement.all(runId);
        });
      } finally {
        db.close();
      }
    },
    drop: async () => undefined,
  };
}

/** Creates database `name` in the cluster. */
export async function postgresDatabase(
  cluster: PrivatePostgres,
  name: string,
): Promise<TrialDatabase> {
  await admin(cluster.url, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = cluster.url.replace(/\/[^/]*$/, `/${name}`);
  return {
    kind: 'postgres',
    location: url,
    open: () => openPostgresStore({ connectionString: url, poolSize: 2 }),
    openRuns: () =>
      admin(url, (c) =>
        readOpenRuns(async (sql, runId) => {
          const text = sql.replace('{s}', 'aion.').replace('{p}', '$1');
          return (await c.query(text, runId === undefined ? [] : [runId])).rows as unknown[];
        }),
      ),
    drop: async () => {
      await admin(cluster.url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Writes what the store holds for every open run (its last events, its activity tasks and
 * timers) while the subject still runs, so a workload that stalled can be diagnosed.
 */
export async function dumpStall(db: TrialDatabase, file: string): Promise<string> {
  const state = await db
    .openRuns()
    .then((open) => ({ at: Date.now(), open }))
    .catch((e: unknown) => ({ error: String(e) }));
  writeFileSync(file, JSON.stringify(state, null, 2));
  if ('error' in state) return `open runs not read: ${state.error}`;
  const runs = state.open.map((o) => {
    const last = o.events
      .slice(0, 6)
      .reverse()
      .map((e) => `${e.seq}:${e.type}`)
      .join(',');
    const tasks = o.tasks
      .map((t) => `${t.activity_type}#${t.attempt}${t.lease_owner ? ' leased' : ''}`)
      .join(',');
    return `${o.run.workflow_id} last=${last} tasks=[${tasks}] timers=${o.timers.length}`;
  });
  return `${runs.length} open: ${runs.join('; ')} (details in ${file} with --keep)`;
}
