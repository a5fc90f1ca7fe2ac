// The goal's floor for a single run is four single commits timed back to back. A run cannot
// make its commits back to back: between two of them its workflow code runs on the workflow
// thread, and the engine's thread waits. This measures that shape with nothing of the engine
// in it: sequences of four steps, each a bare round trip to an idle worker thread (a message of
// an activation's size) and then one single commit of the store adapter (the goal floor's
// two-event commit), timed end to end and commit by commit. On a virtual machine whose idle
// virtual CPUs are expensive to wake, a commit made after such a wait costs more than one made
// right after the previous commit: this is the least a run of this design can take there.
import { Worker } from 'node:worker_threads';
import type { Store } from '../src/store/index.js';
import { openBenchStore, type StoreKind } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { historyOf, runKey } from './store-workload.js';

const SEQUENCES = 300;
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

/** Round trips to an idle worker thread that echoes each message (the next sent a turn later). */
export async function threadRoundTrips(samples = ROUND_TRIPS): Promise<number[]> {
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

/** An idle worker thread echoing each message; `trip()` sends one and waits for its echo. */
function echoThread(): { trip(): Promise<void>; close(): Promise<number> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => parentPort.postMessage(m));`,
    { eval: true },
  );
  let wake: (() => void) | undefined;
  worker.on('message', () => wake?.());
  return {
    trip: () =>
      new Promise<void>((resolve, reject) => {
        wake = resolve;
        worker.once('error', reject);
        worker.postMessage(ACTIVATION_LIKE);
      }).finally(() => worker.removeAllListeners('error')),
    close: () => worker.terminate(),
  };
}

async function sequences(store: Store): Promise<{ sequences: number[]; commits: number[] }> {
  const runs = Array.from({ length: RUNS }, (_, i) => runKey(20_000 + i));
  const perRun = Math.ceil(((SEQUENCES + 30) * STEPS) / RUNS);
  const histories = runs.map((_, i) => historyOf(1 + 2 * perRun, 1_700_000_000_000 + i));
  await store.commit(
    runs.map((run, i) => ({ run, expectedSeq: 0, events: histories[i]!.slice(0, 1) })),
  );
  const heads = runs.map(() => 1);
  let next = 0;
  const commit = async (): Promise<void> => {
    const i = next++ % RUNS;
    const head = heads[i]!;
    const events = histories[i]!.slice(head, head + 2);
    const [outcome] = await store.commit([{ run: runs[i]!, expectedSeq: head, events }]);
    if (!outcome?.ok) throw new Error('sequence commit was refused');
    heads[i] = head + 2;
  };
  const thread = echoThread();
  try {
    const seqs: number[] = [];
    const commits: number[] = [];
    for (let s = 0; s < SEQUENCES + 30; s++) {
      const warm = s < 30; // the first sequences warm the path up
      const t0 = nowMs();
      for (let k = 0; k < STEPS; k++) {
        await thread.trip();
        const t = nowMs();
        await commit();
        if (!warm) commits.push(nowMs() - t);
      }
      if (!warm) seqs.push(nowMs() - t0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { sequences: seqs, commits };
  } finally {
    await thread.close();
  }
}

/**
 * Four (round trip, commit) steps in sequence on a fresh store of `kind`: the sequence's p50,
 * and the p50 of a commit made right after a round trip.
 */
export async function commitSequenceFigures(kind: StoreKind): Promise<Figures> {
  const bench = await openBenchStore(kind);
  try {
    const { sequences: seqs, commits } = await sequences(bench.store);
    return {
      sequenceP50Ms: round(percentile(seqs, 50), 3),
      sequenceCommitP50Ms: round(percentile(commits, 50), 3),
    };
  } finally {
    await bench.dispose();
  }
}
