import { describe, expect, it } from 'vitest';
import { isAionError, type Failure } from '../core/index.js';
import { decideRetry, resolveRetryPolicy, retryDelayMs } from './retry-policy.js';

const retryable: Failure = { type: 'Error', message: 'boom', retryable: true };
const T0 = 1_000_000;

function expectInvalid(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (err) {
    expect(isAionError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('invalid_argument');
    expect((err as Error).message).toContain(field);
    expect((err as { details: Record<string, unknown> }).details.field).toBe(field);
    return;
  }
  expect.fail(`expected invalid_argument for ${field}`);
}

describe('resolveRetryPolicy', () => {
  it('applies the documented defaults', () => {
    expect(resolveRetryPolicy()).toEqual({
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 0,
      nonRetryableErrorTypes: [],
    });
  });

  it('derives the maximum interval from a custom initial interval', () => {
    expect(resolveRetryPolicy({ initialIntervalMs: 50 }).maximumIntervalMs).toBe(5000);
  });

  it('keeps explicit values', () => {
    const p = resolveRetryPolicy({
      initialIntervalMs: 10,
      backoffCoefficient: 3,
      maximumIntervalMs: 20,
      maximumAttempts: 4,
      nonRetryableErrorTypes: ['Bad'],
    });
    expect(p).toEqual({
      initialIntervalMs: 10,
      backoffCoefficient: 3,
      maximumIntervalMs: 20,
      maximumAttempts: 4,
      nonRetryableErrorTypes: ['Bad'],
    });
  });

  it('rejects invalid fields, naming them', () => {
    expectInvalid(() => resolveRetryPolicy({ initialIntervalMs: -1 }), 'initialIntervalMs');
    expectInvalid(() => resolveRetryPolicy({ initialIntervalMs: NaN }), 'initialIntervalMs');
    expectInvalid(() => resolveRetryPolicy({ backoffCoefficient: 0.5 }), 'backoffCoefficient');
    expectInvalid(() => resolveRetryPolicy({ backoffCoefficient: 101 }), 'backoffCoefficient');
    expectInvalid(() => resolveRetryPolicy({ maximumAttempts: 1.5 }), 'maximumAttempts');
    expectInvalid(() => resolveRetryPolicy({ maximumAttempts: -1 }), 'maximumAttempts');
    expectInvalid(
      () => resolveRetryPolicy({ initialIntervalMs: 100, maximumIntervalMs: 99 }),
      'maximumIntervalMs',
    );
    // Only the maximum given, below the default initial interval of 1 s.
    expectInvalid(() => resolveRetryPolicy({ maximumIntervalMs: 500 }), 'maximumIntervalMs');
    expectInvalid(
      () => resolveRetryPolicy({ nonRetryableErrorTypes: [1] as unknown as string[] }),
      'nonRetryableErrorTypes',
    );
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially and is capped', () => {
    const p = resolveRetryPolicy({ initialIntervalMs: 100, maximumIntervalMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(p, a))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('rounds fractional coefficients to whole ms and survives huge attempts', () => {
    const p = resolveRetryPolicy({ initialIntervalMs: 1000, backoffCoefficient: 1.5 });
    expect([1, 2, 3].map((a) => retryDelayMs(p, a))).toEqual([1000, 1500, 2250]);
    expect(retryDelayMs(p, 10_000)).toBe(100_000);
  });

  it('rejects attempt numbers below 1', () => {
    expectInvalid(() => retryDelayMs(resolveRetryPolicy(), 0), 'attempt');
  });
});

describe('decideRetry', () => {
  const base = { attempt: 1, failure: retryable, now: T0, scheduledTime: T0 };

  it('retries a retryable failure with the default first delay', () => {
    expect(decideRetry(base)).toEqual({ retry: true, delayMs: 1000, nextAttempt: 2 });
  });

  it('uses the exact backoff for later attempts', () => {
    expect(decideRetry({ ...base, attempt: 3 })).toEqual({
      retry: true,
      delayMs: 4000,
      nextAttempt: 4,
    });
  });

  it('stops at maximumAttempts (counting the first attempt)', () => {
    const policy = { maximumAttempts: 3 };
    expect(decideRetry({ ...base, policy, attempt: 2 })).toMatchObject({
      retry: true,
      nextAttempt: 3,
    });
    expect(decideRetry({ ...base, policy, attempt: 3 })).toEqual({
      retry: false,
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
    });
  });

  it('maximumAttempts 1 means no retry at all', () => {
    expect(decideRetry({ ...base, policy: { maximumAttempts: 1 } })).toEqual({
      retry: false,
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
    });
  });

  it('does not retry failures marked non-retryable', () => {
    expect(decideRetry({ ...base, failure: { ...retryable, retryable: false } })).toEqual({
      retry: false,
      retryState: 'NON_RETRYABLE_FAILURE',
    });
  });

  it('does not retry failure types listed in nonRetryableErrorTypes', () => {
    const policy = { nonRetryableErrorTypes: ['PaymentDeclined'] };
    expect(
      decideRetry({ ...base, policy, failure: { ...retryable, type: 'PaymentDeclined' } }),
    ).toEqual({ retry: false, retryState: 'NON_RETRYABLE_FAILURE' });
    expect(
      decideRetry({ ...base, policy, failure: { ...retryable, type: 'Other' } }),
    ).toMatchObject({ retry: true });
  });

  it('never retries a cancellation, even if marked retryable', () => {
    expect(
      decideRetry({
        ...base,
        failure: { ...retryable, type: 'CancelledFailure', source: 'cancelled' },
      }),
    ).toEqual({ retry: false, retryState: 'NON_RETRYABLE_FAILURE' });
  });

  it('non-retryable wins over maximum attempts', () => {
    expect(
      decideRetry({
        ...base,
        policy: { maximumAttempts: 1 },
        failure: { ...retryable, retryable: false },
      }),
    ).toEqual({ retry: false, retryState: 'NON_RETRYABLE_FAILURE' });
  });

  it('stops when the next attempt would start at or after the schedule-to-close deadline', () => {
    // Scheduled at T0 with 10 s; failing at T0 + 8 s with a 2 s delay → next start at the deadline.
    const atDeadline = { ...base, attempt: 2, now: T0 + 8000, scheduleToCloseTimeoutMs: 10_000 };
    expect(decideRetry(atDeadline)).toEqual({ retry: false, retryState: 'TIMEOUT' });
    // One ms earlier leaves 1 ms to run: retried.
    expect(decideRetry({ ...atDeadline, now: T0 + 7999 })).toEqual({
      retry: true,
      delayMs: 2000,
      nextAttempt: 3,
    });
  });

  it('validates the policy it is given', () => {
    expectInvalid(
      () => decideRetry({ ...base, policy: { backoffCoefficient: 0 } }),
      'backoffCoefficient',
    );
  });
});
