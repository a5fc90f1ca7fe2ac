/** `aion/client` — the client API shared by the in-process client and the remote SDK. */
export {
  AionError,
  isAionError,
  ERROR_CODES,
  WorkflowFailedError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowContinuedAsNewError,
  WithStartWorkflowOperation,
  ScheduleOverlapPolicy,
} from '../core/index.js';
export type { ErrorCode, WorkflowStatus, Payload, Failure } from '../core/index.js';
export type * from './types.js';
export type * from './interceptors.js';
export {
  OpenTelemetryInterceptors,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from '../otel/index.js';
export { Client, type ClientOptions } from './remote.js';
export {
  Connection,
  DEFAULT_ADDRESS,
  type ConnectionOptions,
  type ClientRetryOptions,
  type RequestOptions,
} from './connection.js';
export { errorFromBody } from './error-body.js';
export type { RemoteWorkflowHandle, RemoteWorkflowClient } from './remote-types.js';
export type { BatchDryRunInfo, BatchJobInfo, BatchOperation } from './batch.js';
export type { NamespaceDescription } from './namespaces.js';
export type { TaskQueueInfo, TaskQueueWorkerInfo } from './task-queues.js';
export type {
  DeployCheckDivergence,
  DeployCheckResult,
  DeployResult,
  VersionInfo,
} from './packages.js';
export {
  subscribeHistory,
  subscribeRuns,
  HistoryStream,
  type StreamConnectOptions,
  type SubscribeHistoryOptions,
  type SubscribeRunsOptions,
  type RunFeedGap,
} from './stream.js';
export type { RunChangeFrame } from '../protocol/index.js';
