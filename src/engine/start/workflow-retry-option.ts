// The `retry` start option: Temporal's shape (durations as ms or strings) validated with the
// activity retry policy's rules and turned into the recorded policy (milliseconds).
import {
  AionError,
  optionalDuration,
  type RetryPolicy,
  type WorkflowRetryPolicy,
} from '../../core/index.js';
import { resolveRetryPolicy } from '../../activity/internal.js';

const KEYS = new Set([
  'initialInterval',
  'backoffCoefficient',
  'maximumInterval',
  'maximumAttempts',
  'nonRetryableErrorTypes',
]);

/** The policy to record, or undefined without one. Errors name the field (`retry.x`). */
export function parseWorkflowRetry(
  retry: WorkflowRetryPolicy | undefined,
): RetryPolicy | undefined {
  if (retry === undefined) return undefined;
  if (typeof retry !== 'object' || retry === null || Array.isArray(retry))
    throw new AionError('invalid_argument', 'retry must be a retry policy object', {
      field: 'retry',
    });
  for (const key of Object.keys(retry)) {
    if (!KEYS.has(key))
      throw new AionError(
        'invalid_argument',
        `unknown retry policy field ${JSON.stringify(key)}; known: ${[...KEYS].join(', ')}`,
        { field: `retry.${key}` },
      );
  }
  const policy: { -readonly [K in keyof RetryPolicy]: RetryPolicy[K] } = {};
  const initial = optionalDuration(retry.initialInterval, 'retry.initialInterval');
  const maximum = optionalDuration(retry.maximumInterval, 'retry.maximumInterval');
  if (initial !== undefined) policy.initialIntervalMs = initial;
  if (maximum !== undefined) policy.maximumIntervalMs = maximum;
  if (retry.backoffCoefficient !== undefined) policy.backoffCoefficient = retry.backoffCoefficient;
  if (retry.maximumAttempts !== undefined) policy.maximumAttempts = retry.maximumAttempts;
  if (retry.nonRetryableErrorTypes !== undefined)
    policy.nonRetryableErrorTypes = retry.nonRetryableErrorTypes;
  try {
    resolveRetryPolicy(policy);
  } catch (err) {
    if (!(err instanceof AionError)) throw err;
    const named = err.details['field'];
    const field = (typeof named === 'string' ? named : 'policy').replace(/Ms$/, '');
    throw new AionError('invalid_argument', err.message.replace(/(\w+)Ms\b/g, 'retry.$1'), {
      field: `retry.${field}`,
    });
  }
  if (policy.nonRetryableErrorTypes)
    policy.nonRetryableErrorTypes = [...policy.nonRetryableErrorTypes];
  return policy;
}
