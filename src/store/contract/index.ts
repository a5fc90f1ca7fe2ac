// The store contract, one interface group per file, composed into `Store` (./store.ts).
// Types (and the list of the store's methods): adapters implement it, the engine and the
// conformance suite program against it.
export { isStoreMethod, STORE_METHODS, type StoreMethod } from './methods.js';
export type {
  BatchJobFailure,
  BatchJobOperation,
  BatchJobProgress,
  BatchJobRecord,
  BatchJobState,
  BatchJobStore,
} from './batch-jobs.js';
export type { CommitOutcome, HistoryStore, ReadRange, RunCommit } from './history.js';
export type {
  ClaimOutcome,
  LeaseObserver,
  LeaseStanding,
  Membership,
  NodeIdentity,
  NodeRecord,
  ShardLease,
  SharedStore,
  ShardObserver,
} from './membership.js';
export type { Inbox, InboxMessage, InboxOutcome, InboxStore } from './inbox.js';
export type { NamespaceRecord, NamespaceStore } from './namespaces.js';
export type { OutboxRow, OutboxStore } from './outbox.js';
export type {
  DeletePackageOutcome,
  PackageRecord,
  PackageStore,
  PackageSummary,
  Route,
} from './packages.js';
export type { RetentionStore } from './retention.js';
export type { RunInfo, RunStore } from './runs.js';
export {
  SCHEDULE_TIMER_ID,
  SCHEDULE_TIMER_KIND,
  scheduleTimerRunId,
  type ScheduleFire,
  type ScheduleFireOutcome,
  type ScheduleRecord,
  type ScheduleStore,
  type ScheduleWrite,
} from './schedules.js';
export type {
  ApiKeyRecord,
  AuditEntry,
  AuditRecord,
  SecurityStore,
  TokenSecret,
} from './security.js';
export type { SearchAttributeDefinition, SearchAttributeSchemaStore } from './search-attributes.js';
export type { Store } from './store.js';
export type {
  ActivityTask,
  ClaimTasksRequest,
  ExtendTaskLeaseRequest,
  NewActivityTask,
  RetryTaskRequest,
  TaskQueueStats,
  TaskStore,
} from './tasks.js';
export type { ClaimedTimer, TimerRow, TimerStore } from './timers.js';
export type {
  BuiltinField,
  FieldRef,
  GroupByField,
  ListPage,
  ListRequest,
  OrderField,
  RunGroupCount,
  ScalarValue,
  VisibilityExpr,
  VisibilityPatch,
  VisibilityStore,
} from './visibility.js';
export type { SearchAttributeValue } from '../../core/index.js';
