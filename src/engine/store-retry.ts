// Retrying store calls through an outage: background work waits with capped, jittered backoff
// for as long as it takes; a client call waits at most its deadline, then fails with a typed
// `store_unavailable`. Waits go through the engine's delay seam, deadlines read its clock.
import type { Clock } from '../clock/index.js';
import {
  AionError,
  backoffDelay,
  isAionError,
  isTransientStoreError,
  STORE_RETRY_BACKOFF,
  type BackoffPolicy,
} from '../core/index.js';

/** Client calls retry sooner than background work: the caller is waiting. */
const CLIENT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 1000 };

/** Default of `EngineOptions.storeRetryDeadlineMs`. */
export const DEFAULT_STORE_RETRY_DEADLINE_MS = 5000;

export interface StoreRetryEnv {
  readonly clock: Clock;
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
  /** True once the engine is shutting down: background retries stop. */
  readonly stopped: () => boolean;
  /** How long a client call retries while the store is unavailable. */
  readonly deadlineMs: number;
}

/** The wait before background attempt `attempt + 1` (attempt counts from 1). */
export function backgroundDelay(env: StoreRetryEnv, attempt: number): number {
  return backoffDelay(attempt, STORE_RETRY_BACKOFF, env.random);
}

/**
 * Background work: runs `fn` until it succeeds, retrying transient store failures forever
 * with capped backoff. Other errors are thrown at once; so is the last transient one when the
 * engine stops meanwhile.
 */
export async function retryForever<T>(env: StoreRetryEnv, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientStoreError(err) || env.stopped()) throw err;
      await env.delay(backgroundDelay(env, attempt), { unref: true });
      if (env.stopped()) throw err;
    }
  }
}

/**
 * A client call: runs `fn`, retrying transient store failures until the deadline, then fails
 * with `store_unavailable` (retryable). `fn` must be safe to repeat after such a failure —
 * nothing it writes is acknowledged before its commit, so a failed attempt wrote nothing the
 * caller was told about.
 */
export function withinDeadline<T>(env: StoreRetryEnv, fn: () => Promise<T>): Promise<T> {
  const started = env.clock.now();
  // The first attempt runs without an async frame of its own (most calls succeed at once: one
  // suspended frame and promise less per call in flight); a failure goes on in retryUntil.
  let first: Promise<T>;
  try {
    first = fn();
  } catch (err) {
    return retryUntil(env, fn, err, started);
  }
  return first.catch((err: unknown) => retryUntil(env, fn, err, started));
}

/** withinDeadline after attempt 1 failed with `failure`. */
async function retryUntil<T>(
  env: StoreRetryEnv,
  fn: () => Promise<T>,
  failure: unknown,
  started: number,
): Promise<T> {
  let err = failure;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    if (!isTransientStoreError(err) || settledAlready(err)) throw err;
    // Time waited counts even under a clock that does not move (a simulation).
    const elapsed = Math.max(env.clock.now() - started, waited);
    const wait = Math.min(
      backoffDelay(attempt, CLIENT_BACKOFF, env.random),
      env.deadlineMs - elapsed,
    );
    if (wait <= 0 || env.stopped()) throw unavailableAfter(err, env.deadlineMs);
    await env.delay(wait, { unref: true });
    waited += wait;
    try {
      return await fn();
    } catch (next) {
      err = next;
    }
  }
}

/** The call already waited its deadline, or its write may have been applied: never repeated. */
function settledAlready(err: unknown): boolean {
  return (
    isAionError(err) && (err.details.deadlineMs !== undefined || err.details.outcome !== undefined)
  );
}

/** The error a client gets once its deadline passed while the store was unavailable. */
export function unavailableAfter(cause: unknown, deadlineMs: number): AionError {
  const base = isAionError(cause) ? cause : undefined;
  if (base?.details.deadlineMs !== undefined) return base; // already says so
  const message = cause instanceof Error ? cause.message : String(cause);
  return new AionError(
    'store_unavailable',
    `the store did not answer within ${deadlineMs} ms (${message}); nothing was acknowledged — retry later`,
    { ...(base?.details ?? {}), deadlineMs },
    { cause },
  );
}
