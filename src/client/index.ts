/** `aion/client` — the client API shared by the in-process client and the remote SDK. */
export { AionError, isAionError, ERROR_CODES, WorkflowFailedError } from '../core/index.js';
export type { ErrorCode, WorkflowStatus, Payload, Failure } from '../core/index.js';
export type * from './types.js';
export type * from './interceptors.js';
export {
  OpenTelemetryInterceptors,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from '../otel/index.js';
export {
  Client,
  Connection,
  DEFAULT_ADDRESS,
  errorFromBody,
  type ClientOptions,
  type NamespaceDescription,
  type BatchJobInfo,
  type BatchOperation,
  type ConnectionOptions,
  type DeployResult,
  type RemoteWorkflowHandle,
  type RemoteWorkflowClient,
  type RequestOptions,
  type VersionInfo,
} from './remote.js';
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
