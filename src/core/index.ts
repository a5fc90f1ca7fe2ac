export * from './error-codes.js';
export * from './errors.js';
export * from './ids.js';
export * from './limits.js';
export * from './payload.js';
export * from './failure.js';
export * from './options.js';
export * from './search-attributes.js';
export * from './events.js';
export * from './event-codec.js';
export * from './status.js';
export { BUILTIN_FIELDS, STATUS_QUERY_NAMES, type BuiltinField } from './visibility-names.js';
export * from './duration.js';
export * from './activation.js';
export * from './failure-errors.js';
export * from './nondeterminism.js';
export * from './headers.js';
export * from './client-api.js';
export type { DeployCheckDivergence, DeployCheckResult } from './deploy-check.js';
export {
  workersListing,
  type ConnectedWorkerInfo,
  type TaskQueueInfo,
  type TaskQueueListing,
  type TaskQueueWorkerInfo,
  type WorkersListing,
} from './task-queues.js';
export * from './time-travel-api.js';
export * from './schedule-spec.js';
export * from './schedule-api.js';
export * from './with-start-operation.js';
export * from './client-interceptors.js';
export * from './store-faults.js';
export { defectOn, setDefects, DEFECTS, type Defect } from './defects.js';
export { encode, decode, errorMessage, errorCode } from './common-helpers.js';
export { extend, type Mutable } from './objects.js';
export * from './small-map.js';
export * from './recent-map.js';
