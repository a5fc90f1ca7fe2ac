// The goal's floor for a single run is four single commits timed back to back. A run cannot
// make its commits back to back: between two of them its workflow code runs on the workflow
// thread and its activity runs, while the engine's thread waits. This measures that shape with
// nothing of the engine in it, on the store adapter's single (two-event) commit:
// - sequences of four steps, each a bare round trip to an idle worker thread (a message of an
//   activation's size) and then one commit, timed end to end and commit by commit;
// - commits each made after the engine's thread idled IDLE_US waiting for another thread (a
//   run's commits are about that far apart). On a virtual machine an idle virtual CPU, and a
//   database process gone idle, are slow to wake: such a commit costs more than one made right
//   after the previous one, which is the figure the goal's floor takes.
import { Worker } from 'node:worker_threads';
import type { Store } from '../src/store/index.js';
import { openBenchStore, type StoreKind } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { historyOf, runKey } from './store-workload.js';

const SEQUENCES = 300;
const IDLE_SAMPLES = 300;
/** How long the thread idles before each commit of the idle samples: about a run's gap between commits. */
const IDLE_US = 500;
const WARM = 30;
const ROUND_TRIPS = 2000;
const STEPS = 4;
const RUNS = 50;

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

/**
 * A worker thread that answers each message with itself: at once, or for a number, after
 * blocking that many microseconds in `Atomics.wait` (no busy wait).
 */
const ECHO_WORKER = `const { parentPort } = require('node:worker_threads');
  const cell = new Int32Array(new SharedArrayBuffer(4));
  parentPort.on('message', (m) => {
    if (typeof m === 'number') Atomics.wait(cell, 0, 0, m / 1000);
    parentPort.postMessage(m);
  });`;

/** Round trips to an idle worker thread that echoes each message (the next sent a turn later). */
export async function threadRoundTrips(samples = ROUND_TRIPS): Promise<number[]> {
  const worker = new Worker(ECHO_WORKER, { eval: true });
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
 * An idle {@link ECHO_WORKER} thread answering each message: at once (`trip()`, an echo of a message of an
 * activation's size), or after blocking `idleUs` microseconds in `Atomics.wait` (`trip(us)`:
 * the calling thread idles that long waiting for the answer, as the engine's thread does while
 * a run's activation or activity is under way).
 */
function echoThread(): { trip(idleUs?: number): Promise<void>; close(): Promise<number> } {
  const worker = new Worker(ECHO_WORKER, { eval: true });
  let wake: (() => void) | undefined;
  worker.on('message', () => wake?.());
  return {
    trip: (idleUs) =>
      new Promise<void>((resolve, reject) => {
        wake = resolve;
        worker.once('error', reject);
        worker.postMessage(idleUs ?? ACTIVATION_LIKE);
      }).finally(() => worker.removeAllListeners('error')),
    close: () => worker.terminate(),
  };
}

interface Measured {
  /** Four (round trip, commit) steps, end to end. */
  readonly sequences: number[];
  /** Each commit of those steps. */
  readonly commits: number[];
  /** Commits made after the calling thread idled IDLE_US waiting for another thread. */
  readonly afterIdle: number[];
}

async function measure(store: Store): Promise<Measured> {
  const runs = Array.from({ length: RUNS }, (_, i) => runKey(20_000 + i));
  const total = (SEQUENCES + WARM) * STEPS + IDLE_SAMPLES + WARM;
  const perRun = Math.ceil(total / RUNS) + 1;
  const histories = runs.map((_, i) => historyOf(1 + 2 * perRun, 1_700_000_000_000 + i));
  await store.commit(
    runs.map((run, i) => ({ run, expectedSeq: 0, events: histories[i]!.slice(0, 1) })),
  );
  const heads = runs.map(() => 1);
  let next = 0;
  const commit = async (): Promise<number> => {
    const i = next++ % RUNS;
    const head = heads[i]!;
    const events = histories[i]!.slice(head, head + 2);
    const t = nowMs();
    const [outcome] = await store.commit([{ run: runs[i]!, expectedSeq: head, events }]);
    const ms = nowMs() - t;
    if (!outcome?.ok || events.length !== 2) throw new Error('sequence commit was refused');
    heads[i] = head + 2;
    return ms;
  };
  const thread = echoThread();
  try {
    const sequences: number[] = [];
    const commits: number[] = [];
    for (let s = 0; s < SEQUENCES + WARM; s++) {
      const warm = s < WARM; // the first ones warm the path up
      const t0 = nowMs();
      for (let k = 0; k < STEPS; k++) {
        await thread.trip();
        const ms = await commit();
        if (!warm) commits.push(ms);
      }
      if (!warm) sequences.push(nowMs() - t0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const afterIdle: number[] = [];
    for (let s = 0; s < IDLE_SAMPLES + WARM; s++) {
      await thread.trip(IDLE_US);
      const ms = await commit();
      if (s >= WARM) afterIdle.push(ms);
    }
    return { sequences, commits, afterIdle };
  } finally {
    await thread.close();
  }
}

/**
 * On a fresh store of `kind`: four (round trip, commit) steps in sequence (the sequence's p50,
 * and the p50 of a commit made right after a round trip), and the p50 of a commit made after
 * the engine's thread idled IDLE_US.
 */
export async function commitSequenceFigures(kind: StoreKind): Promise<Figures> {
  const bench = await openBenchStore(kind);
  try {
    const m = await measure(bench.store);
    return {
      sequenceP50Ms: round(percentile(m.sequences, 50), 3),
      sequenceCommitP50Ms: round(percentile(m.commits, 50), 3),
      commitAfterIdleUs: IDLE_US,
      commitAfterIdleP50Ms: round(percentile(m.afterIdle, 50), 3),
    };
  } finally {
    await bench.dispose();
  }
}
