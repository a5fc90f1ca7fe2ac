// The engine benchmark's scenarios. Each returns its figures (no target logic here); the
// suite (engine.ts) runs each one in a fresh child process (engine-child.ts) and judges it.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { buildPackage } from '../src/package/index.js';
import type { Engine } from '../src/index.js';
import { fanOutWarmups, SINGLE_RUN_WARMUP } from '../src/cli/bench/scenarios.js';
import {
  benchEngine,
  commitFigures,
  instrumentCommits,
  instrumentVm,
  MiB,
  openBenchStore,
  pool,
  RssSampler,
  WORKFLOWS_PATH,
  type CommitStats,
  type StoreKind,
  type VmStats,
} from './engine-common.js';
import { commitLatencyFigures } from './engine-floor.js';
import { GcMeter, nowMs, percentile, round } from './lib.js';
import { splitThreadCpu, threadTimes } from './thread-cpu.js';
import type { ReplayJob, ReplayTimes } from './replay-worker.js';
import {
  DEFAULT_MAX_RESIDENT_RUNS,
  defaultWorkflowHeapLimitMb,
  workflowThreadResourceLimits,
} from '../src/runtime/resource-limits.js';

/**
 * Starts replay-worker.ts the way bench processes load code (a worker thread does not take
 * the process's `--import` hooks): tsx, then compiled-engine.mjs, then the worker module.
 */
const REPLAY_WORKER_BOOT = `
  import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => tsx.register())
    .then(() => import(${JSON.stringify(new URL('./compiled-engine.mjs', import.meta.url).href)}))
    .then(() => import(${JSON.stringify(new URL('./replay-worker.ts', import.meta.url).href)}));
`;

export type Figures = Record<string, unknown>;

function latencyFigures(prefix: string, samples: readonly number[]): Figures {
  return {
    [`${prefix}P50Ms`]: round(percentile(samples, 50), 3),
    [`${prefix}P99Ms`]: round(percentile(samples, 99), 3),
    [`${prefix}MinMs`]: round(Math.min(...samples), 3),
    [`${prefix}MaxMs`]: round(Math.max(...samples), 3),
  };
}

interface Bench {
  readonly engine: Engine;
  readonly storeDescription: string;
  readonly commits: CommitStats;
  readonly vm: VmStats | undefined;
  /** The threads of this process before the engine started (see thread-cpu.ts). */
  readonly threadsBeforeEngine: ReadonlySet<number>;
}

async function withEngine<T>(
  kind: StoreKind,
  options: Parameters<typeof benchEngine>[1],
  body: (bench: Bench) => Promise<T>,
): Promise<T> {
  const bench = await openBenchStore(kind);
  try {
    const commits = instrumentCommits(bench.store);
    const vm = await instrumentVm();
    const threadsBeforeEngine = new Set(threadTimes().keys());
    const engine = await benchEngine(bench.store, options);
    try {
      return await body({
        engine,
        storeDescription: bench.description,
        commits,
        vm,
        threadsBeforeEngine,
      });
    } finally {
      await engine.shutdown();
    }
  } finally {
    await bench.dispose();
  }
}

function diffCommits(now: CommitStats, before: CommitStats): CommitStats {
  return {
    calls: now.calls - before.calls,
    runCommits: now.runCommits - before.runCommits,
    events: now.events - before.events,
    ms: now.ms - before.ms,
  };
}

function diffVm(now: VmStats, before: VmStats): VmStats {
  return {
    evaluations: now.evaluations - before.evaluations,
    withTimeout: now.withTimeout - before.withTimeout,
  };
}

/** Runs one at a time before the timed single runs (S1's and the server's): as `aion bench`. */
export { SINGLE_RUN_WARMUP };

/**
 * S1: `n` workflows of three sequential activities, all started at once (each start chained to
 * its result), then `singleRuns` workflows one at a time (start → result).
 */
