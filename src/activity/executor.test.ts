import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/index.js';
import {
  ApplicationFailure,
  JsonPayloadConverter,
  TimeoutFailure,
  isAionError,
  isCancellation,
  type RecordedActivityOptions,
} from '../core/index.js';
import { CompleteAsyncError } from './complete-async.js';
import { Context } from './context.js';
import { ActivityExecutor } from './executor.js';
import type { LogRecord } from './log.js';
import type { ActivityFunction, ActivityInfo, AttemptOutcome } from './types.js';

const T0 = Date.UTC(2026, 0, 1);
const json = new JsonPayloadConverter();

function info(overrides: Partial<ActivityInfo> = {}): ActivityInfo {
  return {
    namespace: 'default',
    workflowId: 'wf-1',
    runId: 'run-1',
    workflowType: 'order',
    activityId: '1',
    activityType: 'work',
    taskQueue: 'main',
    attempt: 1,
    taskToken: 'token',
    scheduledTime: T0,
    startedTime: T0,
    deadline: undefined,
    heartbeatTimeoutMs: undefined,
    heartbeatDetails: undefined,
    isLocal: false,
    headers: {},
    ...overrides,
  };
}

function setup(activities: Record<string, ActivityFunction>, maxConcurrent?: number) {
  const clock = new VirtualClock(T0);
  const heartbeats: { info: ActivityInfo; details: unknown }[] = [];
  const logs: LogRecord[] = [];
  const executor = new ActivityExecutor({
    activities,
    clock,
    ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
    onHeartbeat: (i, details) => heartbeats.push({ info: i, details }),
    logger: (r) => logs.push(r),
  });
  const run = (
    options: Partial<RecordedActivityOptions> = {},
    args: unknown[] = [],
    infoOverrides: Partial<ActivityInfo> = {},
  ) => {
    const handle = executor.execute({
      info: info(infoOverrides),
      args,
      options: { taskQueue: 'main', ...options },
    });
    // Record when (virtual time) the outcome arrived.
    const settled: { outcome?: AttemptOutcome; at?: number } = {};
    void handle.outcome.then((o) => {
      settled.outcome = o;
      settled.at = clock.now();
    });
    return { ...handle, settled };
  };
  return { clock, executor, heartbeats, logs, run };
}

/** Lets pending microtasks and promise callbacks run. */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A promise the test resolves or rejects by hand. */
function deferred<T = unknown>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ActivityExecutor: outcomes', () => {
  it('completes with the return value, passing args and the context', async () => {
    let seen: ActivityInfo | undefined;
    const { run, clock } = setup({
      work: (a: number, b: number) => {
        seen = Context.current().info;
        return a + b;
      },
    });
    clock.advance(250);
    const h = run({ startToCloseTimeoutMs: 1000 }, [2, 3]);
    expect(await h.outcome).toEqual({ type: 'completed', result: 5 });
    expect(seen?.startedTime).toBe(T0 + 250);
    expect(seen?.deadline).toBe(T0 + 1250);
  });

  it('deadline is the earlier of start-to-close and schedule-to-close', async () => {
    let deadline: number | undefined;
    const { run } = setup({ work: () => void (deadline = Context.current().info.deadline) });
    await run({ startToCloseTimeoutMs: 10_000, scheduleToCloseTimeoutMs: 3_000 }).outcome;
    expect(deadline).toBe(T0 + 3_000);
  });

  it('a thrown error fails the attempt with its JSON-encoded failure', async () => {
    const { run } = setup({
      work: async () => {
        await Promise.resolve();
        throw ApplicationFailure.nonRetryable('card declined', 'PaymentDeclined', { code: 51 });
      },
    });
    const outcome = await run().outcome;
    expect(outcome.type).toBe('failed');
    if (outcome.type !== 'failed') return;
    expect(outcome.failure).toMatchObject({
      type: 'PaymentDeclined',
      message: 'card declined',
      retryable: false,
      source: 'application',
    });
    expect(outcome.failure.details?.map((d) => json.fromPayload(d))).toEqual([{ code: 51 }]);
  });

  it('a synchronous throw fails the attempt (plain errors are retryable)', async () => {
    const { run } = setup({
      work: () => {
        throw new TypeError('bad input');
      },
    });
    expect(await run().outcome).toMatchObject({
      type: 'failed',
      failure: { type: 'TypeError', message: 'bad input', retryable: true },
    });
  });

  it('an unknown activity type fails non-retryably, naming the registered types', async () => {
    const { run } = setup({ b: () => 1, a: () => 2 });
    const outcome = await run({}, [], { activityType: 'nope' }).outcome;
    expect(outcome).toMatchObject({
      type: 'failed',
      failure: { type: 'ActivityNotRegistered', retryable: false },
    });
    if (outcome.type === 'failed') {
      expect(outcome.failure.message).toContain('"nope"');
      expect(outcome.failure.message).toContain('registered types: a, b');
    }
  });

  it('CompleteAsyncError makes the outcome async', async () => {
    const { run, clock } = setup({
      work: () => {
        throw new CompleteAsyncError();
      },
    });
    const h = run({ startToCloseTimeoutMs: 1000 });
    expect(await h.outcome).toEqual({ type: 'async' });
    expect(clock.nextAt()).toBeUndefined(); // its timers were cleared
  });
});

