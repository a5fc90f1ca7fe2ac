// The replay bench's timing, in a fresh worker thread: the engine replays on its workflow and
// replay threads, where no AsyncLocalStorage has switched promise hooks on (the bench process
// ran an engine to record the history, and its activity context did). Receives the bundle and
// the history, replies with the time of each replay.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunKey } from '../src/core/index.js';
import { historyOf } from '../src/runtime/event-types.js';
import { replayHistory } from '../src/runtime/replay.js';
import { PackageSandbox } from '../src/runtime/sandbox.js';
import { nowMs } from './lib.js';

export interface ReplayJob {
  readonly bundle: string;
  readonly version: string;
  readonly run: RunKey;
  /** The history as a replay request carries it to a workflow thread: its JSON text. */
  readonly history: string;
  readonly iterations: number;
  /** Replays before the timed ones (see REPLAY_WARMUP in engine-scenarios.ts). */
  readonly warmup: number;
}

export interface ReplayTimes {
  readonly times: number[];
  readonly activations: number;
  /** The process's first replay (V8 has compiled nothing of the path yet). */
  readonly firstMs: number;
  /** Taking the request's history in (parsing it), once, as the workflow thread does. */
  readonly historyInMs: number;
}

const job = workerData as ReplayJob;
const sandbox = PackageSandbox.create(job.bundle, job.version);
const tIn = nowMs();
const events = historyOf(job.history);
const historyInMs = nowMs() - tIn;
const once = (): { ms: number; activations: number } => {
  const t = nowMs();
  const replayed = replayHistory(sandbox, job.run, events);
  return { ms: nowMs() - t, activations: replayed.activations };
};
const firstMs = once().ms;
for (let i = 1; i < job.warmup; i++) once();
const times: number[] = [];
let activations = 0;
for (let i = 0; i < job.iterations; i++) {
  const r = once();
  times.push(r.ms);
  activations = r.activations;
}
parentPort!.postMessage({ times, activations, firstMs, historyInMs } satisfies ReplayTimes);
