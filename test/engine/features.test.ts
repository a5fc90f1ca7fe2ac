import { afterEach, describe, expect, it } from 'vitest';
import { Context, CompleteAsyncError } from '../../src/activity/index.js';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';

const workflowsPath = new URL('../fixtures/workflows/features.ts', import.meta.url).pathname;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  engine = undefined;
});

const aborted: string[] = [];
let asyncToken: string | undefined;
let counted = 0;
const logs: string[] = [];

const activities = {
  local: async (x: number) => x * 10,
  heartbeater: async () => {
    const ctx = Context.current();
    if (ctx.info.attempt === 1) {
      ctx.heartbeat({ progress: 42 });
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('retry me');
    }
    return ctx.info.heartbeatDetails;
  },
  waitForCancel: async () => {
    const ctx = Context.current();
    await new Promise<void>((resolve) =>
      ctx.cancellationSignal.addEventListener('abort', () => resolve()),
    );
    aborted.push(ctx.info.activityId);
    throw new Error('stopped');
  },
  neverEnds: async () => new Promise<void>(() => undefined),
  asyncDone: async () => {
    asyncToken = Context.current().info.taskToken;
    throw new CompleteAsyncError();
  },
  counter: async () => ++counted,
};

async function start(extra: Partial<Parameters<typeof createEngine>[0]> = {}): Promise<Engine> {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    activities,
    deadlockTimeoutMs: 200,
    workflowLogger: (l) => logs.push(l.message),
    ...extra,
  });
  return engine;
}