describe('ActivityExecutor: timeouts', () => {
  it('start-to-close fires at the exact virtual time, aborts the signal and does not wait', async () => {
    let signal: AbortSignal | undefined;
    const { run, clock, executor } = setup({
      work: () => {
        signal = Context.current().cancellationSignal;
        return new Promise(() => undefined); // ignores the signal forever
      },
    });
    const h = run({ startToCloseTimeoutMs: 1000 });
    await flush();
    clock.advance(999);
    await flush();
    expect(h.settled.outcome).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    clock.advance(1);
    await flush();
    expect(h.settled.at).toBe(T0 + 1000);
    expect(h.settled.outcome).toMatchObject({
      type: 'timed_out',
      timeoutType: 'START_TO_CLOSE',
      failure: { type: 'TimeoutFailure', source: 'timeout', retryable: true },
    });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(TimeoutFailure);
    expect(executor.getStats()).toEqual({ running: 0, queued: 0, abandoned: 1 });
  });

  it('a result arriving after the timeout is ignored: exactly one outcome', async () => {
    const late = deferred<string>();
    const { run, clock, executor } = setup({ work: () => late.promise });
    const h = run({ startToCloseTimeoutMs: 100 });
    await flush();
    clock.advance(100);
    late.resolve('too late');
    await flush();
    expect(h.settled.outcome?.type).toBe('timed_out');
    expect(executor.getStats().abandoned).toBe(0);
  });

  it('times out after heartbeatTimeout without heartbeats', async () => {
    const { run, clock } = setup({ work: () => new Promise(() => undefined) });
    const h = run({ heartbeatTimeoutMs: 1000, startToCloseTimeoutMs: 60_000 });
    await flush();
    clock.advance(999);
    await flush();
    expect(h.settled.outcome).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(h.settled.at).toBe(T0 + 1000);
    expect(h.settled.outcome).toMatchObject({ type: 'timed_out', timeoutType: 'HEARTBEAT' });
  });

  it('heartbeats reset the heartbeat timeout, and details reach the sink and the failure', async () => {
    let ctx: Context | undefined;
    const { run, clock, heartbeats } = setup({
      work: () => {
        ctx = Context.current();
        return new Promise(() => undefined);
      },
    });
    const h = run({ heartbeatTimeoutMs: 1000 });
    await flush();
    clock.advance(800);
    ctx!.heartbeat({ step: 1 });
    clock.advance(900); // T0 + 1700: past the first window, inside the second
    await flush();
    expect(h.settled.outcome).toBeUndefined();
    ctx!.heartbeat({ step: 2 });
    clock.advanceTo(T0 + 2699);
    await flush();
    expect(h.settled.outcome).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(h.settled.at).toBe(T0 + 2700);
    expect(heartbeats.map((b) => b.details)).toEqual([{ step: 1 }, { step: 2 }]);
    expect(heartbeats[0]!.info.workflowId).toBe('wf-1');
    const outcome = h.settled.outcome;
    expect(outcome?.type).toBe('timed_out');
    if (outcome?.type !== 'timed_out') return;
    expect(json.fromPayload(outcome.failure.details![0]!)).toEqual({
      timeoutType: 'HEARTBEAT',
      lastHeartbeatDetails: { step: 2 },
    });
    // After the attempt ended, heartbeats are dropped and never throw.
    expect(() => ctx!.heartbeat({ step: 3 })).not.toThrow();
    expect(heartbeats).toHaveLength(2);
  });
});

