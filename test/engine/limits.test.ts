// History limits (length and bytes) and per-run limits, on every store: a run at its limit
// ends TERMINATED (history_too_large) without a retry loop, operators can still cancel and
// terminate it, and a task breaking a per-run limit fails like any task crash.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  type Engine,
  type EngineOptions,
  type Labels,
  type Metrics,
} from '../../src/index.js';
import type { HistoryEvent } from '../../src/core/index.js';
import type { Store } from '../../src/store/index.js';
import type { StoreHandle, StoreHarness } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';

const workflowsPath = new URL('../fixtures/workflows/limits.ts', import.meta.url).pathname;

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
let stepCalls = 0;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 1000 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  stepCalls = 0;
});

async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A store that counts the run commits it is asked to write, per run. */
function countingStore(store: Store, commits: Map<string, number>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop !== 'commit') {
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return (batch: Parameters<Store['commit']>[0]) => {
        for (const c of batch) commits.set(c.run.runId, (commits.get(c.run.runId) ?? 0) + 1);
        return target.commit(batch);
      };
    },
  });
}

/** Metrics that remember every counter increment. */
function recordingMetrics(samples: { name: string; labels: Labels }[]): Metrics {
  const noop = { set: () => undefined, observe: () => undefined };
  return {
    counter: (name) => ({ inc: (_v, labels = {}) => void samples.push({ name, labels }) }),
    gauge: () => noop,
    histogram: () => noop,
  };
}

