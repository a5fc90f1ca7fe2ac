// What an attempt is told about itself (ActivityInfo), built from its task row and the data
// recorded when the activity was scheduled.
import {
  attemptDeadline,
  type ActivityInfo,
  type TaskTokenFields,
} from '../../activity/internal.js';
import type { DataConverter, Headers, Mutable, Payload } from '../../core/index.js';
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

/**
 * The info of an attempt that starts `now`, as the executor completes it when it starts the
 * attempt (deadline, timeouts): one started at once is run with this object, not a copy.
 */
export function attemptInfo(
  task: ActivityTask,
  data: TaskData,
  now: number,
  heartbeatDetails: unknown,
  /** Signs the attempt's task token. */
  sign: (fields: TaskTokenFields) => string,
): ActivityInfo {
  const { options } = data;
  const stc = options.startToCloseTimeoutMs;
  const sct = options.scheduleToCloseTimeoutMs;
  let token: string | undefined;
  const info: Mutable<ActivityInfo> = {
    namespace: task.namespace,
    workflowId: task.workflowId,
    runId: task.runId,
    workflowType: data.workflowType,
    activityId: task.activityId,
    activityType: task.activityType,
    taskQueue: options.taskQueue,
    attempt: task.attempt,
    // Made on first read: most in-process attempts never read it, and encoding (and signing,
    // on a server) cost more than the rest of the info. An own enumerable property, so copies
    // (spread, JSON) carry it as before.
    get taskToken(): string {
      return (token ??= sign({
        namespace: task.namespace,
        workflowId: task.workflowId,
        runId: task.runId,
        activityId: task.activityId,
        attempt: task.attempt,
      }));
    },
    scheduledTime: data.scheduledAt,
    startedTime: now,
    // The same deadline the executor gives an attempt it starts now (it then runs this object).
    deadline: attemptDeadline(now, data.scheduledAt, stc, sct),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    heartbeatDetails,
    isLocal: data.local,
    headers: data.headers ?? NO_HEADERS,
  };
  if (stc !== undefined) info.startToCloseTimeoutMs = stc;
  if (sct !== undefined) info.scheduleToCloseTimeoutMs = sct;
  return info;
}
