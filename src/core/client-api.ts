// The client API contract, shared by the in-process client (the engine) and the remote SDK
// (`aion/client`): options, handles, descriptions and the history export format.
import type { HistoryEvent } from './events.js';
import type { Failure } from './failure.js';
import type { Headers } from './headers.js';
import type { SearchAttributes } from './search-attributes.js';
import type { WorkflowStatus } from './status.js';

/** A signal or query definition, or just its name. */
export type MessageRef = string | { readonly name: string };

/** The name of a signal, query or update reference. */
export function messageName(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

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
  /** When a closed run used this workflow id. Default `ALLOW_DUPLICATE`. */
  readonly workflowIdReusePolicy?:
    'ALLOW_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY' | 'REJECT_DUPLICATE';
  /** When a run with this workflow id is open. Default `FAIL` (workflow_already_started). */
  readonly workflowIdConflictPolicy?: 'FAIL' | 'USE_EXISTING' | 'TERMINATE_EXISTING';
  /** Idempotency key: retrying a start with the same key returns the run it created. */
  readonly requestId?: string;
  /**
   * Headers recorded with the start (`WorkflowStarted.headers`), seen by workflow
   * interceptors and `workflowInfo().headers`. Usually added by client interceptors.
   * Default: none.
   */
  readonly headers?: Headers;
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

/** A handle on a workflow (its current run, or one specific run). */
export interface WorkflowHandle<R = unknown> {
  readonly workflowId: string;
  /** The run this handle addresses; undefined means "the current run". */
  readonly runId: string | undefined;
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
  executeUpdate<T = unknown>(
    update: MessageRef,
    options?: { args?: readonly unknown[]; updateId?: string; headers?: Headers },
  ): Promise<T>;
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

export interface WorkflowExecutionInfo {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: WorkflowStatus;
  readonly startTime: Date;
  readonly closeTime: Date | undefined;
  readonly taskQueue: string;
  readonly version: string;
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
  getHandle<R = unknown>(workflowId: string, runId?: string): WorkflowHandle<R>;
  list(
    options?: WorkflowListOptions,
  ): Promise<{ items: WorkflowExecutionInfo[]; nextCursor: string | undefined }>;
  count(options?: Omit<WorkflowListOptions, 'pageSize' | 'cursor'>): Promise<number>;
}

/** The client API, implemented in-process by the engine and over HTTP by the remote SDK (`Client`). */
export interface ClientApi {
  readonly workflow: WorkflowClient;
}
