// Translation between an attempt and the worker protocol: the task frame a worker receives,
// and the attempt outcome its reported result stands for.
import type { AttemptOutcome, AttemptRequest } from '../../activity/internal.js';
import type { RemoteOutcome, RemoteTask } from './types.js';

/** The task frame (without its tag) that hands `request` to a worker. */
export function taskFrame(request: AttemptRequest): RemoteTask {
  const { info, options: o } = request;
  return {
    taskToken: info.taskToken,
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.workflowType,
    activityId: info.activityId,
    activityType: info.activityType,
    taskQueue: info.taskQueue,
    attempt: info.attempt,
    args: request.args,
    scheduledTime: info.scheduledTime,
    startedTime: info.startedTime,
    ...(o.startToCloseTimeoutMs !== undefined
      ? { startToCloseTimeoutMs: o.startToCloseTimeoutMs }
      : {}),
    ...(o.scheduleToCloseTimeoutMs !== undefined
      ? { scheduleToCloseTimeoutMs: o.scheduleToCloseTimeoutMs }
      : {}),
    ...(o.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: o.heartbeatTimeoutMs } : {}),
    ...(info.heartbeatDetails !== undefined ? { heartbeatDetails: info.heartbeatDetails } : {}),
    ...(Object.keys(info.headers).length > 0 ? { headers: info.headers } : {}),
  };
}

export function toAttemptOutcome(outcome: RemoteOutcome): AttemptOutcome {
  switch (outcome.type) {
    case 'completed':
      return { type: 'completed', result: outcome.result };
    case 'failed':
      return { type: 'failed', failure: outcome.failure };
    case 'cancelled':
      return {
        type: 'cancelled',
        failure: outcome.failure ?? {
          type: 'CancelledFailure',
          message: 'activity cancelled',
          retryable: false,
          source: 'cancelled',
        },
      };
  }
}
