/**
 * Runs activity attempts in this process: registry lookup, concurrency limit, the activity
 * context, start-to-close and heartbeat timeouts, cancellation, and exactly one outcome per
 * attempt. It does not retry or record anything — the engine does, from the outcome.
 */
import type { Clock, TimerHandle } from '../clock/index.js';
import {
  AionError,
  CancelledFailure,
  composeInterceptors,
  extend,
  isBenignFailure,
} from '../core/index.js';
import {
  cancelledFailure,
  notRegisteredFailure,
  timeoutFailure,
  toFailure,
} from './attempt-failures.js';
import { isCompleteAsyncError } from './complete-async.js';
import { Context, runInContext } from './context.js';
import { consoleLogSink, infoAttributes, type LogLevel, type LogSink } from './log.js';
import type {
  ActivityExecuteInput,
  ActivityExecutorOptions,
  ActivityFunction,
  ActivityInfo,
  AttemptHandle,
  AttemptOutcome,
  AttemptRequest,
  ExecutorStats,
  HeartbeatSink,
  ShutdownOptions,
} from './types.js';

export type { ActivityExecutorOptions, AttemptHandle, ExecutorStats, ShutdownOptions };

const DEFAULT_MAX_CONCURRENT = 200;
const SHUTDOWN_REASON = 'worker shutting down';

interface Attempt {
  readonly request: AttemptRequest;
  readonly fn: ActivityFunction;
  /** Made when the function first reads its signal (most never do); see #signal. */
  controller: AbortController | undefined;
  /** Why the attempt was aborted (the signal is made aborted if it is read only later). */
  abortedWith: Error | undefined;
  readonly resolve: (outcome: AttemptOutcome) => void;
  state: 'queued' | 'running' | 'settled';
  info: ActivityInfo;
  timers: TimerHandle[];
  /** The function has been called and has not settled yet. */
  fnRunning: boolean;
  /** The attempt's Context once its function was called (abort listeners run inside it). */
  context?: Context;
  cancelReason: string | undefined;
  shutdown: boolean;
  lastHeartbeatAt: number;
  lastHeartbeatDetails: unknown;
}

/**
 * The deadline of an attempt that starts at `now`: its start-to-close timeout from now, or the
 * activity's schedule-to-close timeout from when it was scheduled, whichever comes first.
 */
export function attemptDeadline(
  now: number,
  scheduledTime: number,
  startToCloseTimeoutMs: number | undefined,
  scheduleToCloseTimeoutMs: number | undefined,
): number | undefined {
  const stc = startToCloseTimeoutMs === undefined ? undefined : now + startToCloseTimeoutMs;
  const sct =
    scheduleToCloseTimeoutMs === undefined ? undefined : scheduledTime + scheduleToCloseTimeoutMs;
  return stc === undefined || (sct !== undefined && sct < stc) ? sct : stc;
}

/**
 * Executes activity attempts.
 *
 * Outcomes: a returned value is `completed` — also when cancellation was requested, so a
 * result is never lost; a throw is `failed`, or `cancelled` if cancellation had been
 * requested; `CompleteAsyncError` is `async`; the start-to-close or heartbeat timeout is
 * `timed_out` at once (the signal is aborted; the function is not waited for).
 *
 * @example
 * const executor = new ActivityExecutor({ activities, clock: new RealClock(), onHeartbeat });
 * const { outcome, cancel } = executor.execute(request);
 */
export class ActivityExecutor {
  readonly #activities: ReadonlyMap<string, ActivityFunction>;
  readonly #clock: Clock;
  readonly #maxConcurrent: number;
  readonly #onHeartbeat: HeartbeatSink;
  readonly #log: LogSink;
  /** The interceptor chain around a function, or undefined without interceptors. */
  readonly #intercepted:
    ((input: ActivityExecuteInput, fn: ActivityFunction) => Promise<unknown>) | undefined;
  readonly #queue: Attempt[] = [];
  readonly #running = new Set<Attempt>();
  #queued = 0;
  #abandoned = 0;
  #idleWaiters: (() => void)[] = [];
  #shutdown: Promise<void> | undefined;
  /** When it was created, on its clock (epoch ms): since when it has served its activities. */
  readonly startedAt: number;

