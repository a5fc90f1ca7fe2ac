// Same-run floors for S1 on SQLite and PostgreSQL: what the driver alone needs for S1's own
// writes, and what one durable commit costs. The engine's figures are judged as ratios against these.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../src/store/index.js';
import type { PostgresStore } from '../src/store/postgres/index.js';
import { benchEngine, openBenchStore, PG_URL, type StoreKind } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { createFloorSchema, dropSchema, PgStatementRecorder, replayPgRaw } from './pg-floor.js';
import { replayRaw, StatementRecorder } from './sqlite-floor.js';
import { sqliteCommitLatency, storeCommitLatency } from './store-sqlite.js';

/** Runs S1's `n` workflows on `store` (after S1's warm-up, then `recording()`). */
async function recordedS1(
  store: Store,
  n: number,
  recording: () => void | Promise<void>,
): Promise<void> {
  const engine = await benchEngine(store);
  try {
    for (let i = 0; i < 20; i++) await engine.execute('threeSteps'); // warm-up, as S1
    await recording();
    const results = await Promise.all(
      Array.from({ length: n }, () => engine.start<number>('threeSteps').then((h) => h.result())),
    );
    if (results.some((r) => r !== 3))
      throw new Error('S1 floor: a workflow returned a wrong result');
  } finally {
    await engine.shutdown();
  }
}

/**
 * Runs S1's `n` workflows while recording every statement the store's commits run, then
 * replays the writes through the raw driver (better-sqlite3, or `pg` on a fresh schema of the
 * same database): the driver floor for S1.
 */
export function s1Floor(n: number, kind: StoreKind = 'sqlite'): Promise<Figures> {
  if (kind === 'postgres') return s1FloorPostgres(n);
  if (kind !== 'sqlite') throw new Error(`S1 floor: no raw driver for ${kind}`);
  return s1FloorSqlite(n);
}

async function s1FloorSqlite(n: number): Promise<Figures> {
  const bench = await openBenchStore('sqlite');
  const recorder = new StatementRecorder(bench.store);
  try {
    await recordedS1(bench.store, n, () => recorder.start());
  } finally {
    await bench.dispose();
  }
  const replay = await replayRaw(recorder.transactions);
  return {
    workflows: n,
    recordedTransactions: replay.transactions,
    recordedWrites: replay.statements,
    recordedReads: recorder.reads,
    rawReplayMs: round(replay.replayMs, 1),
    rawWorkflowsPerSec: round(n / (replay.replayMs / 1000), 1),
  };
}

async function s1FloorPostgres(n: number): Promise<Figures> {
  const bench = await openBenchStore('postgres');
  const from = (bench.store as PostgresStore).schema;
  const recorder = new PgStatementRecorder(bench.store);
  let to: string | undefined;
  try {
    await recordedS1(bench.store, n, async () => {
      to = await createFloorSchema(PG_URL, from);
      recorder.start();
    });
    const commits = recorder.byStart;
    const replay = await replayPgRaw(PG_URL, { from, to: to! }, commits, recorder.maxInFlight);
    return {
      workflows: n,
      recordedTransactions: replay.transactions,
      recordedSingleStatementCommits: commits.filter((c) => !c.transactional && c.writes.length > 0)
        .length,
      recordedWrites: replay.statements,
      recordedReads: recorder.reads,
      recordedFailedStatements: recorder.refused,
      maxCommitsInFlight: recorder.maxInFlight,
      replayConnections: replay.connections,
      rawReplayMs: round(replay.replayMs, 1),
      rawWorkflowsPerSec: round(n / (replay.replayMs / 1000), 1),
    };
  } finally {
    await bench.dispose();
    if (to !== undefined) await dropSchema(PG_URL, to);
  }
}

/**
 * The store adapter's single-commit latency on this machine, now: SQLite (synchronous=FULL)
 * in a fresh file on the same disk, PostgreSQL in a fresh schema of the same database.
 */
export async function commitLatencyFigures(kind: StoreKind): Promise<Figures> {
  const t = nowMs();
  let samples: number[];
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-commit-'));
    try {
      samples = await sqliteCommitLatency(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const bench = await openBenchStore(kind);
    try {
      samples = await storeCommitLatency(bench.store);
    } finally {
      await bench.dispose();
    }
  }
  return {
    singleCommitP50Ms: round(percentile(samples, 50), 3),
    singleCommitP99Ms: round(percentile(samples, 99), 3),
    singleCommitSamples: samples.length,
    singleCommitPhaseMs: round(nowMs() - t, 1),
  };
}
