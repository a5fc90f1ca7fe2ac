// Activity options as written in workflow code, and the workflow-side view of an activity
// module; shared by the activity proxies and the outbound interceptors.
import type { Duration, Priority } from '../core/index.js';

/** Retry policy as written in workflow code (durations as numbers of ms or strings). */
export interface RetryPolicyOptions {
  /** Delay before the first retry. Default 1 s. */
  readonly initialInterval?: Duration;
  /** Multiplier applied to the delay after each retry. Default 2. */
  readonly backoffCoefficient?: number;
  /** Upper bound of the delay. Default 100 × initialInterval. */
  readonly maximumInterval?: Duration;
  /** Total attempts including the first; 0 or absent means unlimited. */
  readonly maximumAttempts?: number;
  /** Failure types never retried. */
  readonly nonRetryableErrorTypes?: readonly string[];
}

/**
 * What cancelling an activity's scope does to the activity and to the promise the workflow
 * awaits (as in Temporal). The promise rejects with an `ActivityFailure` whose `cause` is a
 * `CancelledFailure`.
 */
export const ActivityCancellationType = {
  /** Ask the activity to stop and reject the promise at once. The default. */
  TRY_CANCEL: 'TRY_CANCEL',
  /**
   * Ask the activity to stop and wait for it: the promise settles with the activity's
   * recorded outcome (cancelled, or completed/failed if it finished anyway). The activity
   * must heartbeat to see the request.
   */
  WAIT_CANCELLATION_COMPLETED: 'WAIT_CANCELLATION_COMPLETED',
  /** Do not ask the activity to stop (it runs on, its outcome is ignored); reject at once. */
  ABANDON: 'ABANDON',
} as const;
export type ActivityCancellationType =
  (typeof ActivityCancellationType)[keyof typeof ActivityCancellationType];

export interface ActivityOptions {
  /** Task queue the activity is dispatched on. Default: the workflow's task queue. */
  readonly taskQueue?: string;
  /** Maximum time of one attempt. Default: none. */
  readonly startToCloseTimeout?: Duration;
  /** Maximum time from scheduling to the final outcome, retries included. Default: none. */
  readonly scheduleToCloseTimeout?: Duration;
  /** Maximum time a task may wait for a worker. Default: none. */
  readonly scheduleToStartTimeout?: Duration;
  /** Maximum time between heartbeats of a running attempt. Default: none. */
  readonly heartbeatTimeout?: Duration;
  /** Retry policy. Default: unlimited attempts, 1 s initial interval, coefficient 2, max 100 s. */
  readonly retry?: RetryPolicyOptions;
  /**
   * Temporal's task priority of the activity: accepted for code written for Temporal and not
   * applied (Aion does not order activity tasks by priority). Default: none.
   */
  readonly priority?: Priority;
  /** What cancelling the calling scope does. Default `TRY_CANCEL`. */
  readonly cancellationType?: ActivityCancellationType;
}

export type LocalActivityOptions = Omit<
  ActivityOptions,
  'taskQueue' | 'heartbeatTimeout' | 'scheduleToStartTimeout'
>;

/** The workflow-side view of an activity module: every function returns a Promise. */
export type ActivityInterfaceFor<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};
