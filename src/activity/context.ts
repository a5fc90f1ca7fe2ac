/**
 * The activity context: what a running activity can ask of the worker (its info, heartbeats,
 * cancellation, a cancellable sleep, a logger). Found with `Context.current()`, which reads
 * AsyncLocalStorage, so it follows the activity across `await`s.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../clock/index.js';
import { AionError, CancelledFailure, parseDuration, type Duration } from '../core/index.js';
import { createActivityLogger, consoleLogSink, type ActivityLogger, type LogSink } from './log.js';
import type { ActivityInfo } from './types.js';

/** What the executor gives a context. */
export interface ContextInit {
  readonly info: ActivityInfo;
  /** The attempt's signal, or how to make it on first use (most attempts never read it). */
  readonly signal: AbortSignal | (() => AbortSignal);
  readonly clock: Clock;
  /** Called by {@link Context.heartbeat}; may throw (the context swallows it). */
  readonly heartbeat: (details: unknown) => void;
  /** Default: {@link consoleLogSink}. */
  readonly logSink?: LogSink;
}

// Shared through a global symbol so that two copies of this module (e.g. an activity bundle
// resolving its own `aion`) still see the same current context. It holds no state of its
// own, only the per-async-context value.
const STORAGE_KEY = Symbol.for('aion.activity.context');
const storage = ((globalThis as Record<symbol, unknown>)[STORAGE_KEY] ??=
  new AsyncLocalStorage<Context>()) as AsyncLocalStorage<Context>;

/** The abort reason as an Error: the executor aborts with a CancelledFailure or TimeoutFailure. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new CancelledFailure(typeof reason === 'string' ? reason : 'cancelled');
}

/**
 * The context of the running activity attempt.
 *
 * @example
 * import { Context } from 'aion/activity';
 * export async function download(url: string): Promise<number> {
 *   const ctx = Context.current();
 *   const res = await fetch(url, { signal: ctx.cancellationSignal });
 *   ctx.heartbeat({ status: res.status });
 *   return res.status;
 * }
 */
export class Context {
  /** Information about this attempt (ids, attempt number, task token, deadline…). */
  readonly info: ActivityInfo;
  readonly #init: ContextInit;
  readonly #clock: Clock;
  readonly #heartbeat: (details: unknown) => void;
  // Made on first use: most activities read none of them, and every attempt has a context.
  #signal: AbortSignal | undefined;
  #log: ActivityLogger | undefined;
  #cancelled: Promise<never> | undefined;

  constructor(init: ContextInit) {
    this.info = init.info;
    this.#init = init;
    this.#clock = init.clock;
    this.#heartbeat = init.heartbeat;
  }

  /** Aborted when the attempt is cancelled or times out; `reason` is the failure. */
  get cancellationSignal(): AbortSignal {
    const { signal } = this.#init;
    return (this.#signal ??= typeof signal === 'function' ? signal() : signal);
  }

  /** Structured logger; every line carries the workflow and activity ids. */
  get log(): ActivityLogger {
    const { logSink, info, clock } = this.#init;
    return (this.#log ??= createActivityLogger(logSink ?? consoleLogSink, info, () => clock.now()));
  }

  /**
   * The context of the activity running in the current async context. Throws
   * `AionError('invalid_state')` outside an activity.
   */
  static current(): Context {
    const ctx = storage.getStore();
    if (ctx === undefined) {
      throw new AionError(
        'invalid_state',
        'Context.current() was called outside an activity: it is available only while an activity function runs (including after its awaits), not in workflow code or at module load',
      );
    }
    return ctx;
  }

  /**
   * Rejects when the attempt is cancelled (with a CancelledFailure) or times out (with a
   * TimeoutFailure); never resolves. Race it against work that does not take a signal.
   */
  get cancelled(): Promise<never> {
    if (this.#cancelled === undefined) {
      const signal = this.cancellationSignal;
      this.#cancelled = new Promise<never>((_resolve, reject) => {
        if (signal.aborted) reject(abortReason(signal));
        else signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
      });
      // Mark handled: an activity that awaits `cancelled` only sometimes must not cause an
      // unhandled rejection. Whoever awaits it still sees the rejection.
      this.#cancelled.catch(() => undefined);
    }
    return this.#cancelled;
  }

  /**
   * Reports liveness (resets the heartbeat timeout) and records `details`, which the next
   * attempt reads from `info.heartbeatDetails` after a failure. Never throws; a heartbeat
   * after the attempt ended is ignored. Bound to its context (as in `@temporalio/activity`),
   * so `const { heartbeat, sleep } = Context.current()` works.
   */
  readonly heartbeat = (details?: unknown): void => {
    try {
      this.#heartbeat(details);
    } catch (err) {
      this.log.warn('heartbeat could not be delivered', { error: err });
    }
  };

  /**
   * Sleeps on the worker's clock. Rejects with the abort reason as soon as the attempt is
   * cancelled or times out.
   */
  readonly sleep = (duration: Duration): Promise<void> => {
    const ms = parseDuration(duration, 'sleep duration');
    const signal = this.cancellationSignal;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        timer.cancel();
        reject(abortReason(signal));
      };
      const timer = this.#clock.schedule(this.#clock.now() + ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}

/** Runs `fn` with `ctx` as {@link Context.current} (for the executor and test helpers). */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return storage.run(ctx, fn);
}