export function s1(kind: StoreKind, n: number, singleRuns = 50): Promise<Figures> {
  return withEngine(kind, {}, async (bench) => {
    const { engine, storeDescription, commits, vm } = bench;
    for (let i = 0; i < 20; i++) await engine.execute('threeSteps'); // warm-up
    const sampler = new RssSampler();
    const before = { ...commits };
    const vmBefore = vm && { ...vm };
    const gc = new GcMeter();
    const threads0 = threadTimes();
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    const results = await Promise.all(
      Array.from({ length: n }, () => engine.start<number>('threeSteps').then((h) => h.result())),
    );
    const seconds = (nowMs() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const byThread = splitThreadCpu(threads0, threadTimes(), bench.threadsBeforeEngine);
    const youngGc = gc.young;
    const gcMs = gc.stop();
    const peakRss = sampler.stop();
    const phase = diffCommits(commits, before);
    const vmPhase = vm && vmBefore && diffVm(vm, vmBefore);
    if (results.some((r) => r !== 3)) throw new Error('S1: a workflow returned a wrong result');

    const probe = await engine.start('threeSteps');
    await probe.result();
    const eventsPerWorkflow = (await probe.fetchHistory()).events.length;

    const floor = await commitLatencyFigures(kind);
    for (let i = 0; i < SINGLE_RUN_WARMUP; i++) await engine.execute('threeSteps');
    const single: number[] = [];
    for (let i = 0; i < singleRuns; i++) {
      const t = nowMs();
      await engine.execute('threeSteps');
      single.push(nowMs() - t);
    }
    return {
      store: storeDescription,
      workflows: n,
      activitiesPerWorkflow: 3,
      eventsPerWorkflow,
      seconds: round(seconds, 3),
      workflowsPerSec: round(n / seconds, 1),
      activitiesPerSec: round((3 * n) / seconds, 1),
      eventsPerSec: round((eventsPerWorkflow * n) / seconds, 0),
      peakRssMiB: round(peakRss / MiB, 1),
      // Process CPU (every thread: main, workflow thread, SQLite) per workflow.
      cpuMsPerWorkflow: round((cpu.user + cpu.system) / 1000 / n, 4),
      cpuCores: round((cpu.user + cpu.system) / 1000 / (seconds * 1000), 2),
      mainGcShare: round(gcMs / (seconds * 1000), 3),
      ...(byThread && {
        // The same CPU by thread: main; the workflow thread; V8's platform workers (the
        // parallel part of scavenges, concurrent marking, background compiles).
        cpuMainMsPerWorkflow: round((byThread.main * 1000) / n, 4),
        cpuWorkflowThreadMsPerWorkflow: round((byThread.engine * 1000) / n, 4),
        cpuV8WorkersMsPerWorkflow: round((byThread.other * 1000) / n, 4),
      }),
      mainYoungGcCount: youngGc.count,
      mainYoungGcMs: round(youngGc.ms, 1),
      ...commitFigures(phase, n, seconds * 1000, vmPhase),
      ...floor,
      singleRuns,
      ...latencyFigures('singleRun', single),
    };
  });
}

/**
 * S2: one workflow fanning out `n` activities with Promise.all; `trials` runs one at a time,
 * after `warmups` untimed fan-outs (by default as many as `aion bench` runs: fanOutWarmups).
 */
export function s2(n: number, trials: number, warmups = fanOutWarmups(n)): Promise<Figures> {
  return withEngine('sqlite', {}, async ({ engine, storeDescription }) => {
    for (let i = 0; i < warmups; i++) await engine.execute('fanOut', { args: [n] });
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < trials; i++) {
      const t = nowMs();
      const cpu0 = process.cpuUsage();
      const count = await engine.execute<number>('fanOut', { args: [n] });
      walls.push(nowMs() - t);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      if (count !== n) throw new Error(`S2: fan-out returned ${count}, expected ${n}`);
    }
    return {
      store: storeDescription,
      activities: n,
      trials,
      warmupFanOuts: warmups,
      ...latencyFigures('wall', walls),
      // Process CPU of a trial (every thread: the engine, the workflow thread, SQLite).
      cpuP50Ms: round(percentile(cpus, 50), 3),
      activitiesPerSecAtP50: round(n / (percentile(walls, 50) / 1000), 0),
    };
  });
}

/**
 * Short sleepers S3 runs before the measured burst, in bursts of {@link S3_WARMUP_BURST} (0
 * measures the process's first burst). One burst of 1,000 leaves the close path still tiering
 * up in V8 (the wake after it costs the engine's thread about twice what it costs after three).
 */
