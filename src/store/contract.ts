/**
 * The store contract. Every adapter (memory, SQLite, PostgreSQL) implements {@link Store}
 * and passes the shared conformance suite in `./conformance`.
 *
 * Rules every adapter follows:
 * - Writes are all-or-nothing per run commit; a stale `expectedSeq` raises or reports
 *   `SequenceConflictError{expected, actual}` and writes nothing for that run.
 * - Unknown runs read as empty (never "not found").
 * - Times are passed in by the engine (`now`, `recordedAt`, `fireAt`); stores never read the
 *   clock for anything replay can observe.
 * - Every key includes the namespace.
 * - Payloads and events are stored as opaque text, never re-parsed by the database.
 * - The visibility row of a run is a projection of its events (WorkflowStarted, terminal
 *   events, Paused/Resumed, SearchAttributesUpserted, MemoUpserted), maintained in the same
 *   transaction as the append.
 * - A run's first event must be `WorkflowStarted` (at seq 1); appending it creates the run and
 *   claims its workflow id: at most one open run per (namespace, workflowId) — a second start
 *   gets `WorkflowAlreadyStartedError` naming the open run, and writes nothing.
 * - A terminal event closes the run: in the same transaction its timers and activity tasks are
 *   deleted (outbox rows stay: they carry the close's own messages), and the workflow id is
 *   free for a new run.
 * - Leases (timer claims, task leases) are live while `now < until`; at `now >= until` the row
 *   is claimable again. A lease holder keeps its rights (extend, retry) until another claimer
 *   takes the row, even past expiry.
 * - Strings compare and sort in code-point order (SQLite BINARY, PostgreSQL COLLATE "C").
 * - `append` with no events is `invalid_history`; `commit` may carry no events (side effects
 *   only) for an existing run.
 * - Invalid input (bad seqs, missing WorkflowStarted, events after a terminal, over-limit
 *   history, empty-event commits to unknown runs) throws before anything of the call is
 *   written, also in a group commit.
 */
import type {
  HistoryEvent,
  Payload,
  RunKey,
  SearchAttributes,
  SearchAttributeType,
  SearchAttributeValue,
  SequenceConflictError,
  WorkflowAlreadyStartedError,
  WorkflowStatus,
  Failure,
} from '../core/index.js';

// ── history ───────────────────────────────────────────────────────────────────────────────

export interface ReadRange {
  /** First seq to return (inclusive). Default 1. */
  readonly fromSeq?: number;
  /** Last seq to return (inclusive). Default: the head. */
  readonly toSeq?: number;
  /** Maximum number of events. Default: unlimited. */
  readonly limit?: number;
}

// ── side-effect rows (the transactional outbox) ───────────────────────────────────────────

/** A durable timer row. `(namespace, runId, timerId)` is its key; scheduling is an upsert. */
export interface TimerRow {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly timerId: string;
  /** Epoch ms at which the timer is due (claimable when `fireAt <= now`). */
  readonly fireAt: number;
  /** What the engine should do when it fires (user timer, retry backoff, timeout …). */
  readonly kind: string;
  /** Opaque engine data. */
  readonly data?: string;
}

/** A timer handed out by {@link TimerStore.claimDueTimers}, leased to `owner` until `claimUntil`. */
export interface ClaimedTimer extends TimerRow {
  readonly claimUntil: number;
}

export interface NewActivityTask {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  /** Unique within the namespace; engines use `${runId}/${activityId}`. */
  readonly taskId: string;
  readonly taskQueue: string;
  readonly activityId: string;
  readonly activityType: string;
  /** Seq of the `ActivityScheduled` event. */
  readonly scheduledSeq: number;
  readonly input: readonly Payload[];
  /** Opaque engine data (options, deadlines). */
  readonly options?: string;
  /** Attempt number of the next delivery (starts at 1). */
  readonly attempt: number;
  /** Not claimable before this epoch ms (retry backoff is durable). */
  readonly visibleAt: number;
  /**
   * Enqueue the task already leased (the engine dispatches it to its own executor right
   * after commit); `deliveries` then starts at 1. Both or neither.
   */
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
}

export interface ActivityTask extends NewActivityTask {
  /** Owner of the current lease, if any. */
  readonly leaseOwner?: string;
  /** Lease expiry (epoch ms); an expired lease makes the task claimable again. */
  readonly leaseUntil?: number;
  /** How many times the task has been claimed in total (redeliveries included). */
  readonly deliveries: number;
  readonly heartbeatDetails?: Payload;
  readonly lastHeartbeatAt?: number;
  readonly lastFailure?: Failure;
}

