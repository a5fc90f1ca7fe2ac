/**
 * Runs one activity function outside any engine or worker, with a working
 * `Context.current()` (and so `activityInfo()`, `heartbeat()`, `sleep()`, `log`…): the way
 * to unit-test an activity. Heartbeats are emitted as `'heartbeat'` events; `cancel()`
 * aborts the context's signal as a worker cancellation would.
 *
 * @example
 * const env = new MockActivityEnvironment({ attempt: 2 });
 * env.on('heartbeat', (details) => seen.push(details));
 * expect(await env.run(greet, 'Ada')).toBe('Hello, Ada!');
 */
import { EventEmitter } from 'node:events';
import { RealClock, type Clock } from '../clock/index.js';
import { CancelledFailure } from '../core/index.js';
import { Context, runInContext, type ActivityInfo, type LogSink } from '../activity/internal.js';

export interface MockActivityEnvironmentOptions {
  /** Where `log` lines go. Default: none are written (tests stay quiet). */
  readonly logSink?: LogSink;
  /** Clock for `sleep()` and log times. Default: the wall clock. */
  readonly clock?: Clock;
}

/** The info a mock attempt gets unless overridden: attempt 1 of `'test'`, no timeouts. */
export function defaultActivityInfo(now: number): ActivityInfo {
  return {
    namespace: 'default',
    workflowId: 'test',
    runId: 'test-run',
    workflowType: 'test',
    activityId: 'test',
    activityType: 'unknown',
    taskQueue: 'test',
    attempt: 1,
    taskToken: 'test-task-token',
    scheduledTime: now,
    startedTime: now,
    deadline: undefined,
    heartbeatTimeoutMs: undefined,
    heartbeatDetails: undefined,
    isLocal: false,
    headers: {},
  };
}

export class MockActivityEnvironment extends EventEmitter {
  /** The context activity functions run in (`Context.current()` inside `run`). */
  readonly context: Context;
  readonly #controller = new AbortController();

  constructor(info: Partial<ActivityInfo> = {}, options: MockActivityEnvironmentOptions = {}) {
    super();
    const clock = options.clock ?? new RealClock();
    this.context = new Context({
      info: { ...defaultActivityInfo(clock.now()), ...info },
      signal: this.#controller.signal,
      clock,
      heartbeat: (details) => this.emit('heartbeat', details),
      logSink: options.logSink ?? (() => undefined),
    });
  }

  /** Calls `fn(...args)` in this environment's context and returns its result. */
  run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R> {
    return runInContext(this.context, async () => fn(...args));
  }

  /**
   * Cancels the attempt: the context's `cancellationSignal` aborts with a
   * `CancelledFailure(reason)`, `sleep()` and `cancelled` reject with it.
   */
  cancel(reason = 'cancelled'): void {
    runInContext(this.context, () => this.#controller.abort(new CancelledFailure(reason)));
  }
}