export const S3_WARMUP = 3000;
const S3_WARMUP_BURST = 1000;

/**
 * S3: `n` workflows each sleeping `sleepMs`, all started at once: time from the first start
 * request until every result is in, and peak RSS of this (fresh) process.
 */
export async function s3(n: number, warmup = S3_WARMUP, sleepMs = 2000): Promise<Figures> {
  const sampler = new RssSampler(50);
  const baselineRss = process.memoryUsage().rss;
  return withEngine('sqlite', {}, async ({ engine, storeDescription, commits, vm }) => {
    await engine.execute('sleeper', { args: [1] }); // package build, sandbox
    // Warm-up: bursts of short sleepers run the start, timer and close paths hot (as S1 and S2
    // warm up), so the figure is the engine's, not the JIT compiling it in the first bursts.
    for (let left = warmup; left > 0; left -= S3_WARMUP_BURST) {
      const warm = await Promise.all(
        Array.from({ length: Math.min(left, S3_WARMUP_BURST) }, () =>
          engine.start('sleeper', { args: [1] }),
        ),
      );
      await Promise.all(warm.map((h) => h.result()));
    }
    const before = { ...commits };
    const vmBefore = vm && { ...vm };
    let startsDoneMs = 0;
    const t0 = nowMs();
    const handles = Promise.all(
      Array.from({ length: n }, () => engine.start('sleeper', { args: [sleepMs] })),
    ).then((hs) => {
      startsDoneMs = nowMs() - t0;
      return hs;
    });
    await Promise.all((await handles).map((h) => h.result()));
    const totalMs = nowMs() - t0;
    const peak = sampler.stop();
    const vmPhase = vm && vmBefore && diffVm(vm, vmBefore);
    return {
      store: storeDescription,
      workflows: n,
      warmupWorkflows: warmup,
      sleepMs,
      totalMs: round(totalMs, 1),
      overheadMs: round(totalMs - sleepMs, 1),
      allStartedMs: round(startsDoneMs, 1),
      baselineRssMiB: round(baselineRss / MiB, 1),
      peakRssMiB: round(peak / MiB, 1),
      maxRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
      ...commitFigures(diffCommits(commits, before), n, totalMs, vmPhase),
    };
  });
}

/**
 * Replays before the timed ones: a fresh thread's first replays of the bench's history take
 * two to three times as long while V8 compiles the path (e.g. 33, 38, 25, 16 ms, then ~11 ms),
 * as a fresh workflow thread's first activations do; an engine's threads replay warm.
 */
const REPLAY_WARMUP = 10;

/**
 * Replay: records one run of `activities` sequential activities (3 events each) on the memory
 * store, then times `replayHistory` over its history in a sandbox built like the engine's, in a
 * fresh worker thread as the engine replays (replay-worker.ts).
 */
export async function replay(activitiesCount: number, iterations: number): Promise<Figures> {
  const bench = await openBenchStore('memory');
  let history;
  const tRecord = nowMs();
  try {
    const engine = await benchEngine(bench.store);
    try {
      const handle = await engine.start('longChain', { args: [activitiesCount] });
      await handle.result();
      history = await handle.fetchHistory();
    } finally {
      await engine.shutdown();
    }
  } finally {
    await bench.dispose();
  }
  const recordMs = nowMs() - tRecord;
  const built = await buildPackage({ workflowsPath: WORKFLOWS_PATH });
  const run = {
    namespace: history.namespace,
    workflowId: history.workflowId,
    runId: history.runId,
  };
  const job: ReplayJob = {
    bundle: built.bundle,
    version: built.version,
    run,
    history: JSON.stringify(history.events),
    iterations,
    warmup: REPLAY_WARMUP,
  };
  // The V8 limits of the engine's workflow threads (where the engine replays): with V8's
  // defaults instead, the young generation grows from 1 MiB in the middle of the timed
  // replays, and five of them in a row ran two to four times as long as the rest.
  const worker = new Worker(REPLAY_WORKER_BOOT, {
    eval: true,
    workerData: job,
    resourceLimits: workflowThreadResourceLimits(
      defaultWorkflowHeapLimitMb(DEFAULT_MAX_RESIDENT_RUNS),
    ),
  });
  const { times, activations, firstMs, historyInMs } = await new Promise<ReplayTimes>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`replay worker exited with ${code}`)));
    },
  );
  await worker.terminate();
  const events = history.events;
  const p50 = percentile(times, 50);
  return {
    recordedOn: 'memory store (recording is not timed as replay)',
    recordMs: round(recordMs, 0),
    events: events.length,
    activations,
    iterations,
    warmupReplays: REPLAY_WARMUP,
    firstReplayMs: round(firstMs, 3),
    historyInMs: round(historyInMs, 3),
    ...latencyFigures('replay', times),
    eventsPerSec: round(events.length / (p50 / 1000), 0),
    eventsPerSecBest: round(events.length / (Math.min(...times) / 1000), 0),
    activationsPerSec: round(activations / (p50 / 1000), 0),
  };
}