describe('engine features', () => {
  it('runs local activities and records them as local', async () => {
    const e = await start();
    const h = await e.start('localActivity', { args: [1] });
    expect(await h.result()).toBe(30);
    const scheduled = (await h.fetchHistory()).events.filter((x) => x.type === 'ActivityScheduled');
    expect(scheduled.map((x) => (x as { local?: boolean }).local)).toEqual([true, true]);
  });

  it('passes the last heartbeat details to the next attempt', async () => {
    const e = await start();
    expect(await e.execute('heartbeats')).toEqual({ progress: 42 });
  });

  it('cancels a running activity through a cancellation scope: its AbortSignal fires', async () => {
    const e = await start();
    const h = await e.start('cancelActivity');
    expect(await h.result()).toBe('cancelled');
    await e.whenIdle();
    await new Promise((r) => setTimeout(r, 50));
    expect(aborted.length).toBeGreaterThan(0);
    const types = (await h.fetchHistory()).events.map((x) => x.type);
    expect(types).toContain('ActivityCancelRequested');
    expect(types).toContain('TimerStarted');
  });

  it('times out attempts (start-to-close) and reports the timeout with the attempt count', async () => {
    const e = await start();
    expect(await e.execute('startToCloseTimeout')).toBe(
      'ActivityFailure/TimeoutFailure/START_TO_CLOSE/2',
    );
  });

  it('enforces schedule-to-close with a durable timer', async () => {
    const e = await start();
    expect(await e.execute('scheduleToCloseTimeout')).toBe('timeout SCHEDULE_TO_CLOSE');
  });

  it('deletes the schedule-timeout timers of an activity that completed', async () => {
    const store = createMemoryStore();
    const e = await start({ store });
    const h = await e.start('activityTimersCleared');
    let timers: string[] = [];
    for (let i = 0; i < 200; i++) {
      const events = (await h.fetchHistory()).events;
      if (events.some((x) => x.type === 'TimerStarted')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    timers = (
      await store.listTimers({ namespace: 'default', workflowId: h.workflowId, runId: h.runId! })
    ).map((t) => t.timerId);
    // Only the workflow's own sleep is left: each activity's schedule-to-close and
    // schedule-to-start timers went with its outcome.
    expect(timers).toHaveLength(1);
    expect(timers[0]).not.toMatch(/^activity\//);
  });

  it('enforces schedule-to-start when no worker picks the task up', async () => {
    const e = await start();
    const h = await e.start('scheduleToStartTimeout');
    expect(await h.result()).toBe('timeout SCHEDULE_TO_START');
    const described = await h.describe();
    expect(described.pendingActivities).toEqual([]);
  });

  it('completes an activity asynchronously by task token', async () => {
    const e = await start();
    const h = await e.start('asyncCompletion');
    for (let i = 0; i < 100 && asyncToken === undefined; i++)
      await new Promise((r) => setTimeout(r, 10));
    await e.completeActivity(asyncToken!, 'done later');
    expect(await h.result()).toBe('done later');
    await expect(e.completeActivity(asyncToken!, 'again')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('turns a synchronous infinite loop into a task failure, delivering its log lines; the run stays RUNNING', async () => {
    logs.length = 0;
    const e = await start();
    const h = await e.start('deadlocker');
    for (let i = 0; i < 100; i++) {
      const events = (await h.fetchHistory()).events;
      if (events.some((x) => x.type === 'WorkflowTaskFailed')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const failed = (await h.fetchHistory()).events.find((x) => x.type === 'WorkflowTaskFailed');
    expect(failed).toMatchObject({ cause: 'deadlock' });
    expect((await h.describe()).status).toBe('RUNNING');
    // Written before the loop: the activation never returns its output, the line arrives anyway.
    expect(logs).toContain('logging before getting stuck');
  });

  it('records a bug as a task failure (not a workflow failure) and keeps the run open', async () => {
    const e = await start();
    const h = await e.start('stuckBug');
    for (let i = 0; i < 100; i++) {
      if ((await h.fetchHistory()).events.some((x) => x.type === 'WorkflowTaskFailed')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const events = (await h.fetchHistory()).events;
    expect(events.find((x) => x.type === 'WorkflowTaskFailed')).toMatchObject({
      cause: 'unhandled',
      failure: { type: 'TypeError' },
    });
    expect(events.some((x) => x.type === 'WorkflowFailed')).toBe(false);
    expect((await h.describe()).status).toBe('RUNNING');
    expect(await h.query('__stack_trace')).toBeTypeOf('string');
  });

  it('rebuilds evicted runs by replay without repeating log lines or activities', async () => {
    const e = await start({ maxResidentRuns: 1 });
    logs.length = 0;
    const h = await e.start('logsOnce', { workflowId: 'log-1' });
    // Start other runs so log-1 is evicted, then wake it.
    for (let i = 0; i < 5; i++) await e.start('waits', { workflowId: `filler-${i}` });
    await e.whenIdle();
    expect(e.stats.residentRuns).toBeLessThanOrEqual(6);
    await h.signal('go');
    expect(await h.result()).toBe(1);
    expect(logs.filter((l) => l === 'before wait')).toHaveLength(1);
    expect(logs.filter((l) => l === 'console line')).toHaveLength(1);
    expect(logs.filter((l) => l === 'after wait')).toHaveLength(1);
    expect(counted).toBe(1);
  });

  it('rebuilds many evicted runs woken together (replays batched) without repeating effects', async () => {
    const e = await start({ maxResidentRuns: 5 });
    logs.length = 0;
    counted = 0;
    const handles = await Promise.all(
      Array.from({ length: 60 }, (_, i) => e.start('logsOnce', { workflowId: `many-${i}` })),
    );
    await e.whenIdle();
    expect(e.stats.residentRuns).toBeLessThanOrEqual(10);
    await Promise.all(handles.map((h) => h.signal('go')));
    const results = await Promise.all(handles.map((h) => h.result() as Promise<number>));
    expect(new Set(results).size).toBe(60);
    expect(logs.filter((l) => l === 'before wait')).toHaveLength(60);
    expect(logs.filter((l) => l === 'console line')).toHaveLength(60);
    expect(logs.filter((l) => l === 'after wait')).toHaveLength(60);
    expect(counted).toBe(60);
  });

  it('answers __stack_trace with where the run waits', async () => {
    const e = await start();
    const h = await e.start('waits');
    const trace = await h.query<string>('__stack_trace');
    expect(trace).toContain('condition with 3600000 ms timeout');
    expect(trace).toContain('timer 1');
  });

  it('__stack_trace locates the first 64 operations an activation starts and counts the rest', async () => {
    const e = await start();
    const h = await e.start('wideWait', { args: [100] });
    const trace = await h.query<string>('__stack_trace');
    const lines = trace.split('\n');
    const waiting = lines.filter((l) => l.startsWith('waiting on timer'));
    expect(waiting).toHaveLength(100);
    // A located operation is followed by its stack (indented lines naming the workflow).
    const located = lines.filter(
      (l, i) => l.startsWith('waiting on') && lines[i + 1]?.startsWith('  '),
    );
    expect(located).toHaveLength(64);
    expect(trace).toContain('at sleep');
    expect(lines.at(-1)).toBe(
      '36 operation(s) without a stack: an activation records where its first 64 operations started',
    );
  });
});
