// A retry policy as written in workflow code (durations as ms or strings), checked and turned
// into the recorded policy (milliseconds); used by activity and child workflow options.
import { optionalDuration, type RetryPolicy } from '../../core/index.js';
import type { RetryPolicyOptions } from '../activity-options.js';

export function toRecordedRetry(
  r: RetryPolicyOptions,
  fail: (message: string) => never,
): RetryPolicy {
  const retry: { -readonly [K in keyof RetryPolicy]: RetryPolicy[K] } = {};
  const ii = optionalDuration(r.initialInterval, 'retry.initialInterval');
  const mi = optionalDuration(r.maximumInterval, 'retry.maximumInterval');
  if (ii !== undefined) retry.initialIntervalMs = ii;
  if (mi !== undefined) retry.maximumIntervalMs = mi;
  if (r.backoffCoefficient !== undefined) {
    if (!(
      typeof r.backoffCoefficient === 'number' &&
      r.backoffCoefficient >= 1 &&
      r.backoffCoefficient <= 100
    )) {
      fail('retry.backoffCoefficient must be a number from 1 to 100');
    }
    retry.backoffCoefficient = r.backoffCoefficient;
  }
  if (r.maximumAttempts !== undefined) {
    if (!Number.isSafeInteger(r.maximumAttempts) || r.maximumAttempts < 0)
      fail('retry.maximumAttempts must be an integer >= 0');
    retry.maximumAttempts = r.maximumAttempts;
  }
  if (r.nonRetryableErrorTypes !== undefined) {
    if (
      !Array.isArray(r.nonRetryableErrorTypes) ||
      !r.nonRetryableErrorTypes.every((t) => typeof t === 'string')
    ) {
      fail('retry.nonRetryableErrorTypes must be an array of strings');
    }
    retry.nonRetryableErrorTypes = [...r.nonRetryableErrorTypes];
  }
  if (ii !== undefined && mi !== undefined && mi < ii)
    fail('retry.maximumInterval must be >= retry.initialInterval');
  return retry;
}