describe.each(ENGINE_HARNESSES)('history and per-run limits on $name', (harness: StoreHarness) => {
  const lines: LogLine[] = [];
  const samples: { name: string; labels: Labels }[] = [];
  const commits = new Map<string, number>();
  const log =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      void lines.push({ level, message, fields });
  const count = (message: string): number => lines.filter((l) => l.message === message).length;
  const metric = (name: string): Labels[] =>
    samples.filter((s) => s.name === name).map((s) => s.labels);

  async function start(
    extra: Partial<EngineOptions> = {},
    storeLimits?: { maxHistoryLength: number },
  ): Promise<Engine> {
    lines.length = 0;
    samples.length = 0;
    commits.clear();
    handle = await harness.create(storeLimits ? { limits: storeLimits } : {});
    engine = await createEngine({
      store: countingStore(handle.store, commits),
      workflowsPath,
      activities: {
        step: async (input: number | string) => {
          stepCalls++;
          return typeof input === 'string' ? 'ok' : String(input);
        },
      },
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      metrics: recordingMetrics(samples),
      limits: { maxHistoryLength: 200 },
      supervision: { maxRestarts: 1, withinMs: 60_000 },
      ...extra,
    });
    return engine;
  }

  async function history(workflowId: string, runId?: string): Promise<readonly HistoryEvent[]> {
    return (await engine!.getHandle(workflowId, runId).fetchHistory()).events;
  }

  /**
   * Waits until `fillsUp` has stopped stepping: no activity in flight and its last task
   * recorded. A task record alone is not enough: the one that schedules its last step is
   * followed by that step's completion and one more task, which a control recorded
   * meanwhile would push past the workflow's share of the history.
   */
  async function untilFilled(workflowId: string, runId?: string): Promise<void> {
    await until(async () => {
      const events = await history(workflowId, runId);
      const count = (type: string): number => events.filter((e) => e.type === type).length;
      return (
        count('ActivityScheduled') === count('ActivityCompleted') &&
        events.at(-1)?.type === 'WorkflowTaskCompleted'
      );
    });
  }

  async function terminatedBy(workflowId: string, runId?: string): Promise<string | undefined> {
    const events = await history(workflowId, runId);
    const last = events[events.length - 1];
    return last?.type === 'WorkflowTerminated' ? last.reason : undefined;
  }

  it('ends a looping run TERMINATED (history_too_large) within the limit, with a bounded number of commits', async () => {
    const e = await start();
    const h = await e.start('looping', { workflowId: 'loop' });
    await until(async () => (await h.describe()).status === 'TERMINATED');
    const events = await history('loop', h.runId);
    expect(await terminatedBy('loop', h.runId)).toBe('history_too_large');
    // The workflow's own events stop at 200 − 20; the terminate event is the one after.
    expect(events.length).toBeLessThanOrEqual(181);
    expect(events.length).toBeGreaterThan(170);
    await expect(h.result()).rejects.toMatchObject({ status: 'TERMINATED' });
    // Once at the limit: one termination, one warning, no commit retried, no refusal.
    const runId = h.runId ?? '';
    const runCommits = commits.get(runId) ?? 0;
    expect(runCommits).toBeLessThanOrEqual(events.length);
    expect(count('commit failed')).toBe(0);
    expect(count('workflow run terminated: history_too_large')).toBe(1);
    expect(
      count('workflow history is nearing its limit; the workflow should continue as new'),
    ).toBe(1);
    expect(metric('aion_history_limit_terminations_total')).toEqual([
      { workflow_type: 'looping', limit: 'length' },
    ]);
    expect(metric('aion_history_limit_warnings_total')).toEqual([
      { workflow_type: 'looping', limit: 'length' },
    ]);
    const warning = lines.find((l) => l.message.startsWith('workflow history is nearing'));
    expect(warning?.fields).toMatchObject({ workflowId: 'loop', limit: 'length', fraction: 0.8 });
    expect(Number(warning?.fields.historyLength)).toBeGreaterThan(0.8 * 180);
    // Nothing more happens to it: another run goes through, and the count stays put.
    const other = await e.start('manyActivities', { workflowId: 'after', args: [2] });
    expect(await other.result()).toBe(2);
    await e.whenIdle();
    expect(commits.get(runId)).toBe(runCommits);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('answers queries near the limit; cancel and terminate at the limit succeed', async () => {
    const e = await start();
    const full = async (workflowId: string): Promise<string | undefined> => {
      const h = await e.start('fillsUp', { workflowId, args: [180] });
      await untilFilled(workflowId, h.runId);
      await e.whenIdle(); // the commit may read back before the engine has settled it
      return h.runId;
    };
    const cancelled = await full('to-cancel');
    const c = e.getHandle('to-cancel', cancelled);
    expect(await c.query<number>('steps')).toBeGreaterThan(50);
    await c.cancel('enough');
    await expect(c.result()).rejects.toMatchObject({ status: 'CANCELLED' });
    expect((await history('to-cancel', cancelled)).length).toBeLessThanOrEqual(200);

    const terminated = await full('to-terminate');
    const t = e.getHandle('to-terminate', terminated);
    await t.terminate('operator says so');
    expect(await terminatedBy('to-terminate', terminated)).toBe('operator says so');
    // A closed run answers from a replay of its history, at once; this one's code reads its
    // history length, which its replay does not reproduce at the cap: query_failed, not a
    // refusal as closed.
    const answer = await t.query<number>('steps').catch((err: unknown) => err);
    expect(typeof answer === 'number' ? 'answered' : (answer as { code?: string }).code).toMatch(
      /^(answered|query_failed)$/,
    );
    expect(count('commit failed')).toBe(0);
  });

  it('keeps room for terminate: controls fill the headroom up to one event, then are refused', async () => {
    const e = await start();
    const h = await e.start('fillsUp', { workflowId: 'paused', args: [180] });
    await untilFilled('paused', h.runId);
    let refused: unknown;
    for (let i = 0; i < 30 && refused === undefined; i++) {
      try {
        await h.pause('again');
        await h.resume();
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ code: 'history_too_large' });
    expect((await history('paused', h.runId)).length).toBe(199);
    await h.terminate('at the very end');
    const events = await history('paused', h.runId);
    expect(events).toHaveLength(200);
    expect(events.at(-1)).toMatchObject({ type: 'WorkflowTerminated', reason: 'at the very end' });
  });

  it('ends a run at the limit when a signal arrives that does not fit', async () => {
    const e = await start();
    const h = await e.start('fillsUp', { workflowId: 'signalled', args: [180] });
    await untilFilled('signalled', h.runId);
    const refusals: unknown[] = [];
    for (let i = 0; i < 5; i++) await h.signal('poke').catch((err: unknown) => refusals.push(err));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toMatchObject({ code: 'workflow_closed' });
    expect(await terminatedBy('signalled', h.runId)).toBe('history_too_large');
    expect((await history('signalled', h.runId)).length).toBeLessThanOrEqual(181);
  });

  it('enforces the byte limit the same way, and warns at the fraction', async () => {
    const e = await start({ limits: { maxHistoryLength: 200, maxHistoryBytes: 32 * 1024 } });
    const h = await e.start('bigSteps', { workflowId: 'bytes', args: [1] });
    await until(async () => (await h.describe()).status === 'TERMINATED');
    const events = await history('bytes', h.runId);
    expect(await terminatedBy('bytes', h.runId)).toBe('history_too_large');
    expect(events.length).toBeLessThan(120); // far below the length limit: bytes decided
    expect(metric('aion_history_limit_terminations_total')).toEqual([
      { workflow_type: 'bigSteps', limit: 'bytes' },
    ]);
    expect(metric('aion_history_limit_warnings_total')).toEqual([
      { workflow_type: 'bigSteps', limit: 'bytes' },
    ]);
    expect(count('commit failed')).toBe(0);
  });

  it('uses the lower of the engine and store history limits', async () => {
    const e = await start({ limits: {} }, { maxHistoryLength: 100 });
    const h = await e.start('looping', { workflowId: 'store-limit' });
    await until(async () => (await h.describe()).status === 'TERMINATED');
    expect(await terminatedBy('store-limit', h.runId)).toBe('history_too_large');
    expect((await history('store-limit', h.runId)).length).toBeLessThanOrEqual(81);
    expect(count('commit failed')).toBe(0);
  });

  it('parks (does not loop on) a run whose history was filled to the hard cap without headroom', async () => {
    // Fill a history to exactly 200 events with an engine allowing 400 …
    let e = await start({ limits: { maxHistoryLength: 400 } });
    const h = await e.start('fillsUp', { workflowId: 'legacy', args: [200] });
    await untilFilled('legacy', h.runId);
    await e.whenIdle();
    for (let n = (await history('legacy', h.runId)).length; n < 200; n++) {
      if (n % 2 === 0) await h.pause('filling');
      else await h.resume();
    }
    expect(await history('legacy', h.runId)).toHaveLength(200);
    await e.shutdown({ timeoutMs: 1000 });
    // … then run it on an engine whose cap is 200: nothing fits, not even a terminal event.
    lines.length = 0;
    commits.clear();
    engine = e = await createEngine({
      store: countingStore(handle!.store, commits),
      workflowsPath,
      activities: { step: async () => 'ok' },
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      limits: { maxHistoryLength: 200 },
    });
    const again = e.getHandle('legacy', h.runId);
    await expect(again.signal('poke')).rejects.toMatchObject({ code: 'history_too_large' });
    await until(async () => (await again.describe()).stuck !== undefined);
    expect((await again.describe()).stuck?.reason).toContain('history_too_large');
    await expect(again.terminate('try')).rejects.toMatchObject({ code: 'history_too_large' });
    await expect(again.signal('poke')).rejects.toMatchObject({ code: 'history_too_large' });
    await e.whenIdle();
    expect(await history('legacy', h.runId)).toHaveLength(200);
    expect(count('commit failed')).toBe(0);
    expect(count('workflow run parked as stuck: history full')).toBe(1);
    expect(commits.get(h.runId ?? '')).toBe(1); // the stuck flag
  });

  const perRun = [
    {
      limit: 'maxPendingActivities',
      options: { maxPendingActivities: 5 },
      workflow: 'manyActivities',
      args: [6],
    },
    {
      limit: 'maxPendingChildren',
      options: { maxPendingChildren: 2 },
      workflow: 'manyChildren',
      args: [3],
    },
    {
      limit: 'maxPendingSignals',
      options: { maxPendingSignals: 2 },
      workflow: 'manySignals',
      args: ['nobody', 3],
    },
    {
      limit: 'maxCommandsPerTask',
      options: { maxCommandsPerTask: 3 },
      workflow: 'manyTimers',
      args: [4],
    },
  ] as const;

  it.each(perRun)(
    '$limit: a task over it fails (cause limit), is retried, then parked; nothing of it runs',
    async ({ limit, options, workflow, args }) => {
      const e = await start({ limits: { maxHistoryLength: 200, ...options } });
      const h = await e.start(workflow, { workflowId: `over-${limit}`, args: [...args] });
      await until(async () => (await h.describe()).stuck !== undefined);
      const d = await h.describe();
      expect(d.status).toBe('RUNNING');
      expect(d.stuck?.reason).toContain(`limits.${limit}`);
      const failed = (await history(`over-${limit}`, h.runId)).filter(
        (x) => x.type === 'WorkflowTaskFailed',
      );
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed[0]).toMatchObject({
        cause: 'limit',
        failure: { message: expect.stringContaining('[run_limit_exceeded]') as unknown },
      });
      expect(stepCalls).toBe(0);
      // Bounded: the first failure and one retry (maxRestarts 1), then parked.
      expect(count('workflow task failed')).toBe(2);
      expect(count('workflow run parked as stuck after repeated task failures')).toBe(1);
      expect(metric('aion_workflow_task_failures_total')).toEqual([
        { cause: 'limit' },
        { cause: 'limit' },
      ]);
      expect(count('commit failed')).toBe(0);
    },
  );

  it('lets a task reach a per-run limit exactly', async () => {
    const e = await start({ limits: { maxHistoryLength: 200, maxPendingActivities: 5 } });
    const h = await e.start('manyActivities', { workflowId: 'at-limit', args: [5] });
    expect(await h.result()).toBe(5);
  });

  it('validates the limits', async () => {
    handle = await harness.create();
    const store = handle.store;
    await expect(createEngine({ store, limits: { maxHistoryLength: 20 } })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      createEngine({ store, limits: { maxPendingActivities: 0 } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      details: { field: 'limits.maxPendingActivities' },
    });
  });
});