  constructor(options: ActivityExecutorOptions) {
    const activities = new Map<string, ActivityFunction>();
    for (const [name, fn] of Object.entries(options.activities)) {
      if (typeof fn !== 'function') {
        const field = `activities.${name}`;
        throw new AionError('invalid_argument', `${field} is not a function`, { field });
      }
      activities.set(name, fn);
    }
    const max = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    if (!Number.isSafeInteger(max) || max < 1) {
      const message = `maxConcurrent must be an integer >= 1 (got ${String(max)})`;
      throw new AionError('invalid_argument', message, { field: 'maxConcurrent' });
    }
    this.#activities = activities;
    this.#clock = options.clock;
    this.startedAt = options.clock.now();
    this.#maxConcurrent = max;
    this.#onHeartbeat = options.onHeartbeat;
    this.#log = options.logger ?? consoleLogSink;
    const interceptors = options.interceptors ?? [];
    this.#intercepted =
      interceptors.length === 0
        ? undefined
        : (input, fn) =>
            composeInterceptors(interceptors, 'execute', (i) =>
              Promise.resolve(fn(...(i.args as never[]))),
            )(input);
  }

  /**
   * Starts (or queues) one attempt. Throws `AionError('invalid_state')` after
   * {@link shutdown}: the engine must leave the task to be dispatched again later.
   */
  execute(request: AttemptRequest): AttemptHandle {
    if (this.#shutdown !== undefined) {
      throw new AionError(
        'invalid_state',
        `activity executor is shut down; cannot run ${request.info.activityType} (activity ${request.info.activityId})`,
      );
    }
    let resolve!: (outcome: AttemptOutcome) => void;
    const outcome = new Promise<AttemptOutcome>((r) => (resolve = r));
    const type = request.info.activityType;
    // Like Temporal's worker: an activity named `default` runs the types not registered.
    const fn = this.#activities.get(type) ?? this.#activities.get('default');
    if (fn === undefined) {
      resolve({
        type: 'failed',
        failure: notRegisteredFailure(request.info, [...this.#activities.keys()]),
      });
      return { outcome, cancel: () => undefined };
    }
    const attempt: Attempt = {
      request,
      fn,
      controller: undefined,
      abortedWith: undefined,
      resolve,
      state: 'queued',
      info: request.info,
      timers: [],
      fnRunning: false,
      cancelReason: undefined,
      shutdown: false,
      lastHeartbeatAt: 0,
      lastHeartbeatDetails: request.info.heartbeatDetails,
    };
    if (this.#running.size < this.#maxConcurrent) this.#start(attempt);
    else {
      this.#queue.push(attempt);
      this.#queued++;
    }
    return { outcome, cancel: (reason) => this.#cancel(attempt, reason) };
  }

  /** The activity types this executor runs (`default` runs the types not registered). */
  get activityTypes(): string[] {
    return [...this.#activities.keys()];
  }

  /** Attempts it runs at once; more wait in its queue. */
  get maxConcurrent(): number {
    return this.#maxConcurrent;
  }

  getStats(): ExecutorStats {
    return { running: this.#running.size, queued: this.#queued, abandoned: this.#abandoned };
  }

  /** Stops the executor (idempotent: later calls return the first call's promise). */
  shutdown(options: ShutdownOptions): Promise<void> {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 0) {
      throw new AionError('invalid_argument', 'shutdown timeoutMs must be a finite number >= 0', {
        field: 'timeoutMs',
      });
    }
    this.#shutdown ??= this.#doShutdown(options);
    return this.#shutdown;
  }

  async #doShutdown({ graceful, timeoutMs, until }: ShutdownOptions): Promise<void> {
    for (const attempt of this.#queue.splice(0)) {
      attempt.shutdown = true;
      this.#settleCancelled(attempt, undefined);
    }
    if (!graceful) for (const attempt of this.#running) this.#cancelForShutdown(attempt);
    let timer: TimerHandle | undefined;
    await Promise.race([
      this.#whenIdle(),
      until ??
        new Promise<void>((resolve) => {
          timer = this.#clock.schedule(this.#clock.now() + timeoutMs, resolve);
        }),
    ]);
    timer?.cancel();
    for (const attempt of [...this.#running]) {
      this.#cancelForShutdown(attempt);
      this.#settleCancelled(attempt, undefined);
    }
  }

  #cancelForShutdown(attempt: Attempt): void {
    attempt.shutdown = true;
    this.#cancel(attempt, SHUTDOWN_REASON);
  }

  #whenIdle(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #start(attempt: Attempt): void {
    const now = this.#clock.now();
    const { options } = attempt.request;
    const stc = options.startToCloseTimeoutMs;
    const sct = options.scheduleToCloseTimeoutMs;
    const given = attempt.request.info;
    const deadline = attemptDeadline(now, given.scheduledTime, stc, sct);
    // The engine's info of an attempt started at once already says all this: used as is.
    if (
      given.startedTime !== now ||
      given.deadline !== deadline ||
      given.heartbeatTimeoutMs !== options.heartbeatTimeoutMs ||
      given.startToCloseTimeoutMs !== stc ||
      given.scheduleToCloseTimeoutMs !== sct
    ) {
      const started: { -readonly [K in keyof ActivityInfo]?: ActivityInfo[K] } = {
        startedTime: now,
        deadline,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      };
      if (stc !== undefined) started.startToCloseTimeoutMs = stc;
      if (sct !== undefined) started.scheduleToCloseTimeoutMs = sct;
      // An info made for this attempt alone is completed in place (the engine's makes its task
      // token on first read, which a copy would read); any other is copied.
      attempt.info = attempt.request.infoOwned
        ? Object.assign<ActivityInfo, typeof started>(given, started)
        : (extend(given, started) as ActivityInfo);
    }
    attempt.state = 'running';
    attempt.lastHeartbeatAt = now;
    this.#running.add(attempt);
    if (stc !== undefined) {
      attempt.timers.push(
        this.#clock.schedule(now + stc, () => this.#timeOut(attempt, 'START_TO_CLOSE')),
      );
    }
    const hb = options.heartbeatTimeoutMs;
    if (hb !== undefined) this.#armHeartbeatCheck(attempt, now + hb, hb);
    // Call the function on a later microtask: user code never runs inside execute().
    queueMicrotask(() => this.#invoke(attempt));
  }

  #armHeartbeatCheck(attempt: Attempt, at: number, hb: number): void {
    attempt.timers.push(
      this.#clock.schedule(at, () => {
        if (attempt.state !== 'running') return;
        // Re-arming on each heartbeat would churn timers; check the last one instead.
        const due = attempt.lastHeartbeatAt + hb;
        if (this.#clock.now() >= due) this.#timeOut(attempt, 'HEARTBEAT');
        else this.#armHeartbeatCheck(attempt, due, hb);
      }),
    );
  }

  #invoke(attempt: Attempt): void {
    if (attempt.state !== 'running') return;
    if (attempt.cancelReason !== undefined) {
      this.#settleCancelled(attempt, undefined); // cancelled before the function was called
      return;
    }
    const ctx = new Context({
      info: attempt.info,
      signal: () => this.#signal(attempt),
      clock: this.#clock,
      heartbeat: (details) => this.#heartbeat(attempt, details),
      logSink: this.#log,
    });
    attempt.context = ctx;
    attempt.fnRunning = true;
    let result: unknown;
    try {
      result = runInContext(ctx, () =>
        this.#intercepted
          ? this.#intercepted(
              { args: attempt.request.args, headers: attempt.info.headers, info: attempt.info },
              attempt.fn,
            )
          : attempt.fn(...(attempt.request.args as never[])),
      );
    } catch (err) {
      this.#onThrow(attempt, err);
      return;
    }
    Promise.resolve(result).then(
      (value) => this.#onReturn(attempt, value),
      (err: unknown) => this.#onThrow(attempt, err),
    );
  }

  #heartbeat(attempt: Attempt, details: unknown): void {
    if (attempt.state !== 'running') return;
    attempt.lastHeartbeatAt = this.#clock.now();
    attempt.lastHeartbeatDetails = details;
    try {
      this.#onHeartbeat(attempt.info, details);
    } catch (err) {
      this.#write('warn', 'heartbeat sink threw; heartbeat not recorded', attempt.info, err);
    }
  }