export interface ClaimTasksRequest {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
  /** Only tasks of these activity types (a worker registers the types it can run). */
  readonly activityTypes?: readonly string[];
}

export interface RetryTaskRequest {
  readonly namespace: string;
  readonly taskId: string;
  /** The lease owner making the request; a stale owner changes nothing. */
  readonly owner: string;
  readonly attempt: number;
  readonly visibleAt: number;
  readonly lastFailure?: Failure;
}

/** A message the engine must deliver after commit (child start, signal, cancel, successor). */
export interface OutboxRow {
  readonly namespace: string;
  /** Unique within the namespace. */
  readonly id: string;
  /** The run that recorded the intent. */
  readonly workflowId: string;
  readonly runId: string;
  readonly kind: string;
  /** Package version the message pins (e.g. a recorded child start), if any. */
  readonly version?: string;
  /** Opaque engine data. */
  readonly data: string;
  readonly createdAt: number;
}

/** Extra visibility fields that are not derived from events. */
export interface VisibilityPatch {
  /** Durable "stuck" flag with the crash reason; `null` clears it. */
  readonly stuck?: { readonly reason: string; readonly since: number } | null;
}

/**
 * One run's part of an atomic workflow-task commit: its new events plus the side-effect rows
 * they imply, written in one transaction or not at all.
 */
export interface RunCommit {
  readonly run: RunKey;
  /** The head the engine saw; the commit is refused (nothing written) if the head moved. */
  readonly expectedSeq: number;
  /** May be empty when the commit only changes side-effect rows (still seq-checked). */
  readonly events: readonly HistoryEvent[];
  readonly timers?: { readonly upsert?: readonly TimerRow[]; readonly cancel?: readonly string[] };
  readonly tasks?: {
    readonly enqueue?: readonly NewActivityTask[];
    /** Task ids (same namespace) to delete, e.g. with the event recording their outcome. */
    readonly remove?: readonly string[];
  };
  readonly outbox?: { readonly add?: readonly OutboxRow[]; readonly remove?: readonly string[] };
  readonly visibility?: VisibilityPatch;
}

export type CommitOutcome =
  | { readonly ok: true; readonly headSeq: number }
  | { readonly ok: false; readonly error: SequenceConflictError | WorkflowAlreadyStartedError };

// ── visibility ────────────────────────────────────────────────────────────────────────────

/** The visibility row of a run, projected from its events. */
export interface RunInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: WorkflowStatus;
  readonly version: string;
  readonly startTime: number;
  readonly closeTime?: number;
  readonly headSeq: number;
  readonly parent?: { readonly workflowId: string; readonly runId: string };
  readonly continuedFromRunId?: string;
  readonly searchAttributes: SearchAttributes;
  readonly memo: Readonly<Record<string, Payload>>;
  readonly stuck?: { readonly reason: string; readonly since: number };
}

export type BuiltinField =
  | 'WorkflowId'
  | 'RunId'
  | 'WorkflowType'
  | 'TaskQueue'
  | 'ExecutionStatus'
  | 'StartTime'
  | 'CloseTime'
  | 'Version'
  | 'Stuck';

export type FieldRef =
  | { readonly kind: 'builtin'; readonly name: BuiltinField }
  | { readonly kind: 'custom'; readonly name: string; readonly type: SearchAttributeType };

/** A scalar compared against a field: strings, numbers (times in epoch ms) and booleans. */
export type ScalarValue = string | number | boolean;

/**
 * Filter expression over visibility rows. The filter language (e.g.
 * `WorkflowType = 'x' AND StartTime > '…'`) compiles into this; each store compiles it to
 * its own query. Semantics (reference: the memory store):
 * - `cmp`: a missing custom attribute never matches (also not for `!=`).
 * - On `KeywordList` fields `=`/`in` match if any element matches; `contains` is the same.
 * - On `Text` fields `contains` matches when every token of the value is a token of the text.
 * - `exists` is true when a custom attribute is set (builtins always exist, except CloseTime
 *   for open runs).
 */
export type VisibilityExpr =
  | { readonly op: 'and' | 'or'; readonly args: readonly VisibilityExpr[] }
  | { readonly op: 'not'; readonly arg: VisibilityExpr }
  | {
      readonly op: 'cmp';
      readonly field: FieldRef;
      readonly cmp: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly value: ScalarValue;
    }
  | { readonly op: 'in'; readonly field: FieldRef; readonly values: readonly ScalarValue[] }
  | {
      readonly op: 'between';
      readonly field: FieldRef;
      readonly low: ScalarValue;
      readonly high: ScalarValue;
    }
  | { readonly op: 'contains'; readonly field: FieldRef; readonly value: string }
  | { readonly op: 'exists'; readonly field: FieldRef };

