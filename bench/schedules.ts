// Schedules benchmark (`npm run bench -- schedules`): 10,000 schedules, each firing every 10 s
// (phases spread evenly over the 10 s), run for two minutes on SQLite. Reported: fires started
// per second against the rate the specs ask for, and the lateness of a started fire (actual −
// nominal) at p50/p99. The floor, measured in the same run on a fresh store: the same engine
// starting and completing the same workflow directly (`client.workflow.start`) as fast as it
// can — what a fire costs at least.
//   AION_BENCH_SCHEDULES          schedules (default 10000)
//   AION_BENCH_SCHEDULES_SECONDS  measured window (default 120)
import { createEngine, type Metrics } from '../src/index.js';
import { openBenchStore, WORKFLOWS_PATH } from './engine-common.js';
import { nowMs, percentile, round, type Emit } from './lib.js';

const SCHEDULES = Number.parseInt(process.env.AION_BENCH_SCHEDULES ?? '10000', 10);
const SECONDS = Number.parseInt(process.env.AION_BENCH_SCHEDULES_SECONDS ?? '120', 10);
const EVERY_MS = 10_000;
const FLOOR_STARTS = 5_000;

/** Metrics that keep what the benchmark reads: fire outcomes and fire lateness. */
function recordingMetrics() {
  const lags: number[] = [];
  const outcomes = new Map<string, number>();
  const noop = { inc: () => undefined, set: () => undefined, observe: () => undefined };
  const metrics: Metrics = {
    counter: (name) =>
      name === 'aion_schedule_fires_total'
        ? {
            inc: (v = 1, labels) => {
              const o = labels?.outcome ?? '?';
              outcomes.set(o, (outcomes.get(o) ?? 0) + v);
            },
          }
        : noop,
    gauge: () => noop,
    histogram: (name) =>
      name === 'aion_schedule_fire_lag_seconds' ? { observe: (v) => lags.push(v) } : noop,
  };
  return { metrics, lags, outcomes };
}

async function inBatches(n: number, width: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function floor(emit: Emit): Promise<number> {
  const bench = await openBenchStore('sqlite');
  const engine = await createEngine({ store: bench.store, workflowsPath: WORKFLOWS_PATH });
  try {
    const t0 = nowMs();
    await inBatches(FLOOR_STARTS, 200, async (i) => {
      const h = await engine.client.workflow.start('tick', { workflowId: `floor-${i}` });
      await h.result();
    });
    const perSecond = FLOOR_STARTS / ((nowMs() - t0) / 1000);
    emit({
      suite: 'schedules',
      name: 'floor: direct start + complete',
      store: bench.description,
      workflows: FLOOR_STARTS,
      perSecond: round(perSecond, 1),
    });
    return perSecond;
  } finally {
    await engine.shutdown();
    await bench.dispose();
  }
}

async function schedules(emit: Emit, floorPerSecond: number): Promise<void> {
  const bench = await openBenchStore('sqlite');
  const rec = recordingMetrics();
  const engine = await createEngine({
    store: bench.store,
    workflowsPath: WORKFLOWS_PATH,
    metrics: rec.metrics,
  });
  try {
    const schedule = engine.client.schedule;
    const t0 = nowMs();
    await inBatches(SCHEDULES, 50, (i) =>
      schedule.create({
        scheduleId: `s-${i}`,
        spec: {
          intervals: [{ every: EVERY_MS, offset: Math.floor((i * EVERY_MS) / SCHEDULES) }],
        },
        action: { type: 'startWorkflow', workflowType: 'tick' },
        policies: { overlap: 'ALLOW_ALL' },
      }),
    );
    const createSeconds = (nowMs() - t0) / 1000;
    // Measure a steady window: lateness and starts of the fires decided in it.
    rec.lags.length = 0;
    rec.outcomes.clear();
    const w0 = nowMs();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const windowSeconds = (nowMs() - w0) / 1000;
    const started = rec.outcomes.get('started') ?? 0;
    const perSecond = started / windowSeconds;
    const asked = SCHEDULES / (EVERY_MS / 1000);
    emit({
      suite: 'schedules',
      name: `${SCHEDULES} schedules every 10 s`,
      store: bench.description,
      createSeconds: round(createSeconds, 1),
      windowSeconds: round(windowSeconds, 1),
      firesStarted: started,
      outcomes: Object.fromEntries(rec.outcomes),
      startedPerSecond: round(perSecond, 1),
      askedPerSecond: asked,
      ofAsked: round(perSecond / asked, 3),
      ofFloor: round(perSecond / floorPerSecond, 3),
      latenessMs: {
        p50: round(percentile(rec.lags, 50) * 1000, 1),
        p99: round(percentile(rec.lags, 99) * 1000, 1),
        max: round(Math.max(...rec.lags, 0) * 1000, 1),
      },
    });
  } finally {
    await engine.shutdown();
    await bench.dispose();
  }
}

export default async function run(emit: Emit): Promise<void> {
  const perSecond = await floor(emit);
  await schedules(emit, perSecond);
}
