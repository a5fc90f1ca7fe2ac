// The three scenarios of `aion bench`, run against a target (an embedded engine, or a server
// through the remote client): S1 throughput and single-run latency, S2 fan-out wall time, S3
// many timers at once. Each returns its figures; printing is format.ts's.
import { randomBytes } from 'node:crypto';

/** A started bench workflow. */
export interface BenchHandle {
  result(): Promise<unknown>;
  /** Events in the run's history (read once, after S1). */
  historyLength(): Promise<number>;
}

/** Where the scenarios run. */
export interface BenchTarget {
  /** Workflows in flight at once; `undefined`: every one started at once. */
  readonly window: number | undefined;
  /** Whether this process runs the engine (then CPU and RSS figures mean something). */
  readonly inProcess: boolean;
  start(type: string, args: readonly unknown[]): Promise<BenchHandle>;
  /** Starts a workflow and returns its result, as a user's client would (else start, then result). */
  execute?(type: string, args: readonly unknown[]): Promise<unknown>;
}

export type ScenarioName = 's1' | 's2' | 's3';
export const SCENARIOS: readonly ScenarioName[] = ['s1', 's2', 's3'];

/**
 * Runs one at a time before the timed single runs, by default: the latency of a long-running
 * engine, not of one still compiling its path. From a fresh engine, the p50 of successive
 * blocks of 150 single runs on PostgreSQL was 4.03, 3.75, 3.30, 2.93, 2.81, 2.74, 2.69, 2.68 ms
 * (and 4.22, 4.14, 4.34, 4.06, 3.60, 3.27, 3.20, 3.39, 2.76, 2.72 in another process): steady
 * after 900–1,350 runs. On SQLite 2.23, 2.21, 1.98, 1.76, 1.65, 1.66, 1.63: steady after ~750.
 * V8 compiles the path in tiers, and each of a PostgreSQL pool's ten connections plans the
 * statements it is given (a generic plan after five executions).
 */
export const SINGLE_RUN_WARMUP = 1500;

export interface BenchSizes {
  readonly s1Workflows: number;
  readonly singleRuns: number;
  /** Runs one at a time before S1's timed single runs (see {@link SINGLE_RUN_WARMUP}). */
  readonly warmupRuns: number;
  readonly fanOut: number;
  readonly fanOutTrials: number;
  readonly s3Workflows: number;
  readonly sleepMs: number;
}

export const DEFAULT_SIZES: BenchSizes = {
  s1Workflows: 2000,
  singleRuns: 50,
  warmupRuns: SINGLE_RUN_WARMUP,
  fanOut: 100,
  fanOutTrials: 10,
  s3Workflows: 1000,
  sleepMs: 2000,
};

export interface S1Figures {
  readonly workflows: number;
  /** Workflows in flight at once, when not all were started at once (server runs). */
  readonly inFlight?: number;
  readonly activitiesPerWorkflow: 3;
  readonly eventsPerWorkflow: number;
  readonly seconds: number;
  readonly workflowsPerSec: number;
  readonly activitiesPerSec: number;
  readonly eventsPerSec: number;
  /** Process CPU (every thread) per workflow, ms; embedded only. */
  readonly cpuMsPerWorkflow?: number;
  readonly peakRssMiB?: number;
  /** Runs one at a time before the timed single runs. */
  readonly warmupRuns: number;
  readonly singleRuns: number;
  readonly singleRunP50Ms: number;
  readonly singleRunP99Ms: number;
}

export interface S2Figures {
  readonly activities: number;
  readonly trials: number;
  readonly wallP50Ms: number;
  readonly wallP99Ms: number;
}

export interface S3Figures {
  readonly workflows: number;
  /** Start requests in flight at once, when not all were sent at once (server runs). */
  readonly inFlight?: number;
  readonly sleepMs: number;
  readonly totalMs: number;
  readonly overheadMs: number;
  readonly peakRssMiB?: number;
}

const MiB = 2 ** 20;

/** Percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function nowMs(): number {
  return performance.now();
}

/** Runs `task(i)` for i in [0, n) with at most `window` in flight (all at once without one). */
async function pool<T>(n: number, window: number | undefined, task: (i: number) => Promise<T>) {
  const out: T[] = new Array<T>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window ?? n, n) }, worker));
  return out;
}

/** Samples the process RSS and keeps the peak. */
class RssSampler {
  #peak = process.memoryUsage().rss;
  readonly #timer = setInterval(() => this.#sample(), 50);

  #sample(): void {
    this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
  }

  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    return round(this.#peak / MiB, 1);
  }
}

function inFlight(target: BenchTarget, n: number): { inFlight?: number } {
  return target.window !== undefined && target.window < n ? { inFlight: target.window } : {};
}

async function execute(target: BenchTarget, type: string, args: readonly unknown[] = []) {
  if (target.execute) return target.execute(type, args);
  return (await target.start(type, args)).result();
}

/** Fails the scenario when a workflow returned something other than `expected`. */
function expectAll(scenario: string, results: readonly unknown[], expected: unknown): void {
  const wrong = results.filter((r) => r !== expected).length;
  if (wrong > 0) throw new Error(`${scenario}: ${wrong} workflows returned a wrong result`);
}

/**
 * S1: `n` workflows of three sequential activities, all started at once (or within the
 * target's window), then `singleRuns` one at a time (start → result) for latency.
 */