export type OrderField = 'StartTime' | 'CloseTime' | 'WorkflowId' | 'WorkflowType';

export interface ListRequest {
  readonly namespace: string;
  readonly where?: VisibilityExpr;
  /** Default StartTime DESC. Ties are broken by run id in the same direction (stable). */
  readonly orderBy?: { readonly field: OrderField; readonly direction: 'ASC' | 'DESC' };
  /** Default 100, maximum 1000. */
  readonly pageSize?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

export interface ListPage {
  readonly items: readonly RunInfo[];
  /** Present when more rows may follow. */
  readonly nextCursor?: string;
}

// ── packages ──────────────────────────────────────────────────────────────────────────────

export interface PackageRecord {
  readonly namespace: string;
  readonly version: string;
  /** The package archive bytes. */
  readonly archive: Uint8Array;
  /** The manifest as JSON text. */
  readonly manifest: string;
  readonly deployedAt: number;
}

export type PackageSummary = Omit<PackageRecord, 'archive'> & { readonly size: number };

export interface Route {
  readonly namespace: string;
  readonly workflowType: string;
  readonly version: string;
  readonly updatedAt: number;
}

export type DeletePackageOutcome =
  | { readonly deleted: true }
  | { readonly deleted: false; readonly reason: 'not_found' }
  | {
      readonly deleted: false;
      readonly reason: 'routed' | 'pinned';
      /** Names the holder: a routed workflow type, an open run id, or an outbox message id. */
      readonly holder: string;
    };

// ── search attribute schema ───────────────────────────────────────────────────────────────

/** A custom search attribute registered in a namespace: its name and value type. */
export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

/** A registered namespace: its settings. Every key of every other row includes a namespace name. */
export interface NamespaceRecord {
  readonly name: string;
  readonly description: string;
  /**
   * How long closed runs are kept (ms) before retention deletes them with their history;
   * `null` keeps them forever.
   */
  readonly retentionMs: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

// ── the composed interfaces ───────────────────────────────────────────────────────────────

export interface HistoryStore {
  /** Appends events to one run at `expectedSeq`; throws `SequenceConflictError` or `WorkflowAlreadyStartedError`. */
  append(run: RunKey, events: readonly HistoryEvent[], expectedSeq: number): Promise<void>;
  /**
   * Atomic workflow-task commits of many runs in one transaction (group commit). Each run is
   * checked against its own `expectedSeq`; a conflicting run writes nothing and is reported
   * in its outcome, the others commit. Outcomes are in input order. Commits for the same run
   * in one batch apply in order.
   */
  commit(commits: readonly RunCommit[]): Promise<CommitOutcome[]>;
  readHistory(run: RunKey, range?: ReadRange): Promise<HistoryEvent[]>;
  /** Head seq of a run, 0 when unknown. */
  headSeq(run: RunKey): Promise<number>;
}

export interface RunStore {
  getRun(run: RunKey): Promise<RunInfo | undefined>;
  /** The open run of a workflow id, else the most recently started one. */
  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined>;
  /** All runs of a workflow id in start order (oldest first). */
  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]>;
  /** Open runs of every namespace, for recovery, ordered by (namespace, runId); page with `after`. */
  listOpenRuns(request: {
    readonly after?: { readonly namespace: string; readonly runId: string };
    readonly limit: number;
  }): Promise<RunInfo[]>;
}

export interface TimerStore {
  /** Claims up to `limit` timers with `fireAt <= now` not claimed by a live lease, in fireAt order. */
  claimDueTimers(request: {
    readonly owner: string;
    readonly now: number;
    readonly leaseMs: number;
    readonly limit: number;
  }): Promise<ClaimedTimer[]>;
  /** Deletes a timer (idempotent). */
  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void>;
  listTimers(run: RunKey): Promise<TimerRow[]>;
  /**
   * When the next timer becomes claimable: the earliest of max(fireAt, claimUntil) over all
   * timers (for the engine's wake-up), or undefined when there are none.
   */
  nextTimerAt(): Promise<number | undefined>;
}

export interface TaskStore {
  /**
   * Claims up to `limit` visible tasks (not leased, or lease expired), oldest visibleAt first,
   * incrementing `deliveries`. A task whose previous lease expired without `retryTask` (its
   * holder was lost mid-attempt) is claimed as its next attempt: `attempt + 1`.
   */
  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]>;
  /**
   * Expires, as of `now`, every task lease and timer claim not held by `exceptOwner` (the
   * owners are known dead, e.g. the previous process of a single-node store). Expired task
   * leases keep their owner, so the next claim counts a new attempt. Returns the counts.
   */
  expireLeases(request: {
    readonly exceptOwner: string;
    readonly now: number;
  }): Promise<{ readonly tasks: number; readonly timers: number }>;
  /** Extends a lease (heartbeat) and stores details; false when `owner` is not the current holder. */
  extendTaskLease(request: {
    readonly namespace: string;
    readonly taskId: string;
    readonly owner: string;
    readonly leaseUntil: number;
    readonly heartbeatDetails?: Payload;
    readonly now: number;
  }): Promise<boolean>;
  /** Releases the lease and schedules the next attempt; false when `owner` no longer holds it. */
  retryTask(request: RetryTaskRequest): Promise<boolean>;
  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined>;
  listTasks(run: RunKey): Promise<ActivityTask[]>;
  /** Earliest visibleAt / leaseUntil among tasks of a queue (for wake-ups), or undefined. */
  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined>;
  /**
   * Activity tasks of a namespace per task queue, as of `now`: `backlog` (claimable now:
   * visible and not leased, or lease expired), `running` (leased, lease not expired) and
   * `scheduled` (visible later: retry backoff). Queues without tasks are absent; sorted by queue.
   */
  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]>;
}

