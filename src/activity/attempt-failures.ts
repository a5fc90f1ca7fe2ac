/**
 * The Failure records the executor produces. Details are JSON-encoded with core's
 * JsonPayloadConverter; building a failure never throws.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  JsonPayloadConverter,
  TimeoutFailure,
  errorToFailure,
  isCancellation,
  type Failure,
  type Payload,
} from '../core/index.js';
import type { ActivityInfo } from './types.js';

const json = new JsonPayloadConverter();

/** JSON encoding that never throws (an unencodable detail becomes a description of it). */
function safeEncode(value: unknown): Payload {
  try {
    return json.toPayload(value);
  } catch (err) {
    return json.toPayload(`[unencodable value: ${(err as Error).message}]`);
  }
}

/** Any thrown value as a Failure. */
export function toFailure(error: unknown): Failure {
  try {
    return errorToFailure(error, safeEncode);
  } catch {
    return {
      type: 'Error',
      message: 'activity threw a value that could not be read',
      retryable: true,
    };
  }
}

/** Non-retryable `ActivityNotRegistered`, naming the types that are registered. */
export function notRegisteredFailure(info: ActivityInfo, registered: readonly string[]): Failure {
  const names = [...registered].sort();
  // No stack: it would point into the executor, not at anything the user wrote.
  const { stack: _stack, ...failure } = toFailure(
    ApplicationFailure.nonRetryable(
      `activity type ${JSON.stringify(info.activityType)} is not registered on this worker (task queue ${JSON.stringify(info.taskQueue)}); registered types: ${names.length > 0 ? names.join(', ') : '(none)'}`,
      'ActivityNotRegistered',
    ),
  );
  return failure;
}

/** The TimeoutFailure that aborts the signal, and its record. */
export function timeoutFailure(
  timeoutType: 'START_TO_CLOSE' | 'HEARTBEAT',
  timeoutMs: number | undefined,
  lastHeartbeatDetails: unknown,
): { error: TimeoutFailure; failure: Failure } {
  const what = timeoutType === 'START_TO_CLOSE' ? 'start-to-close' : 'heartbeat';
  const error = new TimeoutFailure(
    `activity ${what} timeout of ${String(timeoutMs)} ms exceeded`,
    timeoutType,
    lastHeartbeatDetails,
  );
  return { error, failure: toFailure(error) };
}

/**
 * The record of a cancelled attempt. A thrown cancellation is kept as is; anything else
 * thrown becomes the `cause` of a CancelledFailure with the cancel reason.
 */
export function cancelledFailure(reason: string, thrown: unknown): Failure {
  if (thrown !== undefined && isCancellation(thrown)) return toFailure(thrown);
  const base = toFailure(new CancelledFailure(reason));
  return thrown === undefined ? base : { ...base, cause: toFailure(thrown) };
}
