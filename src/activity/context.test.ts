import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/index.js';
import { CancelledFailure, isAionError, isCancellation } from '../core/index.js';
import { Context, runInContext } from './context.js';
import { activityInfo, cancellationSignal, cancelled, heartbeat, log, sleep } from './functions.js';
import type { LogRecord } from './log.js';
import type { ActivityInfo } from './types.js';

function testInfo(overrides: Partial<ActivityInfo> = {}): ActivityInfo {
  return {
    namespace: 'default',
    workflowId: 'wf-1',
    runId: 'run-1',
    workflowType: 'order',
    activityId: '1',
    activityType: 'charge',
    taskQueue: 'main',
    attempt: 1,
    taskToken: 'token',
    scheduledTime: 0,
    startedTime: 0,
    deadline: undefined,
    heartbeatTimeoutMs: undefined,
    heartbeatDetails: undefined,
    isLocal: false,
    headers: {},
    ...overrides,
  };
}

function makeContext(heartbeat: (d: unknown) => void = () => undefined) {
  const clock = new VirtualClock(1_000);
  const controller = new AbortController();
  const logs: LogRecord[] = [];
  const ctx = new Context({
    info: testInfo(),
    signal: controller.signal,
    clock,
    heartbeat,
    logSink: (r) => logs.push(r),
  });
  return { ctx, clock, controller, logs };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('Context.current', () => {
  it('throws a clear invalid_state error outside an activity', () => {
    try {
      Context.current();
      expect.fail('Context.current() did not throw');
    } catch (err) {
      expect(isAionError(err) && err.code).toBe('invalid_state');
      expect((err as Error).message).toMatch(/outside an activity/);
    }
  });

  it('returns the running context, also after awaits', async () => {
    const { ctx } = makeContext();
    const seen = await runInContext(ctx, async () => {
      const before = Context.current();
      await new Promise((r) => setImmediate(r));
      return [before, Context.current()];
    });
    expect(seen).toEqual([ctx, ctx]);
  });
});

describe('Context', () => {
  it('cancelled rejects with the CancelledFailure the signal was aborted with', async () => {
    const { ctx, controller } = makeContext();
    const reason = new CancelledFailure('stop');
    controller.abort(reason);
    await expect(ctx.cancelled).rejects.toBe(reason);
  });

  it('cancelled wraps a non-Error abort reason in a CancelledFailure', async () => {
    const { ctx, controller } = makeContext();
    controller.abort('plain reason');
    const err = await ctx.cancelled.catch((e: unknown) => e);
    expect(isCancellation(err)).toBe(true);
    expect((err as Error).message).toBe('plain reason');
  });

  it('cancelled causes no unhandled rejection when nobody awaits it', async () => {
    process.on('unhandledRejection', onUnhandled);
    const { controller } = makeContext();
    controller.abort(new CancelledFailure('stop'));
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  });

  it('sleep waits on the injected clock', async () => {
    const { ctx, clock } = makeContext();
    let done = false;
    const p = ctx.sleep('5s').then(() => (done = true));
    clock.advance(4_999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('sleep rejects with the abort reason on cancellation and clears its timer', async () => {
    const { ctx, clock, controller } = makeContext();
    const p = ctx.sleep(10_000);
    const reason = new CancelledFailure('stop');
    controller.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(clock.nextAt()).toBeUndefined();
    await expect(ctx.sleep(1)).rejects.toBe(reason); // already aborted
  });

  it('heartbeat forwards details and never throws', () => {
    const got: unknown[] = [];
    const { ctx, logs } = makeContext((d) => {
      got.push(d);
      if (d === 'bad') throw new Error('sink down');
    });
    ctx.heartbeat({ progress: 1 });
    expect(() => ctx.heartbeat('bad')).not.toThrow();
    expect(got).toEqual([{ progress: 1 }, 'bad']);
    expect(logs.map((l) => l.level)).toEqual(['warn']);
  });

  it('log lines carry the workflow and activity ids and clock time', () => {
    const { ctx, logs } = makeContext();
    ctx.log.info('charging', { amount: 5, workflowId: 'spoofed' });
    expect(logs).toEqual([
      {
        level: 'info',
        message: 'charging',
        time: 1_000,
        attributes: {
          amount: 5,
          namespace: 'default',
          workflowId: 'wf-1',
          runId: 'run-1',
          activityId: '1',
          activityType: 'charge',
          attempt: 1,
        },
      },
    ]);
  });
});

describe('module-level activity functions (as in @temporalio/activity)', () => {
  it('act on the running activity: info with Temporal names, heartbeat, log, sleep, cancellation', async () => {
    const beats: unknown[] = [];
    const { ctx, clock, controller, logs } = makeContext((d) => beats.push(d));
    await runInContext(ctx, async () => {
      const info = activityInfo();
      expect(info).toMatchObject({
        activityId: '1',
        workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
        activityNamespace: 'default',
        workflowNamespace: 'default',
        scheduledTimestampMs: 0,
        currentAttemptScheduledTimestampMs: 0,
      });
      heartbeat({ step: 1 });
      log.trace('tracing');
      log.warn('careful', { n: 1 });
      expect(cancellationSignal()).toBe(ctx.cancellationSignal);
      const slept = sleep('1 second');
      clock.advance(1_000);
      await slept;
      const pending = cancelled();
      const asleep = sleep(5_000);
      controller.abort(new CancelledFailure('stop'));
      await expect(pending).rejects.toBeInstanceOf(CancelledFailure);
      await expect(asleep).rejects.toBeInstanceOf(CancelledFailure);
    });
    expect(beats).toEqual([{ step: 1 }]);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', 'tracing'],
      ['warn', 'careful'],
    ]);
  });

  it('throw invalid_state outside an activity', () => {
    for (const call of [activityInfo, () => heartbeat(), cancellationSignal, () => log.info('x')])
      expect(call).toThrow(/outside an activity/);
  });
});
