/**
 * `aion/workflow` — the API workflow code imports. It runs inside the deterministic sandbox
 * and may import only `src/core`. Names and semantics follow `@temporalio/workflow`.
 */
export {
  proxyActivities,
  proxyLocalActivities,
  scheduleActivity,
  scheduleLocalActivity,
  ActivityCancellationType,
} from './activities.js';
export type {
  ActivityOptions,
  LocalActivityOptions,
  RetryPolicyOptions,
  ActivityInterfaceFor,
} from './activities.js';
export { sleep, condition } from './timers.js';
export {
  defineSignal,
  defineQuery,
  defineUpdate,
  setHandler,
  setDefaultSignalHandler,
  setDefaultUpdateHandler,
  allHandlersFinished,
} from './messages.js';
export type { SignalDefinition, QueryDefinition, UpdateDefinition } from './messages.js';
export { workflowInfo, uuid4, random } from './info.js';
export { getRandomStream, workflowRandom, type WorkflowRandomStream } from './random-streams.js';
export type { WorkflowInfo } from './info.js';
export type { Priority } from '../core/index.js';
export { log } from './log.js';
export { proxySinks } from './sinks.js';
export type { Sinks, Sink, SinkFunction, LoggerSinks, WorkflowLogger } from './sinks.js';
export {
  ChildWorkflowCancellationType,
  defaultFailureConverter,
  defaultPayloadConverter,
  inWorkflowContext,
  ParentClosePolicy,
  RetryState,
  rootCause,
  Trigger,
  type FailureConverter,
} from './compat.js';
export {
  stackTraceQuery,
  enhancedStackTraceQuery,
  setDefaultQueryHandler,
  type EnhancedStackTrace,
  type StackTrace,
  type FileLocation,
} from './query-fallbacks.js';
export { getExternalWorkflowHandle, type ExternalWorkflowHandle } from './external.js';
export {
  startChild,
  executeChild,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
} from './children.js';
export { patched, deprecatePatch } from './patches.js';
export {
  upsertSearchAttributes,
  upsertMemo,
  type SearchAttributeValueInput,
  type SearchAttributesView,
} from './search-attributes.js';
export { CancellationScope } from './internal/scope.js';
export { IllegalStateError } from './internal/illegal-state.js';
export {
  continueAsNew,
  makeContinueAsNewFunc,
  ContinueAsNew,
  isContinueAsNew,
} from './continue-as-new.js';
export type { ContinueAsNewOptions } from './continue-as-new.js';
export type {
  WorkflowInterceptors,
  WorkflowInterceptorsFactory,
  WorkflowInboundCallsInterceptor,
  WorkflowOutboundCallsInterceptor,
  WorkflowExecuteInput,
  SignalInput,
  UpdateInput,
  QueryInput,
  ScheduleActivityInput,
  StartChildWorkflowInput,
  ContinueAsNewInput,
  WorkflowInternalsInterceptor,
  ActivateInput,
  ConcludeActivationInput,
  ConcludeActivationOutput,
  DisposeInput,
} from './interceptors.js';
export {
  ApplicationFailure,
  ApplicationFailureCategory,
  ActivityFailure,
  CancelledFailure,
  TimeoutFailure,
  TerminatedFailure,
  ChildWorkflowFailure,
  AionFailure,
  isCancellation,
  isAionFailure,
  // What `@temporalio/common/lib/encoding` and `lib/type-helpers` offer ported code.
  encode,
  decode,
  errorMessage,
  errorCode,
} from '../core/index.js';
export type {
  Duration,
  Headers,
  Payload,
  PayloadConverter,
  Failure,
  RetryPolicy,
  WorkflowStatus,
} from '../core/index.js';
