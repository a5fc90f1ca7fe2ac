import type { Clock } from '../clock/index.js';
import type { Failure, Headers, RecordedActivityOptions, TimeoutType } from '../core/index.js';

/** What an activity knows about its current attempt (`Context.current().info`). */
export interface ActivityInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly activityId: string;
  readonly activityType: string;
  readonly taskQueue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Opaque token that addresses this attempt (for asynchronous completion). */
  readonly taskToken: string;
  /** Epoch ms when the activity was scheduled (first attempt). */
  readonly scheduledTime: number;
  /** Epoch ms when this attempt started. */
  readonly startedTime: number;
  /** Epoch ms by which this attempt must finish (start-to-close), if any. */
  readonly deadline: number | undefined;
  readonly heartbeatTimeoutMs: number | undefined;
  /** The activity's start-to-close timeout, if it has one (set once the attempt started). */
  readonly startToCloseTimeoutMs?: number;
  /** The activity's schedule-to-close timeout, if it has one (set once the attempt started). */
  readonly scheduleToCloseTimeoutMs?: number;
  /** Details of the last heartbeat of the previous attempt, if any. */
  readonly heartbeatDetails: unknown;
  readonly isLocal: boolean;
  /** Headers recorded with `ActivityScheduled` (trace context…); `{}` when none. */
  readonly headers: Headers;
}

/** The input of {@link ActivityInboundCallsInterceptor.execute}. */
export interface ActivityExecuteInput {
  /** Decoded arguments. */
  readonly args: readonly unknown[];
  /** The attempt's headers (also `info.headers`). */
  readonly headers: Headers;
  readonly info: ActivityInfo;
}

/**
 * Runs around each activity attempt, inside its context (`Context.current()` works): may
 * read headers, wrap the execution (spans, timing, logging context) or change the
 * arguments. Must return what `next` returns (or throw).
 *
 * @example
 * const timing: ActivityInboundCallsInterceptor = {
 *   async execute(input, next) {
 *     const t0 = performance.now();
 *     try { return await next(input); }
 *     finally { console.log(input.info.activityType, performance.now() - t0); }
 *   },
 * };
 */
export interface ActivityInboundCallsInterceptor {
  execute?(
    input: ActivityExecuteInput,
    next: (input: ActivityExecuteInput) => Promise<unknown>,
  ): Promise<unknown>;
}

/** One attempt to run. */
export interface AttemptRequest {
  readonly info: ActivityInfo;
  /**
   * `info` was made for this attempt alone: the executor may complete it in place (when it
   * starts the attempt later than planned) instead of copying it.
   */
  readonly infoOwned?: boolean;
  /** Decoded arguments. */
  readonly args: readonly unknown[];
  readonly options: RecordedActivityOptions;
  /**
   * Asked when a queued attempt gets its slot (not when it starts at once): false withdraws
   * it unrun — it settles as `cancelled` with `shutdown: true`, to be delivered again.
   */
  readonly mayStart?: () => boolean;
}

/** How an attempt ended. */
export type AttemptOutcome =
  | { readonly type: 'completed'; readonly result: unknown }
  /** The activity threw; `failure` is its serialised error. */
  | { readonly type: 'failed'; readonly failure: Failure }
  | {
      readonly type: 'timed_out';
      readonly timeoutType: Extract<TimeoutType, 'START_TO_CLOSE' | 'HEARTBEAT'>;
      readonly failure: Failure;
    }
  /**
   * The attempt threw after its cancellation signal fired (or was cancelled before it
   * started). `shutdown` is true when the executor itself cancelled it because it was
   * shutting down, not because the workflow asked: do not record that as ActivityCancelled.
   */
  | { readonly type: 'cancelled'; readonly failure: Failure; readonly shutdown?: boolean }
  /** The activity threw CompleteAsyncError: the outcome arrives later by task token. */
  | { readonly type: 'async' };

/** Receives heartbeats of running attempts (the engine extends the lease and stores details). */
export type HeartbeatSink = (info: ActivityInfo, details: unknown) => void;

export type ActivityFunction = (...args: never[]) => unknown;

export interface ActivityExecutorOptions {
  /** Activity implementations by type name. */
  readonly activities: Readonly<Record<string, ActivityFunction>>;
  /** Source of time and timers for every timeout. */
  readonly clock: Clock;
  /** Attempts running at once; more wait in FIFO order. Default 200. */
  readonly maxConcurrent?: number;
  /** Receives every heartbeat of a running attempt. */
  readonly onHeartbeat: HeartbeatSink;
  /** Where activity and executor log lines go. Default: JSON lines on the console. */
  readonly logger?: LogSink;
  /** Run around each attempt, the first outermost. Default: none. */
  readonly interceptors?: readonly ActivityInboundCallsInterceptor[];
}

/** One attempt handed to the executor. */
export interface AttemptHandle {
  /** Resolves exactly once with how the attempt ended; never rejects. */
  readonly outcome: Promise<AttemptOutcome>;
  /** Requests cancellation (aborts the activity's signal). Idempotent; no-op once settled. */
  cancel(reason: string): void;
}

export interface ExecutorStats {
  /** Attempts holding a concurrency slot (started, outcome not yet known). */
  readonly running: number;
  /** Attempts waiting for a slot. */
  readonly queued: number;
  /** Functions still running although their attempt already timed out or was shut down. */
  readonly abandoned: number;
}

export interface ShutdownOptions {
  /**
   * true: start nothing new and let running attempts finish, cancelling those still running
   * after `timeoutMs`. false: cancel running attempts at once and wait up to `timeoutMs`
   * for them to stop. Either way queued attempts never start, and every outcome is settled
   * when the returned promise resolves (stragglers as `cancelled` with `shutdown: true`).
   */
  readonly graceful: boolean;
  readonly timeoutMs: number;
  /**
   * Ends the wait when it settles, instead of `timeoutMs` on the executor's clock. The engine
   * passes its drain deadline in host time, so that a virtual clock standing still (a
   * time-skipping test environment) cannot hold a shutdown forever.
   */
  readonly until?: Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  /** Epoch ms (from the executor's clock). */
  readonly time: number;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export type LogSink = (record: LogRecord) => void;

/** The logger activity code uses (`Context.current().log`). */
export interface ActivityLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
