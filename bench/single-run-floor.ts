// Where a single run's time goes on SQLite, against what its parts cost alone, in one process:
// the engine's single-run latency; the run's own commits (recorded from the engine, then
// replayed one transaction at a time through raw better-sqlite3, same pragmas); a bare round
// trip to a worker thread carrying a message shaped like an activation; the goal's floor (one
// single-row commit); and the run's commits as the engine made them (timed in its runs). A
// three-activity run needs four commits and four activations in sequence, each activation a
// round trip to the workflow thread, so the sum of those parts is the least this design can
// take for it.
import { Worker } from 'node:worker_threads';
import type { Store } from '../src/store/index.js';
import { benchEngine, openBenchStore } from './engine-common.js';
import { commitLatencyFigures } from './engine-floor.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { replayRawEach, StatementRecorder, type Call } from './sqlite-floor.js';

/**
 * Single runs before the timed ones. A fresh engine's single runs take a few hundred runs to
 * reach their steady pace while V8 compiles the path: on a slow day, p50 3.8 ms over runs 200
 * to 450 against 2.5 ms from there on (50 warm-up runs measured 4.8–6.4 ms that day).
 */
const WARMUP_RUNS = 600;
const ROUND_TRIPS = 2000;

/** A message of an activation's shape and size (one activity result for one run). */
const ACTIVATION_LIKE = {
  id: 1,
  type: 'activate',
  items: [
    {
      key: 'default/019a0000-0000-7000-8000-000000000000',
      input: {
        jobs: [{ type: 'resolveActivity', seq: 2, result: { data: '{"n":2,"ok":true}' } }],
        now: 1_790_000_000_000,
        replaying: false,
        historyLength: 8,
      },
    },
  ],
};

/** Round trips to an idle worker thread that echoes each message (the next sent a turn later). */
async function threadRoundTrips(samples = ROUND_TRIPS): Promise<number[]> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => parentPort.postMessage(m));`,
    { eval: true },
  );
  try {
    const times: number[] = [];
    await new Promise<void>((resolve, reject) => {
      let sentAt = 0;
      const send = (): void => {
        sentAt = nowMs();
        worker.postMessage(ACTIVATION_LIKE);
      };
      worker.on('error', reject);
      worker.on('message', () => {
        times.push(nowMs() - sentAt);
        if (times.length === samples) resolve();
        else setImmediate(send);
      });
      send();
    });
    return times.slice(Math.floor(samples / 10)); // the first tenth warms the path up
  } finally {
    await worker.terminate();
  }
}

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
      for (let i = 0; i < WARMUP_RUNS; i++) await engine.execute('threeSteps');
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
function perRunSums(durations: readonly number[], step: number): number[] {
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
  const trips = await threadRoundTrips();
  const floor = await commitLatencyFigures('sqlite');
  const runP50 = percentile(single, 50);
  const commitsP50 = percentile(perRun, 50);
  const tripP50 = percentile(trips, 50);
  const goalFloor = 4 * (floor.singleCommitP50Ms as number);
  // Four activations per run (start, then after each of the three activities).
  const designFloor = commitsP50 + 4 * tripP50;
  return {
    store: 'sqlite synchronous=FULL (temp dir)',
    singleRuns: runs,
    singleRunP50Ms: round(runP50, 3),
    commitsPerRun: round(commitsPerRun, 2),
    runCommitsRawP50Ms: round(commitsP50, 3),
    // The same commits timed inside the engine's runs (the runs timed above).
    runCommitsInEngineP50Ms: round(inEngineP50, 3),
    threadRoundTripP50Ms: round(tripP50, 3),
    ...floor,
    goalFloorMs: round(goalFloor, 3),
    designFloorMs: round(designFloor, 3),
    singleRunVsGoalFloor: round(runP50 / goalFloor, 2),
    designFloorVsGoalFloor: round(designFloor / goalFloor, 2),
    runCommitsInEngineVsGoalFloor: round(inEngineP50 / goalFloor, 2),
    singleRunVsDesignFloor: round(runP50 / designFloor, 2),
  };
}
