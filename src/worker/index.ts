/**
 * `aion/worker` — the remote worker SDK: runs activities in another process (or machine)
 * for an Aion server's task queue, over WebSocket. Light: loads Aion's core, the activity
 * executor and `ws` — never SQLite, pg, esbuild, the engine or a store.
 */
export { Worker } from './worker.js';
export type { WorkerOptions, WorkerState } from './types.js';
export { Context, CompleteAsyncError } from '../activity/index.js';
export {
  ApplicationFailure,
  CancelledFailure,
  TimeoutFailure,
  isCancellation,
} from '../core/index.js';
export type {
  ActivityFunction,
  ActivityInfo,
  ActivityInboundCallsInterceptor,
  ActivityExecuteInput,
  LogRecord,
  LogSink,
} from '../activity/internal.js';
export {
  OpenTelemetryInterceptors,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from '../otel/index.js';
export type { RetryPolicy, Failure, Payload, PayloadCodec } from '../core/index.js';
export {
  EncryptionCodec,
  CompressionCodec,
  parseEncryptionKeys,
  type EncryptionKey,
  type EncryptionCodecOptions,
  type CompressionCodecOptions,
} from '../codecs/index.js';
