// Where a single run's time goes on PostgreSQL, against what its parts cost alone, in one
// process (the PostgreSQL counterpart of single-run-floor.ts): the engine's single-run latency;
// the run's own commits (recorded from the engine, then replayed one commit call at a time
// through a plain `pg.Client` on a fresh copy of the schema, prepared statements prepared
// alike); a bare round trip to a worker thread carrying a message shaped like an activation;
// the goal's floor (the adapter's single commit); and the run's commits as the engine made
// them (timed in its runs). The sum of the run's raw commits and four round trips is the
// least this design can take for a three-activity run.
import type { Store } from '../src/store/index.js';
import type { PostgresStore } from '../src/store/postgres/index.js';
import { benchEngine, openBenchStore, PG_URL } from './engine-common.js';
import { SINGLE_RUN_WARMUP, type Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { createFloorSchema, dropSchema, PgStatementRecorder, replayPgEach } from './pg-floor.js';
import { partsFigures, perRunSums } from './single-run-floor.js';

/** Single runs whose commits are recorded for the raw replay (after the timed ones). */
const RECORDED_RUNS = 100;

/** Times each store commit (an async call: until its promise settles) once `on()` is called. */
function timeCommits(store: Store, into: number[]): { on(): void; off(): void } {
  const commit = store.commit.bind(store);
  let on = false;
  store.commit = async (...args) => {
    const t = nowMs();
    try {
      return await commit(...args);
    } finally {
      if (on) into.push(nowMs() - t);
    }
  };
  return { on: () => (on = true), off: () => (on = false) };
}

export async function singleRunFloorPostgres(runs: number): Promise<Figures> {
  const bench = await openBenchStore('postgres');
  const from = (bench.store as PostgresStore).schema;
  // The recorder wraps the store's commit first, so the timing below includes only what the
  // engine's commits cost (recording stays off until the timed runs are done).
  const recorder = new PgStatementRecorder(bench.store);
  const engineCommits: number[] = [];
  const timing = timeCommits(bench.store, engineCommits);
  let to: string | undefined;
  try {
    const single: number[] = [];
    const engine = await benchEngine(bench.store);
    try {
      for (let i = 0; i < SINGLE_RUN_WARMUP; i++) await engine.execute('threeSteps');
      timing.on();
      for (let i = 0; i < runs; i++) {
        const t = nowMs();
        await engine.execute('threeSteps');
        single.push(nowMs() - t);
      }
      timing.off();
      to = await createFloorSchema(PG_URL, from);
      recorder.start();
      for (let i = 0; i < RECORDED_RUNS; i++) await engine.execute('threeSteps');
    } finally {
      await engine.shutdown();
    }
    const commits = recorder.byStart.filter((c) => c.writes.length > 0);
    const perCall = await replayPgEach(PG_URL, { from, to }, commits);
    const commitsPerRun = commits.length / RECORDED_RUNS;
    const step = Math.max(1, Math.round(commitsPerRun));
    const rawP50 = percentile(perRunSums(perCall, step), 50);
    const inEngineP50 = percentile(perRunSums(engineCommits, step), 50);
    return {
      store: 'postgres (fresh schema, pool 10)',
      singleRuns: runs,
      singleRunP99Ms: round(percentile(single, 99), 3),
      commitsPerRun: round(commitsPerRun, 2),
      statementsPerRun: round(commits.reduce((n, c) => n + c.writes.length, 0) / RECORDED_RUNS, 2),
      ...(await partsFigures('postgres', {
        runP50: percentile(single, 50),
        rawCommitsP50: rawP50,
        inEngineCommitsP50: inEngineP50,
      })),
    };
  } finally {
    await bench.dispose();
    if (to !== undefined) await dropSchema(PG_URL, to);
  }
}
