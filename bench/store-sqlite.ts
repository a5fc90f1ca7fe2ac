// SQLite store benchmark: adapter group-commit throughput against raw better-sqlite3 inserts
// of the same rows, plus single-commit latency with synchronous=FULL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encodeEvent } from '../src/core/index.js';
import type { RunCommit, Store } from '../src/store/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { nowMs, percentile, round, type Emit } from './lib.js';
import {
  EVENTS_PER_COMMIT,
  EVENTS_PER_RUN,
  LATENCY_COMMITS,
  median,
  RUNS,
  RUNS_PER_CALL,
  runKey,
  historyOf,
  workload,
  type Workload,
} from './store-workload.js';

const TRIALS = 15;

async function adapterTrial(dir: string, w: Workload): Promise<number> {
  const store = await openSqliteStore({ path: path.join(dir, `adapter-${Math.random()}.db`) });
  const start = nowMs();
  for (const call of w.calls) {
    const outcomes = await store.commit(call);
    if (!outcomes.every((o) => o.ok)) throw new Error('benchmark commit was refused');
  }
  const ms = nowMs() - start;
  await store.close();
  return (RUNS * EVENTS_PER_RUN) / (ms / 1000);
}

function rawTrial(dir: string, w: Workload): number {
  const db = new Database(path.join(dir, `raw-${Math.random()}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -16384'); // the adapter's pragmas, for a like-for-like ceiling
  db.pragma('temp_store = MEMORY');
  db.exec(`CREATE TABLE events (namespace TEXT NOT NULL, run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
    recorded_at INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (namespace, run_id, seq))`);
  // Same rows, serialised before timing: the raw side gets its data for free.
  const batches = w.calls.map((call) =>
    call.flatMap((c) =>
      c.events.map(
        (e) => [c.run.namespace, c.run.runId, e.seq, e.type, e.recordedAt, encodeEvent(e)] as const,
      ),
    ),
  );
  const insert = db.prepare(
    'INSERT INTO events (namespace, run_id, seq, type, recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const tx = db.transaction((rows: (typeof batches)[number]) => {
    for (const row of rows) insert.run(...row);
  });
  const start = nowMs();
  for (const rows of batches) tx.immediate(rows);
  const ms = nowMs() - start;
  db.close();
  return (RUNS * EVENTS_PER_RUN) / (ms / 1000);
}

/** Single-commit latencies of the SQLite adapter (two events per commit, synchronous=FULL). */
export async function sqliteCommitLatency(dir: string): Promise<number[]> {
  const store = await openSqliteStore({ path: path.join(dir, 'latency.db'), synchronous: 'FULL' });
  try {
    return await storeCommitLatency(store);
  } finally {
    await store.close();
  }
}

/** Single-commit latencies of any store: one run commit of two events at a time. */
export async function storeCommitLatency(store: Store): Promise<number[]> {
  const runs = Array.from({ length: 50 }, (_, i) => runKey(10_000 + i));
  const histories = runs.map((_, i) =>
    historyOf(1 + 2 * Math.ceil(LATENCY_COMMITS / runs.length), 1_700_000_000_000 + i),
  );
  await store.commit(
    runs.map((run, i) => ({ run, expectedSeq: 0, events: histories[i]!.slice(0, 1) })),
  );
  const heads = runs.map(() => 1);
  const samples: number[] = [];
  for (let n = 0; n < LATENCY_COMMITS; n++) {
    const i = n % runs.length;
    const head = heads[i]!;
    const commit: RunCommit = {
      run: runs[i]!,
      expectedSeq: head,
      events: histories[i]!.slice(head, head + 2),
    };
    const start = nowMs();
    const [outcome] = await store.commit([commit]);
    samples.push(nowMs() - start);
    if (!outcome?.ok) throw new Error('latency commit was refused');
    heads[i] = head + 2;
  }
  return samples;
}

export default async function storeSqlite(emit: Emit): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-sqlite-'));
  try {
    const w = workload();
    const adapter: number[] = [];
    const raw: number[] = [];
    await adapterTrial(dir, w); // warm-up: JIT, page cache
    rawTrial(dir, w);
    for (let t = 0; t < TRIALS; t++) {
      // Alternate which side runs first so drift on a shared machine hits both alike.
      if (t % 2 === 0) {
        adapter.push(await adapterTrial(dir, w));
        raw.push(rawTrial(dir, w));
      } else {
        raw.push(rawTrial(dir, w));
        adapter.push(await adapterTrial(dir, w));
      }
    }
    const shape = {
      runs: RUNS,
      eventsPerRun: EVENTS_PER_RUN,
      eventsPerCommit: EVENTS_PER_COMMIT,
      runsPerCall: RUNS_PER_CALL,
      trials: TRIALS,
      synchronous: 'FULL',
    };
    const adapterEps = median(adapter);
    const rawEps = median(raw);
    // Each trial runs both sides back to back: the median of those pairs' ratios is robust to
    // drift across the run, which a ratio of the two medians is not.
    const ratios = adapter.map((a, t) => a / raw[t]!);
    emit({
      suite: 'store',
      name: 'sqlite.group_commit',
      unit: 'events/s',
      value: round(adapterEps, 0),
      trialValues: adapter.map((v) => round(v, 0)),
      ...shape,
    });
    emit({
      suite: 'store',
      name: 'sqlite.raw_insert',
      unit: 'events/s',
      value: round(rawEps, 0),
      trialValues: raw.map((v) => round(v, 0)),
      ...shape,
    });
    emit({
      suite: 'store',
      name: 'sqlite.group_commit_ratio',
      unit: 'adapter/raw',
      value: round(median(ratios), 3),
      trialValues: ratios.map((v) => round(v, 3)),
      target: 0.6,
    });
    const samples = await sqliteCommitLatency(dir);
    emit({
      suite: 'store',
      name: 'sqlite.commit_latency',
      unit: 'ms',
      p50: round(percentile(samples, 50), 3),
      p99: round(percentile(samples, 99), 3),
      commits: samples.length,
      eventsPerCommit: 2,
      synchronous: 'FULL',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