/**
 * Density: `n` workflows waiting on a signal with `maxResidentRuns`; RSS once all are started
 * and the engine is idle. Then wakes `wakeSample` of them (mostly evicted: rebuilt by replay).
 */
export function density(n: number, maxResidentRuns: number, wakeSample = 100): Promise<Figures> {
  const sampler = new RssSampler(50);
  const baselineRss = process.memoryUsage().rss;
  return withEngine('sqlite', { maxResidentRuns }, async ({ engine, storeDescription }) => {
    const prefix = `density-${randomUUID().slice(0, 8)}`;
    const gc = (globalThis as { gc?: () => void }).gc;
    const settledRss = async (): Promise<NodeJS.MemoryUsage> => {
      await engine.whenIdle();
      gc?.();
      await new Promise((r) => setTimeout(r, 200));
      gc?.();
      return process.memoryUsage();
    };
    // RSS at half the runs and at all of them: the slope is what each further waiting run
    // costs (the resident ones are capped), which projects the figure for larger counts.
    const half = Math.floor(n / 2);
    const t0 = nowMs();
    await pool(half, 1000, (i) => engine.start('waiter', { workflowId: `${prefix}-${i}` }));
    const halfStartMs = nowMs() - t0;
    const halfMem = await settledRss();
    const t1 = nowMs();
    await pool(n - half, 1000, (i) =>
      engine.start('waiter', { workflowId: `${prefix}-${half + i}` }),
    );
    const startMs = halfStartMs + (nowMs() - t1);
    await engine.whenIdle();
    const idleRss = process.memoryUsage().rss;
    const mem = await settledRss();
    const perRunBytes = Math.max(0, (mem.rss - halfMem.rss) / (n - half));
    const resident = engine.stats.residentRuns;
    const peak = sampler.stop();

    const wakes: number[] = [];
    for (let k = 0; k < wakeSample; k++) {
      const i = Math.floor((k * n) / wakeSample); // spread over old (evicted) and recent runs
      const handle = engine.getHandle(`${prefix}-${i}`);
      const t = nowMs();
      await handle.signal('wake');
      await handle.result();
      wakes.push(nowMs() - t);
    }
    return {
      store: storeDescription,
      workflows: n,
      maxResidentRuns,
      residentRunsWhenIdle: resident,
      startSeconds: round(startMs / 1000, 1),
      startsPerSec: round(n / (startMs / 1000), 0),
      baselineRssMiB: round(baselineRss / MiB, 1),
      idleRssMiB: round(idleRss / MiB, 1),
      idleRssAfterGcMiB: round(mem.rss / MiB, 1),
      halfIdleRssAfterGcMiB: round(halfMem.rss / MiB, 1),
      bytesPerFurtherWaitingRun: round(perRunBytes, 0),
      projectedRssFor1MMiB: round((mem.rss + (1_000_000 - n) * perRunBytes) / MiB, 1),
      heapUsedAfterGcMiB: round(mem.heapUsed / MiB, 1),
      externalMiB: round(mem.external / MiB, 1),
      peakRssMiB: round(peak / MiB, 1),
      gcExposed: gc !== undefined,
      wakeSample,
      ...latencyFigures('wakeSignalToResult', wakes),
    };
  });
}
