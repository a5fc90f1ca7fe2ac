/**
 * Activity retry policy: defaults, validation and the retry decision the engine makes after
 * each failed attempt. Pure functions of their inputs (time is passed in), so the engine can
 * compute a retry once, record its due time durably, and never recompute it differently.
 */
import { AionError, type Failure, type RetryPolicy } from '../core/index.js';

/** A retry policy with every default applied. */
export interface ResolvedRetryPolicy {
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maximumIntervalMs: number;
  /** 0 means unlimited. */
  readonly maximumAttempts: number;
  readonly nonRetryableErrorTypes: readonly string[];
}

/** Defaults applied to absent fields (`maximumIntervalMs` is 100 × the initial interval). */
export const RETRY_POLICY_DEFAULTS = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalFactor: 100,
  maximumAttempts: 0,
} as const;

const MAX_BACKOFF_COEFFICIENT = 100;

function invalid(field: string, message: string, value: unknown): never {
  throw new AionError('invalid_argument', `invalid retry policy: ${field} ${message}`, {
    field,
    value: safeValue(value),
  });
}

function safeValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
    ? value
    : typeof value;
}

function checkInterval(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(field, `must be a finite number of milliseconds >= 0 (got ${String(value)})`, value);
  }
}

/**
 * Applies defaults and validates. Throws `AionError('invalid_argument')` naming the field:
 * intervals must be finite and >= 0, `backoffCoefficient` from 1 to 100, `maximumAttempts` an
 * integer >= 0, `nonRetryableErrorTypes` an array of strings, and the resolved maximum
 * interval must not be below the resolved initial interval.
 *
 * @example
 * resolveRetryPolicy({ maximumAttempts: 3 });
 * // → { initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 100000,
 * //     maximumAttempts: 3, nonRetryableErrorTypes: [] }
 */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  if (typeof policy !== 'object' || policy === null) invalid('policy', 'must be an object', policy);
  const {
    initialIntervalMs = RETRY_POLICY_DEFAULTS.initialIntervalMs,
    backoffCoefficient = RETRY_POLICY_DEFAULTS.backoffCoefficient,
    maximumAttempts = RETRY_POLICY_DEFAULTS.maximumAttempts,
    nonRetryableErrorTypes = [],
  } = policy;
  checkInterval('initialIntervalMs', initialIntervalMs);
  const maximumIntervalMs =
    policy.maximumIntervalMs ?? initialIntervalMs * RETRY_POLICY_DEFAULTS.maximumIntervalFactor;
  checkInterval('maximumIntervalMs', maximumIntervalMs);
  if (maximumIntervalMs < initialIntervalMs) {
    invalid(
      'maximumIntervalMs',
      `(${maximumIntervalMs}) must be >= initialIntervalMs (${initialIntervalMs}; the default is ${RETRY_POLICY_DEFAULTS.initialIntervalMs})`,
      maximumIntervalMs,
    );
  }
  if (
    typeof backoffCoefficient !== 'number' ||
    !Number.isFinite(backoffCoefficient) ||
    backoffCoefficient < 1 ||
    backoffCoefficient > MAX_BACKOFF_COEFFICIENT
  ) {
    invalid(
      'backoffCoefficient',
      `must be a number from 1 to ${MAX_BACKOFF_COEFFICIENT} (got ${String(backoffCoefficient)})`,
      backoffCoefficient,
    );
  }
  if (!Number.isSafeInteger(maximumAttempts) || maximumAttempts < 0) {
    invalid(
      'maximumAttempts',
      `must be an integer >= 0, 0 meaning unlimited (got ${String(maximumAttempts)})`,
      maximumAttempts,
    );
  }
  if (
    !Array.isArray(nonRetryableErrorTypes) ||
    !nonRetryableErrorTypes.every((t) => typeof t === 'string')
  ) {
    invalid('nonRetryableErrorTypes', 'must be an array of strings', nonRetryableErrorTypes);
  }
  return {
    initialIntervalMs,
    backoffCoefficient,
    maximumIntervalMs,
    maximumAttempts,
    nonRetryableErrorTypes: [...nonRetryableErrorTypes],
  };
}

/**
 * Backoff before the attempt after `attempt` (1-based):
 * `min(initialInterval × coefficient^(attempt − 1), maximumInterval)`, rounded to whole ms.
 */
export function retryDelayMs(policy: ResolvedRetryPolicy, attempt: number): number {
  checkAttempt(attempt);
  const raw = policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, attempt - 1);
  // Infinity (huge exponents) also lands on the cap.
  return Math.round(Math.min(raw, policy.maximumIntervalMs));
}

function checkAttempt(attempt: number): void {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new AionError(
      'invalid_argument',
      `invalid attempt ${String(attempt)}: attempts are numbered from 1`,
      { field: 'attempt' },
    );
  }
}

export interface RetryDecisionInput {
  /** The policy as recorded (defaults are applied here), or an already resolved one. */
  readonly policy?: RetryPolicy | undefined;
  /** The attempt that just failed (1 for the first). */
  readonly attempt: number;
  /** The failure of that attempt (a `failed` or `timed_out` outcome). */
  readonly failure: Failure;
  /** Epoch ms when the failure was observed. */
  readonly now: number;
  /** Epoch ms when the activity was first scheduled. */
  readonly scheduledTime: number;
  readonly scheduleToCloseTimeoutMs?: number | undefined;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly nextAttempt: number }
  | {
      readonly retry: false;
      readonly retryState: 'MAXIMUM_ATTEMPTS_REACHED' | 'NON_RETRYABLE_FAILURE' | 'TIMEOUT';
    };

/**
 * Decides whether a failed attempt is retried. Checks, in order:
 * 1. `NON_RETRYABLE_FAILURE` — the failure says `retryable: false`, is a cancellation or
 *    termination, or its `type` is listed in `nonRetryableErrorTypes`;
 * 2. `MAXIMUM_ATTEMPTS_REACHED` — `maximumAttempts > 0` and `attempt >= maximumAttempts`;
 * 3. `TIMEOUT` — with a schedule-to-close timeout, the next attempt would start at or after
 *    `scheduledTime + scheduleToCloseTimeoutMs` (it would have no time left to run).
 * Otherwise it retries after {@link retryDelayMs}.
 */
export function decideRetry(input: RetryDecisionInput): RetryDecision {
  const policy = resolveRetryPolicy(input.policy);
  checkAttempt(input.attempt);
  const { failure } = input;
  if (
    !failure.retryable ||
    failure.source === 'cancelled' ||
    failure.source === 'terminated' ||
    policy.nonRetryableErrorTypes.includes(failure.type)
  ) {
    return { retry: false, retryState: 'NON_RETRYABLE_FAILURE' };
  }
  if (policy.maximumAttempts > 0 && input.attempt >= policy.maximumAttempts) {
    return { retry: false, retryState: 'MAXIMUM_ATTEMPTS_REACHED' };
  }
  const delayMs = retryDelayMs(policy, input.attempt);
  if (input.scheduleToCloseTimeoutMs !== undefined) {
    const deadline = input.scheduledTime + input.scheduleToCloseTimeoutMs;
    if (input.now + delayMs >= deadline) return { retry: false, retryState: 'TIMEOUT' };
  }
  return { retry: true, delayMs, nextAttempt: input.attempt + 1 };
}