describe('ActivityExecutor: cancellation', () => {
  it('cancel aborts the signal; a throw then is cancelled', async () => {
    let signal: AbortSignal | undefined;
    const { run } = setup({
      work: async () => {
        const ctx = Context.current();
        signal = ctx.cancellationSignal;
        await ctx.sleep('1 hour');
        return 'slept';
      },
    });
    const h = run();
    await flush();
    h.cancel('workflow asked');
    await flush();
    expect(signal?.aborted).toBe(true);
    expect(isCancellation(signal?.reason)).toBe(true);
    expect(h.settled.outcome).toMatchObject({
      type: 'cancelled',
      failure: { type: 'CancelledFailure', source: 'cancelled', message: 'workflow asked' },
    });
    expect(h.settled.outcome).not.toHaveProperty('shutdown');
  });

  it('Context.current() works inside the activity own abort listener (cancel and timeout)', async () => {
    const seen: string[] = [];
    const { run, clock } = setup({
      work: async () => {
        const ctx = Context.current();
        ctx.cancellationSignal.addEventListener('abort', () => {
          seen.push(Context.current().info.activityId);
        });
        await ctx.sleep('1 hour');
      },
    });
    const cancelled = run({}, [], { activityId: 'a' });
    await flush();
    cancelled.cancel('stop');
    await flush();
    const timedOut = run({ startToCloseTimeoutMs: 1000 }, [], { activityId: 'b' });
    await flush();
    clock.advance(1000);
    await flush();
    expect(seen).toEqual(['a', 'b']);
    expect(timedOut.settled.outcome).toMatchObject({ type: 'timed_out' });
  });

  it('any error thrown after cancel is a cancellation, keeping the error as cause', async () => {
    const gate = deferred();
    const { run } = setup({
      work: async () => {
        await gate.promise;
        throw new Error('db closed');
      },
    });
    const h = run();
    await flush();
    h.cancel('stop');
    gate.resolve(undefined);
    expect(await h.outcome).toMatchObject({
      type: 'cancelled',
      failure: { source: 'cancelled', cause: { type: 'Error', message: 'db closed' } },
    });
  });

  it('a value returned despite cancellation is completed (never lost)', async () => {
    const gate = deferred();
    const { run } = setup({
      work: async () => {
        await gate.promise;
        return 'charged';
      },
    });
    const h = run();
    await flush();
    h.cancel('stop');
    gate.resolve(undefined);
    expect(await h.outcome).toEqual({ type: 'completed', result: 'charged' });
  });

  it('cancel right after execute settles cancelled without calling the function', async () => {
    let calls = 0;
    const { run } = setup({ work: () => ++calls });
    const h = run();
    h.cancel('never mind');
    expect((await h.outcome).type).toBe('cancelled');
    expect(calls).toBe(0);
  });
});

