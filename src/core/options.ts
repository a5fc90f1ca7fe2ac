/** Retry policy for activities (and, later, workflows). Defaults are documented per field. */
export interface RetryPolicy {
  /** Delay before the first retry. Default 1 s. */
  readonly initialIntervalMs?: number;
  /** Multiplier applied to the delay after each retry. Default 2. */
  readonly backoffCoefficient?: number;
  /** Upper bound of the delay. Default 100 × initialInterval. */
  readonly maximumIntervalMs?: number;
  /** Total attempts including the first; 0 means unlimited. Default 0 (unlimited). */
  readonly maximumAttempts?: number;
  /** Failure types that are never retried. */
  readonly nonRetryableErrorTypes?: readonly string[];
}

/**
 * Retry policy of a whole workflow as a client gives it (`retry` start option, Temporal's
 * shape: durations as ms or strings such as '1 second'). Recorded as a {@link RetryPolicy}.
 */
export interface WorkflowRetryPolicy {
  /** Delay before the second attempt. Default 1 s. */
  readonly initialInterval?: number | string;
  /** Multiplier applied to the delay after each attempt. Default 2. */
  readonly backoffCoefficient?: number;
  /** Upper bound of the delay. Default 100 × initialInterval. */
  readonly maximumInterval?: number | string;
  /** Total attempts including the first; 0 or absent means unlimited. */
  readonly maximumAttempts?: number;
  /** Failure types that are never retried. */
  readonly nonRetryableErrorTypes?: readonly string[];
}

/** Activity options as recorded in `ActivityScheduled` (durations in milliseconds). */
export interface RecordedActivityOptions {
  readonly taskQueue: string;
  readonly startToCloseTimeoutMs?: number;
  readonly scheduleToCloseTimeoutMs?: number;
  readonly scheduleToStartTimeoutMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly retry?: RetryPolicy;
}

export const PARENT_CLOSE_POLICIES = ['TERMINATE', 'REQUEST_CANCEL', 'ABANDON'] as const;
export type ParentClosePolicy = (typeof PARENT_CLOSE_POLICIES)[number];

export type TimeoutType =
  'START_TO_CLOSE' | 'SCHEDULE_TO_CLOSE' | 'SCHEDULE_TO_START' | 'HEARTBEAT';
export type WorkflowTimeoutType = 'EXECUTION' | 'RUN';

/**
 * Task priority as Temporal describes it: `priorityKey` (1 is the highest; lower numbers
 * first), `fairnessKey` and `fairnessWeight`. Aion records it and shows it in
 * `workflowInfo().priority` (children inherit it), but does not order tasks by it.
 */
export interface Priority {
  readonly priorityKey?: number;
  readonly fairnessKey?: string;
  readonly fairnessWeight?: number;
}

/**
 * A priority option checked and copied (only the three known fields; absent ones left out),
 * or undefined when none is given. `fail` reports a bad value.
 */
export function validatePriority(
  value: unknown,
  fail: (message: string) => never,
): Priority | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail('priority must be an object');
  const { priorityKey, fairnessKey, fairnessWeight } = value as Record<string, unknown>;
  const out: { -readonly [K in keyof Priority]: Priority[K] } = {};
  if (priorityKey !== undefined) {
    if (typeof priorityKey !== 'number' || !Number.isSafeInteger(priorityKey) || priorityKey < 1)
      fail('priority.priorityKey must be a positive integer');
    out.priorityKey = priorityKey;
  }
  if (fairnessKey !== undefined) {
    if (typeof fairnessKey !== 'string' || fairnessKey.length > 64)
      fail('priority.fairnessKey must be a string of at most 64 characters');
    out.fairnessKey = fairnessKey;
  }
  if (fairnessWeight !== undefined) {
    if (typeof fairnessWeight !== 'number' || !(fairnessWeight > 0) || fairnessWeight > 1000)
      fail('priority.fairnessWeight must be a number in (0, 1000]');
    out.fairnessWeight = fairnessWeight;
  }
  return out;
}
