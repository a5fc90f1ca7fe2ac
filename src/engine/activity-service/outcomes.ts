// How an attempt's outcome is recorded: a retry decision writes the next attempt's time into
// the task row; a final outcome becomes an event handed to the run as an arrival.
import { decideRetry, type RetryDecision } from '../../activity/internal.js';
import type { AttemptOutcome } from '../../activity/internal.js';
import {
  extend,
  isAionError,
  isBenignFailure,
  type Failure,
  type Mutable,
  type NewEvent,
  type Payload,
  type RunKey,
} from '../../core/index.js';
import type { ActivityTask } from '../../store/index.js';
import { retryForever } from '../store-retry.js';
import { scheduledTimerIds } from './task-ids.js';
import type { ActivityArrival, ServiceEnv, TaskData } from './types.js';

/** Records an attempt's outcome: a retry (its time kept in the task row) or the final event. */
export async function settleOutcome(
  env: ServiceEnv,
  run: RunKey,
  task: ActivityTask,
  data: TaskData,
  outcome: AttemptOutcome,
  /** Wait for the commit (a remote worker is acknowledged only after it). */
  durable = false,
): Promise<void> {
  const final = (event: NewEvent): Promise<void> =>
    recordFinal(env, run, task, event, durable, data);
  switch (outcome.type) {
    case 'completed':
      return final(completedEvent(env, task, outcome.result));
    case 'async':
      return;
    case 'cancelled':
      if (outcome.shutdown === true) return; // the engine is stopping: the task is delivered again later
      return final({
        type: 'ActivityCancelled',
        scheduledSeq: task.scheduledSeq,
        attempt: task.attempt,
      });
    case 'failed':
    case 'timed_out': {
      const now = env.clock.now();
      const decision = decideRetry({
        policy: data.options.retry,
        attempt: task.attempt,
        failure: outcome.failure,
        now,
        scheduledTime: data.scheduledAt,
        scheduleToCloseTimeoutMs: data.options.scheduleToCloseTimeoutMs,
      });
      if (decision.retry) {
        const visibleAt = now + decision.delayMs;
        // Waits out an outage: otherwise the retry would only happen once the lease expires.
        const held = await retryForever(env.retry, () =>
          env.store.retryTask({
            namespace: task.namespace,
            taskId: task.taskId,
            owner: env.owner,
            attempt: decision.nextAttempt,
            visibleAt,
            lastFailure: outcome.failure,
          }),
        ).catch(() => false);
        if (held) {
          env.schedulePoll(visibleAt);
          env.wakeRemote(task.namespace, task.taskQueue, visibleAt);
        }
        return;
      }
      return final(givenUpEvent(task, outcome, decision.retryState));
    }
  }
}

/** ActivityCompleted, or a non-retryable ActivityFailed when the result cannot be encoded. */
function completedEvent(env: ServiceEnv, task: ActivityTask, value: unknown): NewEvent {
  let result: Payload;
  try {
    result = env.converter.encode(value, `result of activity ${task.activityType}`);
  } catch (err) {
    return {
      type: 'ActivityFailed',
      scheduledSeq: task.scheduledSeq,
      attempt: task.attempt,
      retryState: 'NON_RETRYABLE_FAILURE',
      failure: {
        type: 'PayloadEncodeError',
        message: (err as Error).message,
        retryable: false,
      },
    };
  }
  return {
    type: 'ActivityCompleted',
    scheduledSeq: task.scheduledSeq,
    result,
    attempt: task.attempt,
  };
}

/** The final event of an attempt that failed or timed out and is not retried. */
function givenUpEvent(
  task: ActivityTask,
  outcome: AttemptOutcome & { type: 'failed' | 'timed_out' },
  retryState: Extract<RetryDecision, { retry: false }>['retryState'],
): NewEvent {
  if (outcome.type === 'timed_out') {
    return {
      type: 'ActivityTimedOut',
      scheduledSeq: task.scheduledSeq,
      timeoutType: outcome.timeoutType,
      attempt: task.attempt,
      failure: outcome.failure,
    };
  }
  return {
    type: 'ActivityFailed',
    scheduledSeq: task.scheduledSeq,
    failure: outcome.failure,
    attempt: task.attempt,
    retryState,
  };
}

/** Hands a final outcome to the run; resolves once it is committed (or refused). */
export function recordFinal(
  env: ServiceEnv,
  run: RunKey,
  task: { taskId: string; activityId: string },
  event: NewEvent,
  durable = false,
  /** The task's data: its timers are then only those its options made. */
  data?: TaskData,
): Promise<void> {
  const kind =
    event.type === 'ActivityCompleted'
      ? 'completed'
      : event.type === 'ActivityFailed'
        ? isBenignFailure(event.failure)
          ? 'failed_benign' // an expected failure (ApplicationFailureCategory.BENIGN)
          : 'failed'
        : event.type === 'ActivityTimedOut'
          ? 'timed_out'
          : 'cancelled';
  env.metrics.activityOutcomes.inc(1, { outcome: kind });
  const arrival: Mutable<ActivityArrival> = {
    run,
    activityId: task.activityId,
    taskId: task.taskId,
    event,
  };
  if (data) arrival.timerIds = scheduledTimerIds(task.activityId, data.options, data.local);
  if (!durable) {
    // No ack: a failed commit keeps the arrival in the run's inbox and retries it.
    env.onArrival(arrival);
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const ack = {
      // The worker is acknowledged only once its result is durable: wait through an outage.
      patient: true,
      resolve: () => resolve(),
      // A closed run refuses the outcome for good: that is settled too.
      reject: (error: unknown) =>
        isAionError(error) && error.code === 'workflow_closed'
          ? resolve()
          : reject(error instanceof Error ? error : new Error(String(error))),
    };
    env.onArrival(extend(arrival, { ack }));
  });
}

/** The outcome of a failure record reported from outside (asynchronous completion). */
export function failureEvent(scheduledSeq: number, attempt: number, failure: Failure): NewEvent {
  return {
    type: 'ActivityFailed',
    scheduledSeq,
    failure,
    attempt,
    retryState: 'NON_RETRYABLE_FAILURE',
  };
}