describe('ActivityExecutor: concurrency', () => {
  it('queues beyond maxConcurrent in FIFO order; timers start when the attempt starts', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const { executor, clock } = setup(
      {
        work: () => {
          const id = Context.current().info.activityId;
          started.push(id);
          const g = deferred();
          gates.set(id, g);
          return g.promise;
        },
      },
      2,
    );
    const handles = ['1', '2', '3', '4'].map((activityId) => {
      const h = executor.execute({
        info: info({ activityId }),
        args: [],
        options: { taskQueue: 'main', startToCloseTimeoutMs: 1000 },
      });
      const s: { at?: number; outcome?: AttemptOutcome } = {};
      void h.outcome.then((o) => Object.assign(s, { at: clock.now(), outcome: o }));
      return { ...h, s };
    });
    await flush();
    expect(started).toEqual(['1', '2']);
    expect(executor.getStats()).toEqual({ running: 2, queued: 2, abandoned: 0 });

    handles[2]!.cancel('dropped while queued'); // cancelled in the queue: never runs
    await flush();
    expect(handles[2]!.s.outcome?.type).toBe('cancelled');
    expect(executor.getStats()).toEqual({ running: 2, queued: 1, abandoned: 0 });

    clock.advance(500);
    gates.get('1')!.resolve('one');
    await flush();
    expect(started).toEqual(['1', '2', '4']);
    clock.advance(500); // T0 + 1000: '2' times out, '4' (started at +500) does not
    await flush();
    expect(handles[1]!.s.outcome?.type).toBe('timed_out');
    expect(handles[3]!.s.outcome).toBeUndefined();
    clock.advance(500);
    await flush();
    expect(handles[3]!.s.at).toBe(T0 + 1500);
    expect(handles[3]!.s.outcome?.type).toBe('timed_out');
  });
  it('a queued attempt whose mayStart says no when its slot comes is withdrawn unrun', async () => {
    const started: string[] = [];
    const gate = deferred();
    const { executor } = setup(
      {
        work: () => {
          started.push(Context.current().info.activityId);
          return started.length === 1 ? gate.promise : 'ok';
        },
      },
      1,
    );
    let allowed = true;
    const asked: string[] = [];
    const run = (activityId: string) =>
      executor.execute({
        info: info({ activityId }),
        args: [],
        options: { taskQueue: 'main' },
        mayStart: () => {
          asked.push(activityId);
          return allowed;
        },
      });
    run('1');
    const second = run('2');
    const third = run('3');
    await flush();
    expect(asked).toEqual([]); // not asked when it starts at once
    allowed = false;
    gate.resolve('one');
    const outcome = await second.outcome;
    expect(outcome).toMatchObject({ type: 'cancelled', shutdown: true });
    expect((await third.outcome).type).toBe('cancelled');
    expect(started).toEqual(['1']);
    expect(asked).toEqual(['2', '3']);
    expect(executor.getStats()).toEqual({ running: 0, queued: 0, abandoned: 0 });
  });

  it('completes an owned info in place when it starts a queued attempt; copies any other', async () => {
    const gate = deferred();
    const seen: ActivityInfo[] = [];
    const { executor, clock } = setup(
      {
        work: () => {
          seen.push(Context.current().info);
          return seen.length === 1 ? gate.promise : 'done';
        },
      },
      1,
    );
    let tokenReads = 0;
    const lazy = (activityId: string): ActivityInfo => {
      const base = info({ activityId });
      const { taskToken: _token, ...rest } = base;
      return {
        ...rest,
        get taskToken() {
          tokenReads++;
          return `token-${activityId}`;
        },
      };
    };
    const first = executor.execute({ info: lazy('1'), args: [], options: { taskQueue: 'main' } });
    const owned = lazy('2');
    const second = executor.execute({
      info: owned,
      infoOwned: true,
      args: [],
      options: { taskQueue: 'main', startToCloseTimeoutMs: 1000 },
    });
    const shared = info({ activityId: '3' });
    const third = executor.execute({
      info: shared,
      args: [],
      options: { taskQueue: 'main', startToCloseTimeoutMs: 1000 },
    });
    await flush();
    clock.advance(200);
    gate.resolve('one');
    await first.outcome;
    await second.outcome;
    await third.outcome;
    expect(seen[1]).toBe(owned); // completed in place: started later than planned
    expect(owned.startedTime).toBe(T0 + 200);
    expect(owned.deadline).toBe(T0 + 1200);
    expect(tokenReads).toBe(0); // the lazy token was not read to start it
    expect(seen[2]).not.toBe(shared); // not owned: copied, the caller's object untouched
    expect(seen[2]!.startedTime).toBe(T0 + 200);
    expect(shared.startedTime).toBe(T0);
  });
});