  #onReturn(attempt: Attempt, result: unknown): void {
    if (this.#functionEnded(attempt, 'returned')) return;
    this.#settle(attempt, { type: 'completed', result });
  }

  #onThrow(attempt: Attempt, error: unknown): void {
    if (this.#functionEnded(attempt, 'threw')) return;
    if (attempt.cancelReason !== undefined) this.#settleCancelled(attempt, error);
    else if (isCompleteAsyncError(error)) this.#settle(attempt, { type: 'async' });
    else {
      const failure = toFailure(error);
      // Like Temporal: a failed attempt is a warning, an expected (BENIGN) one only debug.
      this.#write(
        isBenignFailure(failure) ? 'debug' : 'warn',
        `activity attempt failed: ${failure.message}`,
        attempt.info,
        { type: failure.type, retryable: failure.retryable },
      );
      this.#settle(attempt, { type: 'failed', failure });
    }
  }

  /** Marks the function as ended; true when its attempt was already settled (result dropped). */
  #functionEnded(attempt: Attempt, how: 'returned' | 'threw'): boolean {
    attempt.fnRunning = false;
    if (attempt.state !== 'settled') return false;
    this.#abandoned--;
    this.#write('debug', `activity ${how} after its attempt had ended; ignored`, attempt.info);
    return true;
  }

  #timeOut(attempt: Attempt, timeoutType: 'START_TO_CLOSE' | 'HEARTBEAT'): void {
    if (attempt.state !== 'running') return;
    const ms =
      timeoutType === 'START_TO_CLOSE'
        ? attempt.request.options.startToCloseTimeoutMs
        : attempt.request.options.heartbeatTimeoutMs;
    const { error, failure } = timeoutFailure(timeoutType, ms, attempt.lastHeartbeatDetails);
    this.#settle(attempt, { type: 'timed_out', timeoutType, failure });
    if (attempt.fnRunning) {
      this.#write(
        'warn',
        `${error.message}; the function was signalled and is no longer waited for`,
        attempt.info,
      );
    }
    this.#abort(attempt, error);
  }

  #cancel(attempt: Attempt, reason: string): void {
    if (attempt.state === 'settled' || attempt.cancelReason !== undefined) return;
    attempt.cancelReason = reason;
    if (attempt.state === 'queued') {
      this.#settleCancelled(attempt, undefined);
      return;
    }
    this.#abort(attempt, new CancelledFailure(reason));
  }

  /** Signals the attempt; its abort listeners run in its Context (`Context.current()` works there). */
  #abort(attempt: Attempt, reason: Error): void {
    if (attempt.abortedWith !== undefined) return;
    attempt.abortedWith = reason;
    const { context: ctx, controller } = attempt;
    if (controller === undefined) return; // nobody listens yet: the signal is made aborted
    if (ctx) runInContext(ctx, () => controller.abort(reason));
    else controller.abort(reason);
  }

  /** The attempt's signal, made on first use (already aborted if the attempt was). */
  #signal(attempt: Attempt): AbortSignal {
    if (attempt.controller === undefined) {
      attempt.controller = new AbortController();
      if (attempt.abortedWith !== undefined) attempt.controller.abort(attempt.abortedWith);
    }
    return attempt.controller.signal;
  }

  /** Settles as cancelled; `error` is what the function threw (undefined if it never ran). */
  #settleCancelled(attempt: Attempt, error: unknown): void {
    const failure = cancelledFailure(attempt.cancelReason ?? SHUTDOWN_REASON, error);
    this.#settle(
      attempt,
      attempt.shutdown
        ? { type: 'cancelled', failure, shutdown: true }
        : { type: 'cancelled', failure },
    );
  }

  #settle(attempt: Attempt, outcome: AttemptOutcome): void {
    if (attempt.state === 'settled') return;
    const wasRunning = attempt.state === 'running';
    attempt.state = 'settled';
    for (const timer of attempt.timers) timer.cancel();
    attempt.timers = [];
    if (wasRunning) {
      this.#running.delete(attempt);
      if (attempt.fnRunning) this.#abandoned++;
    } else {
      this.#queued--;
    }
    attempt.resolve(outcome);
    if (wasRunning) this.#pump();
    if (this.#running.size === 0 && this.#idleWaiters.length > 0) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  #pump(): void {
    while (this.#running.size < this.#maxConcurrent && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      if (next.state !== 'queued') continue; // cancelled while queued
      if (next.request.mayStart?.() === false) {
        next.shutdown = true;
        next.cancelReason = 'the attempt was withdrawn before it started';
        this.#settleCancelled(next, undefined);
        continue;
      }
      this.#queued--;
      this.#start(next);
    }
  }

  #write(level: LogLevel, message: string, info: ActivityInfo, error?: unknown): void {
    const attributes: Record<string, unknown> = infoAttributes(info);
    if (error !== undefined) attributes.error = error;
    try {
      this.#log({ level, message, time: this.#clock.now(), attributes });
    } catch {
      // Logging must never break the executor.
    }
  }
}
