// What an attempt is told about itself (ActivityInfo), built from its task row and the data
// recorded when the activity was scheduled.
import type { ActivityInfo, TaskTokenFields } from '../../activity/internal.js';
import type { DataConverter, Headers, Payload } from '../../core/index.js';
import type { ActivityTask } from '../../store/index.js';
import type { TaskData } from './types.js';

const NO_HEADERS: Headers = Object.freeze({});

/** The details of the last heartbeat, or undefined when absent or undecodable. */
export function decodeHeartbeatDetails(
  converter: DataConverter,
  details: Payload | undefined,
): unknown {
  if (!details) return undefined;
  try {
    return converter.decode(details);
  } catch {
    return undefined;
  }
}

export function attemptInfo(
  task: ActivityTask,
  data: TaskData,
  now: number,
  heartbeatDetails: unknown,
  /** Signs the attempt's task token. */
  sign: (fields: TaskTokenFields) => string,
): ActivityInfo {
  return {
    namespace: task.namespace,
    workflowId: task.workflowId,
    runId: task.runId,
    workflowType: data.workflowType,
    activityId: task.activityId,
    activityType: task.activityType,
    taskQueue: data.options.taskQueue,
    attempt: task.attempt,
    taskToken: sign({
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
      activityId: task.activityId,
      attempt: task.attempt,
    }),
    scheduledTime: data.scheduledAt,
    startedTime: now,
    deadline:
      data.options.startToCloseTimeoutMs === undefined
        ? undefined
        : now + data.options.startToCloseTimeoutMs,
    heartbeatTimeoutMs: data.options.heartbeatTimeoutMs,
    heartbeatDetails,
    isLocal: data.local,
    headers: data.headers ?? NO_HEADERS,
  };
}