export async function runS1(target: BenchTarget, sizes: BenchSizes): Promise<S1Figures> {
  const n = sizes.s1Workflows;
  for (let i = 0; i < 10; i++) await execute(target, 'benchThreeSteps'); // warm-up
  const rss = target.inProcess ? new RssSampler() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const results = await pool(n, target.window, (_) => execute(target, 'benchThreeSteps'));
  const seconds = (nowMs() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peakRssMiB = rss?.stop();
  expectAll('S1', results, 3);
  const probe = await target.start('benchThreeSteps', []);
  await probe.result();
  const eventsPerWorkflow = await probe.historyLength();
  // The single runs' own warm-up (SINGLE_RUN_WARMUP; docs/performance.md, the method).
  for (let i = 0; i < sizes.warmupRuns; i++) await execute(target, 'benchThreeSteps');
  const single: number[] = [];
  for (let i = 0; i < sizes.singleRuns; i++) {
    const t = nowMs();
    await execute(target, 'benchThreeSteps');
    single.push(nowMs() - t);
  }
  return {
    workflows: n,
    ...inFlight(target, n),
    activitiesPerWorkflow: 3,
    eventsPerWorkflow,
    seconds: round(seconds, 3),
    workflowsPerSec: round(n / seconds, 1),
    activitiesPerSec: round((3 * n) / seconds, 1),
    eventsPerSec: round((eventsPerWorkflow * n) / seconds, 0),
    ...(peakRssMiB !== undefined
      ? { cpuMsPerWorkflow: round((cpu.user + cpu.system) / 1000 / n, 3), peakRssMiB }
      : {}),
    warmupRuns: sizes.warmupRuns,
    singleRuns: single.length,
    singleRunP50Ms: round(percentile(single, 50), 2),
    singleRunP99Ms: round(percentile(single, 99), 2),
  };
}

/**
 * Activities run in untimed fan-outs of the measured width before S2's trials: the engine's
 * dispatch and settle paths reach V8's optimizing tier only after some thousands of
 * activities. On a 2-core machine, 100-way trials after one to three warm-up fan-outs took
 * about 8–10 ms; after 30, about 5.5 ms (docs/performance.md).
 */
export const FAN_OUT_WARMUP_ACTIVITIES = 3000;

/** Untimed fan-outs of width `n` before S2's trials: three to thirty. */
export function fanOutWarmups(n: number): number {
  return Math.min(30, Math.max(3, Math.ceil(FAN_OUT_WARMUP_ACTIVITIES / Math.max(1, n))));
}

/**
 * S2: one workflow fanning out `fanOut` activities at once, `fanOutTrials` times in a row
 * (after {@link fanOutWarmups} untimed fan-outs).
 */
export async function runS2(target: BenchTarget, sizes: BenchSizes): Promise<S2Figures> {
  const n = sizes.fanOut;
  for (let i = fanOutWarmups(n); i > 0; i--) await execute(target, 'benchFanOut', [n]);
  const walls: number[] = [];
  for (let i = 0; i < sizes.fanOutTrials; i++) {
    const t = nowMs();
    const count = await execute(target, 'benchFanOut', [n]);
    walls.push(nowMs() - t);
    if (count !== n) throw new Error(`S2: the fan-out returned ${String(count)}, expected ${n}`);
  }
  return {
    activities: n,
    trials: walls.length,
    wallP50Ms: round(percentile(walls, 50), 1),
    wallP99Ms: round(percentile(walls, 99), 1),
  };
}

/**
 * S3: `s3Workflows` workflows each sleeping `sleepMs`, all started at once: the time from the
 * first start until every result is in, and what it adds to the sleep itself.
 */
export async function runS3(target: BenchTarget, sizes: BenchSizes): Promise<S3Figures> {
  const { s3Workflows: n, sleepMs } = sizes;
  await execute(target, 'benchSleeper', [1]); // warm-up
  const rss = target.inProcess ? new RssSampler() : undefined;
  const t0 = nowMs();
  const handles = await pool(n, target.window, () => target.start('benchSleeper', [sleepMs]));
  await pool(n, target.window, (i) => handles[i]!.result());
  const totalMs = nowMs() - t0;
  const peakRssMiB = rss?.stop();
  return {
    workflows: n,
    ...inFlight(target, n),
    sleepMs,
    totalMs: round(totalMs, 1),
    overheadMs: round(totalMs - sleepMs, 1),
    ...(peakRssMiB !== undefined ? { peakRssMiB } : {}),
  };
}

/**
 * `target`, refusing new starts once `stop()` was called: an interrupted bench must not keep
 * starting workflows in the background while it cleans up.
 */
export function stoppable(target: BenchTarget): { target: BenchTarget; stop: () => void } {
  let stopped = false;
  const refused = (): Promise<never> => Promise.reject(new Error('the bench was stopped'));
  const execute = target.execute?.bind(target);
  return {
    target: {
      window: target.window,
      inProcess: target.inProcess,
      start: (type, args) => (stopped ? refused() : target.start(type, args)),
      ...(execute ? { execute: (type, args) => (stopped ? refused() : execute(type, args)) } : {}),
    },
    stop: () => {
      stopped = true;
    },
  };
}

/** A short random suffix for names the bench creates (namespaces, files, schemas). */
export function benchSuffix(): string {
  return randomBytes(4).toString('hex');
}
