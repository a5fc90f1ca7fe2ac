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

/** Signs an attempt's task token (the engine's token service). */
export type SignToken = (fields: TaskTokenFields) => string;

/**
 * Where an info keeps how to make its task token, then the token: a non-enumerable own
 * property, so copies (spread, JSON, `Object.keys`) show only `taskToken`.
 */
const TOKEN = Symbol('aion.taskToken');

type WithToken = Mutable<ActivityInfo> & { [TOKEN]: SignToken | string };

/** The `taskToken` accessor every info shares: made on first read, then kept. */
function readTaskToken(this: WithToken): string {
  const held = this[TOKEN];
  if (typeof held === 'string') return held;
  const token = held({
    namespace: this.namespace,
    workflowId: this.workflowId,
    runId: this.runId,
    activityId: this.activityId,
    attempt: this.attempt,
  });
  this[TOKEN] = token;
  return token;
}

// One accessor and one hidden slot for every info: objects made alike then share one shape.
// (An object literal with a getter of its own is a dictionary-mode object in V8, about ten
// times the size of this one, with a new getter closure each time.)
const TASK_TOKEN: PropertyDescriptor = { get: readTaskToken, enumerable: true, configurable: true };
const TOKEN_SLOT: PropertyDescriptor = {
  value: undefined,
  writable: true,
  enumerable: false,
  configurable: true,
};

/**
 * The info of an attempt that starts `now`, as the executor completes it when it starts the
 * attempt (deadline, timeouts): one started at once is run with this object, not a copy. Its
 * task token is made on first read: most in-process attempts never read it, and encoding
 * (and signing, on a server) cost more than the rest of the info. It is an own enumerable
 * property, so copies (spread, JSON) carry it.
 */
export function attemptInfo(
  task: ActivityTask,
  data: TaskData,
  now: number,
  heartbeatDetails: unknown,
  /** Signs the attempt's task token. */
  sign: SignToken,
): ActivityInfo {
  const { options } = data;
  const stc = options.startToCloseTimeoutMs;
  const sct = options.scheduleToCloseTimeoutMs;
  const info = {
    namespace: task.namespace,
    workflowId: task.workflowId,
    runId: task.runId,
    workflowType: data.workflowType,
    activityId: task.activityId,
    activityType: task.activityType,
    taskQueue: options.taskQueue,
    attempt: task.attempt,
  } as WithToken;
  Object.defineProperty(info, 'taskToken', TASK_TOKEN);
  info.scheduledTime = data.scheduledAt;
  info.startedTime = now;
  // The same deadline the executor gives an attempt it starts now (it then runs this object).
  info.deadline = attemptDeadline(now, data.scheduledAt, stc, sct);
  info.heartbeatTimeoutMs = options.heartbeatTimeoutMs;
  info.heartbeatDetails = heartbeatDetails;
  info.isLocal = data.local;
  info.headers = data.headers ?? NO_HEADERS;
  if (stc !== undefined) info.startToCloseTimeoutMs = stc;
  if (sct !== undefined) info.scheduleToCloseTimeoutMs = sct;
  TOKEN_SLOT.value = sign;
  Object.defineProperty(info, TOKEN, TOKEN_SLOT);
  TOKEN_SLOT.value = undefined;
  return info;
}
