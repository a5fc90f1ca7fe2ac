// Where a single run's time goes on SQLite, against what its parts cost alone, in one process:
// the engine's single-run latency; the run's own commits (recorded from the engine, then
// replayed one transaction at a time through raw better-sqlite3, same pragmas); a bare round
// trip to a worker thread carrying a message shaped like an activation; the goal's floor (one
// single-row commit); and the run's commits as the engine made them (timed in its runs). A
// three-activity run needs four commits and four activations in sequence, each activation a
// round trip to the workflow thread, so the sum of those parts is the least this design can
// take for it.
import type { Store } from '../src/store/index.js';
import { commitSequenceFigures, threadRoundTrips } from './commit-sequence.js';
import { benchEngine, openBenchStore, type StoreKind } from './engine-common.js';
import { commitLatencyFigures } from './engine-floor.js';
import { SINGLE_RUN_WARMUP, type Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { replayRawEach, StatementRecorder, type Call } from './sqlite-floor.js';

/**
 * `runs` single runs (start → result, one at a time) on a fresh SQLite store, after a warm-up;
 * `observe` is called on the store before the engine takes it and returns what to do just
 * before the runs (start recording, say). The duration of each run.
 */
async function singleRuns(
  runs: number,
  observe: (store: Store) => () => void = () => () => undefined,
): Promise<number[]> {
  const bench = await openBenchStore('sqlite');
  try {
    const beforeRuns = observe(bench.store);
    const engine = await benchEngine(bench.store);
    try {
      for (let i = 0; i < SINGLE_RUN_WARMUP; i++) await engine.execute('threeSteps');
      beforeRuns();
      const single: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = nowMs();
        await engine.execute('threeSteps');
        single.push(nowMs() - t);
      }
      return single;
    } finally {
      await engine.shutdown();
    }
  } finally {
    await bench.dispose();
  }
}

/** The commits of `runs` single runs (recorded from an engine of its own: recording costs). */
async function recordedSingleRuns(runs: number): Promise<Call[][]> {
  let recorder: StatementRecorder | undefined;
  await singleRuns(runs, (store) => {
    const r = (recorder = new StatementRecorder(store));
    return () => r.start();
  });
  return recorder!.transactions;
}

/**
 * Times each store commit the engine makes from when `start()` is called (the SQLite store
 * commits synchronously: the call's own duration is the commit's, sync included).
 */
function timeCommits(store: Store, into: number[]): () => void {
  const commit = store.commit.bind(store);
  let on = false;
  store.commit = (...args) => {
    const t = nowMs();
    try {
      return commit(...args);
    } finally {
      if (on) into.push(nowMs() - t);
    }
  };
  return () => (on = true);
}

/** Consecutive groups of `step` durations, summed (one group per run). */
export function perRunSums(durations: readonly number[], step: number): number[] {
  const sums: number[] = [];
  for (let r = 0; r + step <= durations.length; r += step)
    sums.push(durations.slice(r, r + step).reduce((a, b) => a + b, 0));
  return sums;
}

export async function singleRunFloor(runs: number): Promise<Figures> {
  const engineCommits: number[] = [];
  const single = await singleRuns(runs, (store) => timeCommits(store, engineCommits));
  const transactions = await recordedSingleRuns(runs);
  const perTx = await replayRawEach(transactions);
  const commitsPerRun = transactions.length / runs;
  // Per run: its own commits' durations, in order (every run commits the same way).
  const step = Math.max(1, Math.round(commitsPerRun));
  const perRun = perRunSums(perTx, step);
  const inEngineP50 = percentile(perRunSums(engineCommits, step), 50);
  return {
    store: 'sqlite synchronous=FULL (temp dir)',
    singleRuns: runs,
    commitsPerRun: round(commitsPerRun, 2),
    ...(await partsFigures('sqlite', {
      runP50: percentile(single, 50),
      rawCommitsP50: percentile(perRun, 50),
      inEngineCommitsP50: inEngineP50,
    })),
  };
}

/**
 * A single run's p50 set beside its parts, measured now on a store of `kind`: its own commits
 * (through the raw driver and inside the engine, given), a bare round trip to a worker thread,
 * the goal's floor (four single commits), four (round trip, commit) steps in sequence, and four
 * commits each made after a run's gap of idleness; each as a ratio to the goal's floor.
 */
export async function partsFigures(
  kind: StoreKind,
  run: {
    readonly runP50: number;
    readonly rawCommitsP50: number;
    readonly inEngineCommitsP50: number;
  },
): Promise<Figures> {
  const { runP50, rawCommitsP50, inEngineCommitsP50 } = run;
  const tripP50 = percentile(await threadRoundTrips(), 50);
  const floor = await commitLatencyFigures(kind);
  const sequence = await commitSequenceFigures(kind);
  const goalFloor = 4 * (floor.singleCommitP50Ms as number);
  // Four activations per run (start, then after each of the three activities).
  const designFloor = rawCommitsP50 + 4 * tripP50;
  const idleFloor = 4 * (sequence.commitAfterIdleP50Ms as number);
  return {
    singleRunP50Ms: round(runP50, 3),
    runCommitsRawP50Ms: round(rawCommitsP50, 3),
    // The same commits timed inside the engine's runs (the runs whose p50 is reported).
    runCommitsInEngineP50Ms: round(inEngineCommitsP50, 3),
    threadRoundTripP50Ms: round(tripP50, 3),
    ...floor,
    goalFloorMs: round(goalFloor, 3),
    designFloorMs: round(designFloor, 3),
    singleRunVsGoalFloor: round(runP50 / goalFloor, 2),
    designFloorVsGoalFloor: round(designFloor / goalFloor, 2),
    runCommitsRawVsGoalFloor: round(rawCommitsP50 / goalFloor, 2),
    runCommitsInEngineVsGoalFloor: round(inEngineCommitsP50 / goalFloor, 2),
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
}
