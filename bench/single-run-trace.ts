// Diagnostic: where an embedded single run spends its time, step by step.
//   node --import tsx --import ./bench/compiled-engine.mjs bench/single-run-trace.ts [runs] [sqlite|postgres]
// S1's engine and workflow (three activities); after SINGLE_RUN_WARMUP warm-up runs, `runs`
// single runs (`execute`, one at a time) are timed at each step: the activation sent to the
// workflow thread and its answer, each store commit's start and end, each activity's start and
// end, the run's result. Prints one JSON line: the median of every segment in microseconds,
// in the order a run goes through them, and per kind (all workflow-thread round trips, all
// commits, all activities, the rest: the engine's own work between them). The hooks patch
// prototypes (Worker#postMessage, Worker#emit) and wrap the store's commit; they add a little
// to what they time.
import { Worker as ThreadWorker } from 'node:worker_threads';
import { activities, benchEngine, openBenchStore, type StoreKind } from './engine-common.js';
import { SINGLE_RUN_WARMUP } from './engine-scenarios.js';
import { percentile, round } from './lib.js';
import { hook, markCommits } from './trace-hooks.js';

const runs = Number.parseInt(process.argv[2] ?? '300', 10);
const kind = (process.argv[3] ?? 'sqlite') as StoreKind;

type Mark =
  | 'execute'
  | 'activate'
  | 'answer'
  | 'commitStart'
  | 'commitEnd'
  | 'activityStart'
  | 'activityEnd'
  | 'result';
let marks: { readonly mark: Mark; readonly at: number }[] = [];
let recording = false;
const mark = (m: Mark): void => {
  if (recording) marks.push({ mark: m, at: performance.now() });
};

hook(ThreadWorker.prototype, 'postMessage', ([m]) => {
  if ((m as { type?: unknown } | null)?.type === 'activate') mark('activate');
});
hook(ThreadWorker.prototype, 'emit', ([event, m]) => {
  if (event === 'message' && (m as { outputs?: unknown } | null)?.outputs !== undefined)
    mark('answer');
});

/** The segment kind between two marks (what the time between them was spent on). */
function kindOf(from: Mark, to: Mark): 'threadRoundTrip' | 'commit' | 'activity' | 'engine' {
  if (from === 'activate' && to === 'answer') return 'threadRoundTrip';
  if (from === 'commitStart' && to === 'commitEnd') return 'commit';
  if (from === 'activityStart' && to === 'activityEnd') return 'activity';
  return 'engine';
}

const bench = await openBenchStore(kind);
markCommits(bench.store, mark);
const traced = {
  step: async (n: number) => {
    mark('activityStart');
    try {
      return await activities.step(n);
    } finally {
      mark('activityEnd');
    }
  },
};
try {
  const engine = await benchEngine(bench.store, { activities: traced });
  try {
    for (let i = 0; i < SINGLE_RUN_WARMUP; i++) await engine.execute('threeSteps');
    const segments = new Map<string, number[]>();
    const perRun = new Map<string, number[]>();
    const add = (map: Map<string, number[]>, name: string, us: number): void => {
      let list = map.get(name);
      if (!list) map.set(name, (list = []));
      list.push(us);
    };
    let shape: string | undefined;
    let odd = 0;
    for (let i = 0; i < runs; i++) {
      marks = [];
      recording = true;
      mark('execute');
      await engine.execute('threeSteps');
      mark('result');
      recording = false;
      // Runs whose marks differ from the first run's (a stray commit of something else) are
      // left out of the segments, counted.
      const runShape = marks.map((m) => m.mark).join(',');
      shape ??= runShape;
      if (runShape !== shape) {
        odd++;
        continue;
      }
      const byKind = new Map<string, number>();
      for (let j = 1; j < marks.length; j++) {
        const from = marks[j - 1]!;
        const to = marks[j]!;
        const us = (to.at - from.at) * 1000;
        add(segments, `${String(j).padStart(2, '0')} ${from.mark}→${to.mark}`, us);
        const k = kindOf(from.mark, to.mark);
        byKind.set(k, (byKind.get(k) ?? 0) + us);
      }
      for (const [k, us] of byKind) add(perRun, k, us);
      add(perRun, 'run', (marks[marks.length - 1]!.at - marks[0]!.at) * 1000);
    }
    const median = (list: readonly number[]): number => round(percentile(list, 50), 1);
    process.stdout.write(
      `${JSON.stringify({
        store: bench.description,
        runs,
        leftOut: odd,
        perRunUs: Object.fromEntries([...perRun].map(([k, v]) => [k, median(v)])),
        segmentsUs: Object.fromEntries([...segments].map(([k, v]) => [k, median(v)])),
      })}\n`,
    );
  } finally {
    await engine.shutdown();
  }
} finally {
  await bench.dispose();
}
