export { Engine, createEngine } from './engine.js';
export type { EngineLimits, EngineOptions } from './options.js';
export { storeLimitsOf } from './options.js';
export { codecStore } from './codec-store.js';
export type { RunLimits } from './commands/index.js';
export { DEFAULT_RUN_LIMITS } from './commands/index.js';
export type { Metrics, Counter, Gauge, Histogram, Labels } from './metrics.js';
export { noopMetrics } from './metrics.js';
export type { EngineLogger } from './scheduler/index.js';
export type { InjectedSinks, InjectedSink, InjectedSinkFunction } from './sinks.js';
export type {
  CommittedEvents,
  CommittedEventsListener,
  EngineEvents,
  EventSubscribeOptions,
} from './event-feed.js';
export type {
  RemoteOutcome,
  RemoteTask,
  TaskQueueOptions,
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSession,
  WorkerSink,
  WorkerSnapshot,
} from './remote-activities/index.js';
export type { EmbeddedWorkerSnapshot } from './workers/index.js';
export type { NamespaceInfo, NamespaceSettings } from './namespaces/index.js';
export type {
  DeployCheckDivergence,
  DeployCheckResult,
  NamespaceScope,
  StoreNodesStatus,
  VersionInfo,
} from './engine.js';
export type { ResetPoint } from './control/index.js';
export type { DeployResult } from './deploy/index.js';
export { START_AUDIT, withNewRequestId, withStartAudit, type StartAudit } from './start/index.js';
