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
import { commitLatencyFigures } from './engine-floor.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { createFloorSchema, dropSchema, PgStatementRecorder, replayPgEach } from './pg-floor.js';
import { commitSequenceFigures, threadRoundTrips } from './commit-sequence.js';
import { perRunSums } from './single-run-floor.js';

/** Single runs before the timed ones (V8 compiles the path; the pool's connections warm up). */
const WARMUP_RUNS = 300;
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
      for (let i = 0; i < WARMUP_RUNS; i++) await engine.execute('threeSteps');
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
    const tripP50 = percentile(await threadRoundTrips(), 50);
    const floor = await commitLatencyFigures('postgres');
    const sequence = await commitSequenceFigures('postgres');
    const runP50 = percentile(single, 50);
    const goalFloor = 4 * (floor.singleCommitP50Ms as number);
    // Four activations per run (start, then after each of the three activities).
    const designFloor = rawP50 + 4 * tripP50;
    const idleFloor = 4 * (sequence.commitAfterIdleP50Ms as number);
    return {
      store: 'postgres (fresh schema, pool 10)',
      singleRuns: runs,
      singleRunP50Ms: round(runP50, 3),
      singleRunP99Ms: round(percentile(single, 99), 3),
      commitsPerRun: round(commitsPerRun, 2),
      statementsPerRun: round(commits.reduce((n, c) => n + c.writes.length, 0) / RECORDED_RUNS, 2),
      runCommitsRawP50Ms: round(rawP50, 3),
      // The same commits timed inside the engine's runs (the runs timed above).
      runCommitsInEngineP50Ms: round(inEngineP50, 3),
      threadRoundTripP50Ms: round(tripP50, 3),
      ...floor,
      goalFloorMs: round(goalFloor, 3),
      designFloorMs: round(designFloor, 3),
      singleRunVsGoalFloor: round(runP50 / goalFloor, 2),
      designFloorVsGoalFloor: round(designFloor / goalFloor, 2),
      runCommitsRawVsGoalFloor: round(rawP50 / goalFloor, 2),
      runCommitsInEngineVsGoalFloor: round(inEngineP50 / goalFloor, 2),
      singleRunVsDesignFloor: round(runP50 / designFloor, 2),
      // Four (round trip to an idle thread, single commit) steps in sequence: the goal floor's
      // commits as a run must make them.
      ...sequence,
      sequenceVsGoalFloor: round((sequence.sequenceP50Ms as number) / goalFloor, 2),
      sequenceCommitVsSingleCommit: round(
        (sequence.sequenceCommitP50Ms as number) / (floor.singleCommitP50Ms as number),
        2,
      ),
      singleRunVsSequence: round(runP50 / (sequence.sequenceP50Ms as number), 2),
      // The goal's floor with each commit made after ~a run's gap of idleness.
      idleFloorMs: round(idleFloor, 3),
      idleFloorVsGoalFloor: round(idleFloor / goalFloor, 2),
      singleRunVsIdleFloor: round(runP50 / idleFloor, 2),
    };
  } finally {
    await bench.dispose();
    if (to !== undefined) await dropSchema(PG_URL, to);
  }
}