/** Counts of one task queue's activity tasks (see {@link TaskStore.taskQueueStats}). */
export interface TaskQueueStats {
  readonly taskQueue: string;
  readonly backlog: number;
  readonly running: number;
  readonly scheduled: number;
}

export interface OutboxStore {
  /** Outbox rows of every namespace ordered by (namespace, id); page with `after`. */
  listOutbox(request: {
    readonly after?: { readonly namespace: string; readonly id: string };
    readonly limit: number;
  }): Promise<OutboxRow[]>;
  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void>;
}

export interface VisibilityStore {
  listRuns(request: ListRequest): Promise<ListPage>;
  countRuns(namespace: string, where?: VisibilityExpr): Promise<number>;
}

export interface PackageStore {
  /** Stores an archive (idempotent by version) and points the given types' routes at it, atomically. */
  putPackage(
    pkg: PackageRecord,
    routeTypes: readonly string[],
  ): Promise<{ readonly inserted: boolean }>;
  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined>;
  listPackages(namespace: string): Promise<PackageSummary[]>;
  /** Refused while a route points at it, an open run is pinned to it, or an outbox row pins it. */
  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome>;
  setRoute(route: Route): Promise<void>;
  listRoutes(namespace: string): Promise<Route[]>;
}

export interface RetentionStore {
  /** Deletes up to `limit` closed runs with `closeTime < closedBefore` and all their rows; returns how many. */
  purgeClosedRuns(request: {
    readonly namespace: string;
    readonly closedBefore: number;
    readonly limit: number;
  }): Promise<number>;
}

/**
 * The namespace registry. Names follow the namespace rules of `validateNamespace` (core/ids);
 * a bad name or setting throws `invalid_argument` and writes nothing.
 */
export interface NamespaceStore {
  /** Registers a namespace; `created: false` (and nothing changed) if the name exists. */
  createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }>;
  /** Changes description and/or retention; `not_found` if the namespace is not registered. */
  updateNamespace(
    name: string,
    patch: { readonly description?: string; readonly retentionMs?: number | null },
    now: number,
  ): Promise<NamespaceRecord>;
  getNamespace(name: string): Promise<NamespaceRecord | undefined>;
  /** Every registered namespace, sorted by name (code-point order). */
  listNamespaces(): Promise<NamespaceRecord[]>;
}

/**
 * The custom search attributes of each namespace, with their types: what the visibility query
 * language resolves names against (see `src/visibility`). Registration only grows a
 * namespace's schema; a name keeps its type for good.
 */
export interface SearchAttributeSchemaStore {
  /**
   * Registers custom search attributes in `namespace`, all or nothing. Re-registering a name
   * with the same type is a no-op (idempotent); a different type for an existing name, an
   * invalid or reserved name (a built-in field such as `WorkflowType`, a query keyword) or an
   * unknown type throws `invalid_argument` naming it, and registers nothing of the call.
   */
  registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void>;
  /** The registered search attributes of `namespace`, sorted by name (code-point order). */
  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]>;
}

/** The full store every engine runs on. */
export interface Store
  extends
    HistoryStore,
    RunStore,
    TimerStore,
    TaskStore,
    OutboxStore,
    VisibilityStore,
    PackageStore,
    RetentionStore,
    NamespaceStore,
    SearchAttributeSchemaStore {
  /** Adapter name: `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  close(): Promise<void>;
}

export type { SearchAttributeValue };
