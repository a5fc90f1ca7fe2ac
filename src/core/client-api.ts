// The client API contract, shared by the in-process client (the engine) and the remote SDK
// (`aion/client`): options, handles, descriptions and the history export format.
import type { HistoryEvent } from './events.js';
import type { Failure } from './failure.js';
import type { Headers } from './headers.js';
import type { Priority, WorkflowRetryPolicy } from './options.js';
import type { ScheduleClient } from './schedule-api.js';
import type { SearchAttributes } from './search-attributes.js';
import type { WorkflowStatus } from './status.js';
import type { TimeTravelOptions, TimeTravelResult } from './time-travel-api.js';

/** A signal or query definition, or just its name. */
export type MessageRef = string | { readonly name: string };

/** The name of a signal, query or update reference. */
export function messageName(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

/** What a start does when a closed run used its workflow id. */
export type WorkflowIdReusePolicy =
  'ALLOW_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY' | 'REJECT_DUPLICATE' | 'TERMINATE_IF_RUNNING';

/** What a start does when a run with its workflow id is open. */
export type WorkflowIdConflictPolicy = 'FAIL' | 'USE_EXISTING' | 'TERMINATE_EXISTING';

/** Options of `client.workflow.start`. */
export interface WorkflowStartOptions<Args extends readonly unknown[] = unknown[]> {
  /** Business identifier; at most one open run per id. Default: a random UUID. */
  readonly workflowId?: string;
  /** Arguments passed to the workflow function. Default `[]`. */
  readonly args?: Args;
  /** Task queue of the run (and default of its activities). Default: the engine's queue. */
  readonly taskQueue?: string;
  /** Initial search attributes: registered names with plain values (or typed `{type, value}`). */
  readonly searchAttributes?: Readonly<Record<string, unknown>> | SearchAttributes;
  /** Initial memo (any JSON values). */
  readonly memo?: Readonly<Record<string, unknown>>;
  /** Limit of the whole workflow, continue-as-new chain included (ms or '1 day'). Default: none. */
  readonly executionTimeout?: number | string;
  /** Limit of a single run (ms or '1 hour'). Default: none. */
  readonly runTimeout?: number | string;
  /** Temporal's name of `executionTimeout` (give one or the other). */
  readonly workflowExecutionTimeout?: number | string;
  /** Temporal's name of `runTimeout` (give one or the other). */
  readonly workflowRunTimeout?: number | string;
  /**
   * Temporal's limit of one workflow task: accepted (a valid duration) for code written for
   * Temporal, not applied per run — the engine's `deadlockTimeoutMs` bounds workflow code.
   */
  readonly workflowTaskTimeout?: number | string;
  /**
   * Temporal's eager start (the worker that asked runs the first workflow task): accepted for
   * code written for Temporal and not needed — the engine runs the first activation as soon
   * as the start commits.
   */
  readonly requestEagerStart?: boolean;
  /**
   * Retry policy of the whole workflow, as in Temporal: when a run fails (its code throws a
   * failure; not on cancel, terminate or timeout) a new run of the same workflow id starts
   * after the backoff, with the same arguments and `workflowInfo().attempt` one higher.
   * Default: none (a failed run is final).
   */
  readonly retry?: WorkflowRetryPolicy;
  /**
   * Cron workflow, as in Temporal: a cron expression (5 or 6 fields, `@daily`-style aliases,
   * optionally prefixed `CRON_TZ=<IANA zone>`; UTC otherwise). The first run's code starts at
   * the first cron time; each run that completes or fails is followed at once by the next run
   * of the same workflow id, whose code starts at the next cron time, with
   * `workflowInfo().lastResult` / `lastFailure`. Cancel, terminate or a timeout ends the chain.
   * For anything more (overlap, catch-up, pause, several specs) use schedules.
   */
  readonly cronSchedule?: string;
  /**
   * Hold the run's first workflow task this long (Temporal's `startDelay`): the run exists at
   * once; its code starts after the delay, with the signals that arrived meanwhile.
   */
  readonly startDelay?: number | string;
  /**
   * When a closed run used this workflow id. Default `ALLOW_DUPLICATE`. Temporal's names are
   * accepted too: the `WORKFLOW_ID_REUSE_POLICY_` prefixed forms, and the deprecated
   * `TERMINATE_IF_RUNNING` (= `ALLOW_DUPLICATE` with conflict policy `TERMINATE_EXISTING`).
   */
  readonly workflowIdReusePolicy?:
    WorkflowIdReusePolicy | `WORKFLOW_ID_REUSE_POLICY_${WorkflowIdReusePolicy | 'UNSPECIFIED'}`;
  /**
   * When a run with this workflow id is open. Default `FAIL` (workflow_already_started).
   * Temporal's `WORKFLOW_ID_CONFLICT_POLICY_` prefixed forms are accepted too.
   */
  readonly workflowIdConflictPolicy?:
    | WorkflowIdConflictPolicy
    | `WORKFLOW_ID_CONFLICT_POLICY_${WorkflowIdConflictPolicy | 'UNSPECIFIED'}`;
  /** Idempotency key: retrying a start with the same key returns the run it created. */
  readonly requestId?: string;
  /**
   * Headers recorded with the start (`WorkflowStarted.headers`), seen by workflow
   * interceptors and `workflowInfo().headers`. Usually added by client interceptors.
   * Default: none.
   */
  readonly headers?: Headers;
  /**
   * Task priority, as in Temporal (`{ priorityKey, fairnessKey, fairnessWeight }`): recorded
   * with the run, shown in `workflowInfo().priority` and inherited by its children and
   * continue-as-new successors. Aion does not order tasks by it. Default: none.
   */
  readonly priority?: Priority;
  /**
   * Whether the returned handle's `result()` follows the run's successors (see
   * `GetWorkflowHandleOptions.followRuns`). Default true. Not recorded with the run.
   */
  readonly followRuns?: boolean;
}

export interface PendingActivityInfo {
  readonly activityId: string;
  readonly activityType: string;
  /**
   * SCHEDULED (waiting for a worker to take it), BACKING_OFF (waiting for its next attempt's
   * time after a retryable failure) or STARTED (an attempt is running).
   */
  readonly state: 'SCHEDULED' | 'STARTED' | 'BACKING_OFF';
  readonly attempt: number;
  readonly nextAttemptAt: Date | undefined;
  readonly lastFailure: Failure | undefined;
  readonly heartbeatDetails: unknown;
  readonly lastHeartbeatAt: Date | undefined;
  /**
   * Set while nothing can run the activity: no in-process implementation of its type on its
   * task queue and no connected worker that registered it. It waits until one connects.
   */
  readonly warning?: string;
}

export interface WorkflowExecutionDescription {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: WorkflowStatus;
  readonly version: string;
  readonly startTime: Date;
  readonly closeTime: Date | undefined;
  readonly historyLength: number;
  readonly searchAttributes: SearchAttributes;
  readonly memo: Readonly<Record<string, unknown>>;
  /** Set while the run is parked after repeated task crashes. */
  readonly stuck: { readonly reason: string; readonly since: Date } | undefined;
  readonly pendingActivities: readonly PendingActivityInfo[];
  readonly pendingTimers: readonly { readonly timerId: string; readonly fireAt: Date }[];
}

/** The JSON export format of one run's history (`fetchHistory()`, `aion history --json`). */
export interface HistoryExport {
  readonly format: 'aion-history';
  readonly formatVersion: 1;
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly events: readonly HistoryEvent[];
}

/** Wraps one run's events in the export format. */
export function historyExport(
  run: { readonly namespace: string; readonly workflowId: string; readonly runId: string },
  events: readonly HistoryEvent[],
): HistoryExport {
  return {
    format: 'aion-history',
    formatVersion: 1,
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    events,
  };
}

/** Options of an update call (`executeUpdate`, `startUpdate`, update-with-start). */
export interface WorkflowUpdateOptions {
  readonly args?: readonly unknown[];
  /** Idempotency key: a retried call with the same id gets the recorded outcome. Default: a UUID. */
  readonly updateId?: string;
  /** Recorded in `UpdateAccepted.headers`. Default: none. */
  readonly headers?: Headers;
}

/**
 * The stage `startUpdate` waits for: `ACCEPTED` — validated and recorded (`UpdateAccepted`
 * committed), the handler may still be running. (`COMPLETED` is what `executeUpdate` waits for.)
 */
export type WorkflowUpdateStage = 'ACCEPTED';

/** An accepted update: its id, the run that accepted it, and its outcome when it is there. */
export interface WorkflowUpdateHandle<R = unknown> {
  readonly updateId: string;
  readonly workflowId: string;
  /** The run the update was sent to (undefined for a handle made by id alone). */
  readonly workflowRunId: string | undefined;
  /** Waits for the update's result; throws `update_failed` when its handler threw. */
  result(): Promise<R>;
}

/** A handle on a workflow (its current run, or one specific run). */
export interface WorkflowHandle<R = unknown> {
  readonly workflowId: string;
  /**
   * The run this handle addresses; undefined means "the current run". For a handle returned
   * by a start: the run the start created (or, with USE_EXISTING, found) — its signals,
   * queries, updates, cancel, terminate, pause, resume and reads go to the latest run of that run's
   * chain (continue-as-new, reset, workflow retry), and `result()` follows the chain.
   * describe() and fetchHistory() show that latest run too.
   */
  readonly runId: string | undefined;
  /**
   * Set on handles returned by a start (and by `getHandle` with the option): the run the
   * chain is identified by. Calls on a workflow id whose current run belongs to another chain
   * fail with `not_found`.
   */
  readonly firstExecutionRunId?: string;
  /** Waits for the outcome; follows continue-as-new by default. Throws WorkflowFailedError. */
  result(): Promise<R>;
  signal(signal: MessageRef, ...args: unknown[]): Promise<void>;
  /** Like `signal`, idempotent by `requestId`: a retried call is recorded once. */
  signalWithRequestId(requestId: string, signal: MessageRef, ...args: unknown[]): Promise<void>;
  /** Like `signal`, with an idempotency key and/or headers recorded with the signal. */
  signalWithOptions(
    options: { readonly requestId?: string; readonly headers?: Headers },
    signal: MessageRef,
    ...args: unknown[]
  ): Promise<void>;
  query<T = unknown>(query: MessageRef, ...args: unknown[]): Promise<T>;
  describe(): Promise<WorkflowExecutionDescription>;
  fetchHistory(): Promise<HistoryExport>;
  /** Requests cooperative cancellation (recorded); the workflow sees CancelledFailure at its awaits. */
  cancel(reason?: string): Promise<void>;
  /** Ends the run at once: no workflow code runs; recorded as TERMINATED. */
  terminate(reason?: string): Promise<void>;
  /** Stops the run from advancing (signals are still recorded) until `resume()`. */
  pause(reason?: string): Promise<void>;
  resume(): Promise<void>;
  /**
   * Sends an update (validated first: a rejection records nothing) and waits for its result.
   * `updateId` makes a retried call idempotent.
   */
  executeUpdate<T = unknown>(update: MessageRef, options?: WorkflowUpdateOptions): Promise<T>;
  /**
   * Sends an update and returns once it is accepted (validated and recorded): the handle's
   * `result()` waits for the handler's outcome.
   *
   * @example
   * const u = await handle.startUpdate(approve, { args: ['ok'], waitForStage: 'ACCEPTED' });
   * console.log(u.updateId, await u.result());
   */
  startUpdate<T = unknown>(
    update: MessageRef,
    options: WorkflowUpdateOptions & { readonly waitForStage: WorkflowUpdateStage },
  ): Promise<WorkflowUpdateHandle<T>>;
  /** A handle on an update sent earlier (by its id) to this handle's run. */
  getUpdateHandle<T = unknown>(updateId: string): WorkflowUpdateHandle<T>;
  /**
   * The run's state as of an earlier point of its history (open or closed run): its history
   * up to the last workflow-task boundary at or before `atSeq` is replayed in a throwaway
   * instance on the run's pinned version, and the stack trace and the given queries are
   * answered from it. Nothing is recorded; the run itself is untouched. A query that fails
   * fails in its own entry; `atSeq` past the history is `invalid_argument`; a history that
   * no longer replays is `query_failed`.
   *
   * @example
   * const then = await handle.timeTravel({ atSeq: 12, queries: [{ name: 'count' }] });
   * console.log(then.boundarySeq, then.queries[0], then.stackTrace);
   */
  timeTravel(options: TimeTravelOptions): Promise<TimeTravelResult>;
}

/** Start options of an update-with-start: the workflow id and conflict policy are required. */
export type WithStartWorkflowOptions = WorkflowStartOptions & {
  readonly workflowId: string;
  readonly workflowIdConflictPolicy: NonNullable<WorkflowStartOptions['workflowIdConflictPolicy']>;
};

/**
 * The start half of an update-with-start: `WithStartWorkflowOperation.create(workflow,
 * options)`. One operation serves one call; `workflowHandle()` resolves once it ran.
 */
export interface StartWorkflowOperation<R = unknown> {
  readonly workflow: WorkflowTypeRef;
  readonly options: WithStartWorkflowOptions;
  workflowHandle(): Promise<WorkflowHandle<R>>;
  /** Marks the operation used (a second call with it fails). For the clients. */
  claim(): void;
  /** Settles `workflowHandle()`. For the clients. */
  settle(outcome: { handle: WorkflowHandle<R> } | { error: unknown }): void;
}

/** Options of `getHandle` besides the run id. */
export interface GetWorkflowHandleOptions {
  /** Address the latest run of the chain that started with this run (see `firstExecutionRunId`). */
  readonly firstExecutionRunId?: string;
  /**
   * Whether `result()` follows the run's successors (continue-as-new, workflow retry), as in
   * Temporal. With false, a run that continued as new throws `WorkflowContinuedAsNewError`.
   * Default true. Honoured by the in-process client; the remote client's results follow.
   */
  readonly followRuns?: boolean;
}

export interface WorkflowListOptions {
  readonly pageSize?: number;
  readonly cursor?: string;
  /**
   * Filter in the visibility query language, e.g.
   * `WorkflowType = 'order' AND ExecutionStatus = 'Running' AND CustomerId = 'c-1' ORDER BY StartTime DESC`.
   */
  readonly query?: string;
  /** Shorthand filters, AND-ed with `query`. */
  readonly workflowType?: string;
  readonly status?: WorkflowStatus;
}

/** Options of `count` and `countGroups`: the list filters without paging. */
export type WorkflowCountOptions = Omit<WorkflowListOptions, 'pageSize' | 'cursor'>;

/** The fields `countGroups` can count by. */
export type WorkflowCountGroupBy = 'ExecutionStatus' | 'WorkflowType';

/** Matching runs in total and per value of the grouped field (values no run has are absent). */
export interface WorkflowCountGroups {
  readonly count: number;
  /** Ascending by value; a status reads as in `WorkflowExecutionInfo.status` (`RUNNING`, …). */
  readonly groups: readonly { readonly value: string; readonly count: number }[];
}

export interface WorkflowExecutionInfo {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: WorkflowStatus;
  readonly startTime: Date;
  readonly closeTime: Date | undefined;
  readonly taskQueue: string;
  /** The version the run is pinned to. */
  readonly version: string;
  /** The run's typed search attribute values, as `describe` returns them. */
  readonly searchAttributes: SearchAttributes;
  /** The run is parked after repeated task crashes (`describe` says why and since when). */
  readonly stuck: boolean;
}

type WorkflowFn = (...args: never[]) => Promise<unknown>;
export type WorkflowTypeRef = string | WorkflowFn;

/** The type name of a workflow reference: the function's name, or the string itself. */
export function workflowTypeName(workflow: WorkflowTypeRef): string {
  return typeof workflow === 'function' ? workflow.name : workflow;
}
export type ResultOf<W> = W extends (...args: never[]) => Promise<infer R> ? R : unknown;

export interface WorkflowClient {
  /** Signals the open run of `workflowId`, or starts it with the signal delivered first. */
  signalWithStart<W extends WorkflowTypeRef>(
    workflow: W,
    options: WorkflowStartOptions & {
      workflowId: string;
      signal: MessageRef;
      signalArgs?: readonly unknown[];
    },
  ): Promise<WorkflowHandle<ResultOf<W>>>;
  start<W extends WorkflowTypeRef>(
    workflow: W,
    options?: WorkflowStartOptions,
  ): Promise<WorkflowHandle<ResultOf<W>>>;
  execute<W extends WorkflowTypeRef>(
    workflow: W,
    options?: WorkflowStartOptions,
  ): Promise<ResultOf<W>>;
  getHandle<R = unknown>(
    workflowId: string,
    runId?: string,
    options?: GetWorkflowHandleOptions,
  ): WorkflowHandle<R>;
  /**
   * Sends an update to the workflow, starting it first when no run of its id is open (the
   * operation's `workflowIdConflictPolicy` — required — says what happens when one is).
   * Idempotent by `updateId`: a retried call returns the recorded outcome.
   */
  executeUpdateWithStart<T = unknown>(
    update: MessageRef,
    options: WorkflowUpdateOptions & { readonly startWorkflowOperation: StartWorkflowOperation },
  ): Promise<T>;
  /** Like `executeUpdateWithStart`, returning once the update is accepted. */
  startUpdateWithStart<T = unknown>(
    update: MessageRef,
    options: WorkflowUpdateOptions & {
      readonly startWorkflowOperation: StartWorkflowOperation;
      readonly waitForStage: WorkflowUpdateStage;
    },
  ): Promise<WorkflowUpdateHandle<T>>;
  list(
    options?: WorkflowListOptions,
  ): Promise<{ items: WorkflowExecutionInfo[]; nextCursor: string | undefined }>;
  count(options?: Omit<WorkflowListOptions, 'pageSize' | 'cursor'>): Promise<number>;
  /**
   * Counts the matching runs per execution status or workflow type, in one grouped query.
   * `groupBy` may instead end the query, as in Temporal:
   * `WorkflowType = 'order' GROUP BY ExecutionStatus`. Any other field is `invalid_argument`.
   *
   * @example
   * const { count, groups } = await client.workflow.countGroups({ groupBy: 'ExecutionStatus' });
   */
  countGroups(
    options: WorkflowCountOptions & { readonly groupBy?: WorkflowCountGroupBy },
  ): Promise<WorkflowCountGroups>;
}

/**
 * `client.activity`, as in Temporal: settles an activity that threw `CompleteAsyncError`,
 * addressed by its task token (`Context.current().info.taskToken`).
 */
export interface ActivityCompletionApi {
  complete(taskToken: string, result?: unknown): Promise<void>;
  /** Fails the activity (final: no retry); `failure` is an Error or `{ message, type? }`. */
  fail(taskToken: string, failure: unknown): Promise<void>;
}

/** The client API, implemented in-process by the engine and over HTTP by the remote SDK (`Client`). */
export interface ClientApi {
  readonly workflow: WorkflowClient;
  /** Async activity completion by task token (the engine's client and the remote `Client` have it). */
  readonly activity?: ActivityCompletionApi;
  /** Schedules: workflows started on a calendar, an interval or a cron expression. */
  readonly schedule: ScheduleClient;
}

/** The engine's in-process client: the workflow client and async activity completion. */
export type EngineClient = ClientApi & { readonly activity: ActivityCompletionApi };