describe('ActivityExecutor: shutdown', () => {
  it('graceful shutdown waits for running attempts and never starts queued ones', async () => {
    const gate = deferred<string>();
    const { executor } = setup({ work: () => gate.promise }, 1);
    const a = executor.execute({ info: info(), args: [], options: { taskQueue: 'main' } });
    const b = executor.execute({
      info: info({ activityId: '2' }),
      args: [],
      options: { taskQueue: 'main' },
    });
    await flush();
    let done = false;
    const stopped = executor
      .shutdown({ graceful: true, timeoutMs: 10_000 })
      .then(() => (done = true));
    expect(await b.outcome).toMatchObject({ type: 'cancelled', shutdown: true });
    await flush();
    expect(done).toBe(false);
    gate.resolve('finished');
    await stopped;
    expect(await a.outcome).toEqual({ type: 'completed', result: 'finished' });
    expect(() =>
      executor.execute({ info: info(), args: [], options: { taskQueue: 'main' } }),
    ).toThrow(/shut down/);
  });

  it('graceful shutdown cancels attempts still running at the timeout', async () => {
    const { executor, clock } = setup({ work: () => new Promise(() => undefined) });
    const a = executor.execute({ info: info(), args: [], options: { taskQueue: 'main' } });
    await flush();
    const stopped = executor.shutdown({ graceful: true, timeoutMs: 5_000 });
    clock.advance(5_000);
    await stopped;
    expect(await a.outcome).toMatchObject({ type: 'cancelled', shutdown: true });
  });

  it('non-graceful shutdown aborts running attempts at once', async () => {
    let signal: AbortSignal | undefined;
    const { executor } = setup({
      work: async () => {
        signal = Context.current().cancellationSignal;
        await Context.current().cancelled;
      },
    });
    const a = executor.execute({ info: info(), args: [], options: { taskQueue: 'main' } });
    await flush();
    await executor.shutdown({ graceful: false, timeoutMs: 5_000 });
    expect(signal?.aborted).toBe(true);
    expect(await a.outcome).toMatchObject({
      type: 'cancelled',
      shutdown: true,
      failure: { message: 'worker shutting down' },
    });
  });
});

describe('ActivityExecutor: construction', () => {
  it('validates its options', () => {
    const clock = new VirtualClock();
    const onHeartbeat = (): void => undefined;
    for (const [options, field] of [
      [{ activities: {}, clock, onHeartbeat, maxConcurrent: 0 }, 'maxConcurrent'],
      [{ activities: { x: 1 as never }, clock, onHeartbeat }, 'activities.x'],
    ] as const) {
      try {
        new ActivityExecutor(options);
        expect.fail('accepted invalid options');
      } catch (err) {
        expect(isAionError(err) && err.details.field).toBe(field);
      }
    }
  });

  it('does not resolve inherited names such as toString as activities', async () => {
    const { run } = setup({});
    const outcome = await run({}, [], { activityType: 'toString' }).outcome;
    expect(outcome).toMatchObject({ type: 'failed', failure: { type: 'ActivityNotRegistered' } });
  });
});
