// Same-run floors for S1 on SQLite: what the driver alone needs for S1's own writes, and what
// one durable commit costs. The engine's figures are judged as ratios against these.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchEngine, openBenchStore, type StoreKind } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { replayRaw, StatementRecorder } from './sqlite-floor.js';
import { sqliteCommitLatency, storeCommitLatency } from './store-sqlite.js';

/**
 * Runs S1's `n` workflows on SQLite while recording every statement the store's commits run,
 * then replays the writes through raw better-sqlite3: the driver floor for S1.
 */
export async function s1Floor(n: number): Promise<Figures> {
  const bench = await openBenchStore('sqlite');
  const recorder = new StatementRecorder(bench.store);
  try {
    const engine = await benchEngine(bench.store);
    try {
      for (let i = 0; i < 20; i++) await engine.execute('threeSteps'); // warm-up, as S1
      recorder.start();
      const results = await Promise.all(
        Array.from({ length: n }, () => engine.start<number>('threeSteps').then((h) => h.result())),
      );
      if (results.some((r) => r !== 3))
        throw new Error('S1 floor: a workflow returned a wrong result');
    } finally {
      await engine.shutdown();
    }
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
