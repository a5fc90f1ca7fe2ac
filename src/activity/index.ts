/**
 * `aion/activity` — the light entry for activity code. It loads only `src/core` and
 * `node:async_hooks`: never SQLite, pg, esbuild, the engine or a store.
 *
 * The engine imports the executor (`./executor.js`) and retry policy (`./retry-policy.js`)
 * by path; they are not part of this public entry.
 */
export { Context } from './context.js';
export {
  activityInfo,
  cancellationSignal,
  cancelled,
  heartbeat,
  log,
  sleep,
  type ActivityInfoAliases,
  type ActivityLogLevel,
} from './functions.js';
export { CompleteAsyncError, isCompleteAsyncError } from './complete-async.js';
export {
  ApplicationFailure,
  ApplicationFailureCategory,
  ActivityFailure,
  CancelledFailure,
  TimeoutFailure,
  isCancellation,
  isAionFailure,
  // What `@temporalio/common/lib/encoding` and `lib/type-helpers` offer ported code.
  encode,
  decode,
  errorMessage,
  errorCode,
} from '../core/index.js';
export type { ApplicationFailureOptions, Duration, Failure, RetryPolicy } from '../core/index.js';
export type {
  ActivityInfo,
  ActivityFunction,
  ActivityInboundCallsInterceptor,
  ActivityExecuteInput,
} from './types.js';
export type { ActivityLogger, LogLevel, LogRecord, LogSink } from './types.js';
