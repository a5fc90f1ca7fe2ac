/**
 * `aion` — the engine (host side). Workflow code imports `aion/workflow`; activity code
 * imports `aion/activity`.
 */
export { Engine, createEngine, noopMetrics } from './engine/index.js';
export { DEFAULT_RUN_LIMITS } from './engine/index.js';
export type {
  EngineLimits,
  EngineOptions,
  RunLimits,
  Metrics,
  Counter,
  Gauge,
  Histogram,
  Labels,
  EngineLogger,
  InjectedSinks,
  InjectedSink,
  InjectedSinkFunction,
  CommittedEvents,
  CommittedEventsListener,
  EngineEvents,
  EventSubscribeOptions,
} from './engine/index.js';
export type * from './client/types.js';
export type * from './client/interceptors.js';
export type {
  ActivityInboundCallsInterceptor,
  ActivityExecuteInput,
  ActivityInfo,
} from './activity/types.js';
export {
  OpenTelemetryInterceptors,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from './otel/index.js';
export {
  AionError,
  isAionError,
  ERROR_CODES,
  WorkflowFailedError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowContinuedAsNewError,
  WithStartWorkflowOperation,
  NonDeterminismError,
  ApplicationFailure,
  ActivityFailure,
  CancelledFailure,
  TimeoutFailure,
  TerminatedFailure,
  isCancellation,
  DataConverter,
  JsonPayloadConverter,
  DEFAULT_LIMITS,
  ScheduleOverlapPolicy,
} from './core/index.js';
export type {
  ErrorCode,
  WorkflowStatus,
  Payload,
  PayloadCodec,
  PayloadConverter,
  Failure,
  Limits,
  HistoryEvent,
  RetryPolicy,
  Headers,
} from './core/index.js';
export {
  EncryptionCodec,
  CompressionCodec,
  parseEncryptionKeys,
  ENCODING_ENCRYPTED,
  ENCODING_COMPRESSED,
  ENCRYPTION_KEY_ID,
  type EncryptionKey,
  type EncryptionCodecOptions,
  type CompressionCodecOptions,
} from './codecs/index.js';
export { TRACEPARENT_HEADER, TRACESTATE_HEADER } from './core/index.js';
export type { Store } from './store/index.js';
export { createMemoryStore } from './store/memory/index.js';
export {
  buildPackage,
  checkWorkflows,
  readArchive,
  type BuiltPackage,
  type CheckFinding,
  type CheckResult,
  type PackageManifest,
} from './package/index.js';
export { RealClock, VirtualClock, type Clock } from './clock/index.js';
