import type { ActivationJob, EventOf, Failure, HistoryEvent } from '../core/index.js';

/** The job workflow code receives when a recorded child workflow settles (or fails to start). */
export function childJob(event: HistoryEvent, childId: string): ActivationJob {
  const failure = (
    type: string,
    source: 'cancelled' | 'terminated' | 'timeout',
    message: string,
  ): Failure => ({ type, source, message, retryable: false });
  switch (event.type) {
    case 'ChildWorkflowStartFailed':
      return { type: 'failChildStart', childId, failure: event.failure };
    case 'ChildWorkflowCompleted':
      return { type: 'resolveChild', childId, result: event.result };
    case 'ChildWorkflowFailed':
      return { type: 'rejectChild', childId, failure: event.failure };
    case 'ChildWorkflowCancelled':
      return {
        type: 'rejectChild',
        childId,
        failure: failure(
          'CancelledFailure',
          'cancelled',
          `was cancelled${event.reason ? `: ${event.reason}` : ''}`,
        ),
      };
    case 'ChildWorkflowTerminated':
      return {
        type: 'rejectChild',
        childId,
        failure: failure(
          'TerminatedFailure',
          'terminated',
          `was terminated${event.reason ? `: ${event.reason}` : ''}`,
        ),
      };
    case 'ChildWorkflowTimedOut':
      return {
        type: 'rejectChild',
        childId,
        failure: failure('TimeoutFailure', 'timeout', `timed out (${event.timeoutType})`),
      };
    default:
      throw new Error(`not a child outcome: ${event.type}`);
  }
}

/** The job workflow code receives when a recorded activity attempt settles. */
export function activityJob(
  event:
    | EventOf<'ActivityCompleted'>
    | EventOf<'ActivityFailed'>
    | EventOf<'ActivityTimedOut'>
    | EventOf<'ActivityCancelled'>,
  activityId: string,
): ActivationJob {
  switch (event.type) {
    case 'ActivityCompleted':
      return { type: 'resolveActivity', activityId, result: event.result };
    case 'ActivityFailed':
      return event.retryState === undefined
        ? { type: 'rejectActivity', activityId, failure: event.failure, attempt: event.attempt }
        : {
            type: 'rejectActivity',
            activityId,
            failure: event.failure,
            attempt: event.attempt,
            retryState: event.retryState,
          };
    case 'ActivityTimedOut':
      return {
        type: 'rejectActivity',
        activityId,
        attempt: event.attempt,
        retryState: 'TIMEOUT',
        failure: {
          type: 'TimeoutFailure',
          source: 'timeout',
          message: `activity timed out (${event.timeoutType})`,
          retryable: false,
          details: [
            { encoding: 'json/plain', data: JSON.stringify({ timeoutType: event.timeoutType }) },
          ],
          ...(event.failure ? { cause: event.failure } : {}),
        },
      };
    case 'ActivityCancelled':
      return {
        type: 'rejectActivity',
        activityId,
        attempt: event.attempt,
        retryState: 'CANCEL_REQUESTED',
        failure: {
          type: 'CancelledFailure',
          source: 'cancelled',
          message: 'activity cancelled',
          retryable: false,
        },
      };
  }
}
