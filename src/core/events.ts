import type { Failure } from './failure.js';
import { extend } from './objects.js';
import type {
  Priority,
  RecordedActivityOptions,
  ParentClosePolicy,
  RetryPolicy,
  TimeoutType,
  WorkflowTimeoutType,
} from './options.js';
import type { Headers } from './headers.js';
import type { Payload } from './payload.js';
import type { SearchAttributes, SearchAttributeUpsert } from './search-attributes.js';

/** Schema version written into new events. Older versions must keep decoding. */
export const EVENT_SCHEMA_VERSION = 1;

/** Addresses a workflow (optionally one run of it) in some namespace. */
export interface WorkflowRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId?: string;
}

/** Names the parent of a child run. */
export interface ParentRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  /** Seq of the parent's `ChildWorkflowInitiated` event. */
  readonly initiatedSeq: number;
}

/**
 * Attributes of each event type. Adding a field: make it optional so old histories decode.
 * Adding a type: append it here; the union and the type list follow.
 */
/** The schedule fire that started a run. */
export interface ScheduledBy {
  readonly scheduleId: string;
  /** The fire's nominal time (epoch ms). */
  readonly nominalTime: number;
  /** When the fire was taken (epoch ms): nominal + jitter, or later after a delay or buffer. */
  readonly actualTime: number;
}

export interface EventAttributes {
  // ── workflow lifecycle ────────────────────────────────────────────────────────────────
  WorkflowStarted: {
    readonly workflowType: string;
    readonly taskQueue: string;
    readonly args: readonly Payload[];
    /** Package version (content hash) the run is pinned to. */
    readonly version: string;
    readonly parent?: ParentRef;
    /** The run this one continues (continue-as-new). */
    readonly continuedFromRunId?: string;
    /** The run this one resets (started from a prefix of it). */
    readonly resetFromRunId?: string;
    /** The closed run this one reopens. */
    readonly reopenedFromRunId?: string;
    /** First run of the chain (for execution timeouts across continue-as-new). */
    readonly firstRunId?: string;
    /** Absolute deadline (epoch ms) of the whole chain. */
    readonly executionDeadline?: number;
    readonly executionTimeoutMs?: number;
    readonly runTimeoutMs?: number;
    readonly searchAttributes?: SearchAttributes;
    readonly memo?: Readonly<Record<string, Payload>>;
    readonly identity?: string;
    readonly requestId?: string;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
    /** The workflow retry policy of the start (`retry`); absent: a failed run is final. */
    readonly retryPolicy?: RetryPolicy;
    /** Attempt of the workflow retry policy this run is (absent: 1). */
    readonly attempt?: number;
    /** The run's task priority (start option, or inherited from its parent); absent: none. */
    readonly priority?: Priority;
    /** The schedule fire that started this run (absent for other starts). */
    readonly scheduledBy?: ScheduledBy;
    /** What the previous action of the same schedule (or cron chain) returned, or its failure. */
    readonly lastResult?: Payload;
    readonly lastFailure?: Failure;
    /** Cron expression of a cron workflow (`cronSchedule`): each run is followed by the next. */
    readonly cronSchedule?: string;
    /** The run's first workflow task waits until then (epoch ms): cron and `startDelay`. */
    readonly firstTaskAt?: number;
  };
  WorkflowCompleted: {
    readonly result: Payload;
    /** The next run of a cron workflow (`cronSchedule`); absent otherwise. */
    readonly newRunId?: string;
  };
  WorkflowFailed: {
    readonly failure: Failure;
    /** The run retrying this one (workflow retry policy); absent when the failure is final. */
    readonly newRunId?: string;
  };
  WorkflowCancelled: { readonly reason?: string };
  WorkflowTerminated: { readonly reason: string; readonly identity?: string };
  WorkflowTimedOut: { readonly timeoutType: WorkflowTimeoutType };
  WorkflowContinuedAsNew: {
    readonly newRunId: string;
    readonly workflowType: string;
    readonly args: readonly Payload[];
    readonly taskQueue: string;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
  };
  WorkflowCancelRequested: { readonly reason?: string; readonly identity?: string };
  WorkflowPaused: { readonly reason?: string; readonly identity?: string };
  WorkflowResumed: { readonly identity?: string };
  /**
   * The run was moved to another package version (a stuck run re-pinned to fixed code after
   * its history replayed on it without divergence). Later activations run on `toVersion`.
   */
  WorkflowRepinned: {
    readonly fromVersion: string;
    readonly toVersion: string;
    readonly reason?: string;
  };
  // ── workflow tasks ────────────────────────────────────────────────────────────────────
  /** Closes every activation commit; arrivals before it were delivered in one batch. */
  WorkflowTaskCompleted: Record<never, never>;
  /**
   * A task crash (bug, sandbox violation, non-determinism, deadlock, a per-run limit broken,
   * the workflow thread run out of memory); the run stays open.
   */
  WorkflowTaskFailed: {
    readonly cause:
      'nondeterminism' | 'sandbox' | 'deadlock' | 'resource_exhausted' | 'unhandled' | 'limit';
    readonly failure: Failure;
  };
  // ── activities ────────────────────────────────────────────────────────────────────────
  ActivityScheduled: {
    /** Per-run activity ordinal as a string ("1", "2", …) unless the workflow chose one. */
    readonly activityId: string;
    readonly activityType: string;
    readonly input: readonly Payload[];
    readonly options: RecordedActivityOptions;
    readonly local?: boolean;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
  };
  ActivityCompleted: {
    readonly scheduledSeq: number;
    readonly result: Payload;
    readonly attempt: number;
  };
  ActivityFailed: {
    readonly scheduledSeq: number;
    readonly failure: Failure;
    readonly attempt: number;
    readonly retryState?: 'MAXIMUM_ATTEMPTS_REACHED' | 'NON_RETRYABLE_FAILURE' | 'TIMEOUT';
  };
  ActivityTimedOut: {
    readonly scheduledSeq: number;
    readonly timeoutType: TimeoutType;
    readonly failure?: Failure;
    readonly attempt: number;
  };
  ActivityCancelRequested: { readonly scheduledSeq: number };
  ActivityCancelled: {
    readonly scheduledSeq: number;
    readonly attempt: number;
    readonly details?: Payload;
  };
  // ── timers ────────────────────────────────────────────────────────────────────────────
  TimerStarted: { readonly timerId: string; readonly durationMs: number; readonly fireAt: number };
  TimerFired: { readonly startedSeq: number; readonly timerId: string };
  TimerCancelled: { readonly startedSeq: number; readonly timerId: string };
  // ── signals ───────────────────────────────────────────────────────────────────────────
  SignalReceived: {
    readonly signalName: string;
    readonly args: readonly Payload[];
    readonly identity?: string;
    readonly requestId?: string;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
  };
  ExternalSignalInitiated: {
    readonly target: WorkflowRef;
    readonly signalName: string;
    readonly args: readonly Payload[];
    readonly childWorkflowOnly?: boolean;
  };
  ExternalSignalDelivered: { readonly initiatedSeq: number };
  ExternalSignalFailed: { readonly initiatedSeq: number; readonly failure: Failure };
  ExternalCancelInitiated: { readonly target: WorkflowRef; readonly childWorkflowOnly?: boolean };
  ExternalCancelDelivered: { readonly initiatedSeq: number };
  ExternalCancelFailed: { readonly initiatedSeq: number; readonly failure: Failure };
  // ── child workflows ───────────────────────────────────────────────────────────────────
  ChildWorkflowInitiated: {
    readonly workflowId: string;
    /** Pre-assigned run id so the start is idempotent across crashes. */
    readonly runId: string;
    readonly namespace: string;
    readonly workflowType: string;
    readonly args: readonly Payload[];
    readonly taskQueue: string;
    /** Version recorded for the child at initiation. */
    readonly version: string;
    readonly parentClosePolicy: ParentClosePolicy;
    readonly executionTimeoutMs?: number;
    readonly runTimeoutMs?: number;
    readonly searchAttributes?: SearchAttributes;
    readonly memo?: Readonly<Record<string, Payload>>;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
    /** The child's workflow retry policy. */
    readonly retryPolicy?: RetryPolicy;
    /** The child's task priority. */
    readonly priority?: Priority;
  };
  ChildWorkflowStarted: { readonly initiatedSeq: number; readonly runId: string };
  ChildWorkflowStartFailed: {
    readonly initiatedSeq: number;
    readonly cause: 'already_started' | 'unknown_type' | 'version_missing' | 'invalid';
    readonly failure: Failure;
  };
  ChildWorkflowCompleted: { readonly initiatedSeq: number; readonly result: Payload };
  ChildWorkflowFailed: { readonly initiatedSeq: number; readonly failure: Failure };
  ChildWorkflowCancelled: { readonly initiatedSeq: number; readonly reason?: string };
  ChildWorkflowTerminated: { readonly initiatedSeq: number; readonly reason?: string };
  ChildWorkflowTimedOut: {
    readonly initiatedSeq: number;
    readonly timeoutType: WorkflowTimeoutType;
  };
  // ── updates ───────────────────────────────────────────────────────────────────────────
  UpdateAccepted: {
    readonly updateId: string;
    readonly updateName: string;
    readonly args: readonly Payload[];
    readonly identity?: string;
    /** Headers set by interceptors (trace context…); absent in histories before they existed. */
    readonly headers?: Headers;
    /**
     * Recorded before the run's first activation (no handler existed to validate it against):
     * its validator runs when the update is delivered. Absent: validated before recording.
     */
    readonly unvalidated?: true;
  };
  UpdateCompleted: {
    readonly acceptedSeq: number;
    readonly updateId: string;
    readonly result?: Payload;
    readonly failure?: Failure;
  };
  // ── markers, search attributes, memo ──────────────────────────────────────────────────
  MarkerRecorded: {
    readonly markerName: string;
    readonly details?: Readonly<Record<string, Payload>>;
    /** For patch markers: the patch id; `deprecated` for deprecatePatch. */
    readonly patchId?: string;
    readonly deprecated?: boolean;
  };
  SearchAttributesUpserted: { readonly searchAttributes: SearchAttributeUpsert };
  MemoUpserted: { readonly memo: Readonly<Record<string, Payload | null>> };
}

export type EventType = keyof EventAttributes;

/** Fields every event carries. `recordedAt` is engine time in epoch milliseconds. */
export interface EventEnvelope<T extends EventType = EventType> {
  readonly seq: number;
  readonly recordedAt: number;
  readonly type: T;
  /** Schema version of this event's encoding. */
  readonly v: number;
}

export type EventOf<T extends EventType> = EventEnvelope<T> & EventAttributes[T];

/** One recorded history event (discriminated by `type`). */
export type HistoryEvent = { [T in EventType]: EventOf<T> }[EventType];

/** An event before the store assigns nothing — the engine assigns seq and time. */
export type NewEvent = { [T in EventType]: { readonly type: T } & EventAttributes[T] }[EventType];

const EVENT_TYPE_TABLE: Record<EventType, true> = {
  WorkflowStarted: true,
  WorkflowCompleted: true,
  WorkflowFailed: true,
  WorkflowCancelled: true,
  WorkflowTerminated: true,
  WorkflowTimedOut: true,
  WorkflowContinuedAsNew: true,
  WorkflowCancelRequested: true,
  WorkflowPaused: true,
  WorkflowResumed: true,
  WorkflowRepinned: true,
  WorkflowTaskCompleted: true,
  WorkflowTaskFailed: true,
  ActivityScheduled: true,
  ActivityCompleted: true,
  ActivityFailed: true,
  ActivityTimedOut: true,
  ActivityCancelRequested: true,
  ActivityCancelled: true,
  TimerStarted: true,
  TimerFired: true,
  TimerCancelled: true,
  SignalReceived: true,
  ExternalSignalInitiated: true,
  ExternalSignalDelivered: true,
  ExternalSignalFailed: true,
  ExternalCancelInitiated: true,
  ExternalCancelDelivered: true,
  ExternalCancelFailed: true,
  ChildWorkflowInitiated: true,
  ChildWorkflowStarted: true,
  ChildWorkflowStartFailed: true,
  ChildWorkflowCompleted: true,
  ChildWorkflowFailed: true,
  ChildWorkflowCancelled: true,
  ChildWorkflowTerminated: true,
  ChildWorkflowTimedOut: true,
  UpdateAccepted: true,
  UpdateCompleted: true,
  MarkerRecorded: true,
  SearchAttributesUpserted: true,
  MemoUpserted: true,
};

export const EVENT_TYPES: readonly EventType[] = Object.freeze(
  Object.keys(EVENT_TYPE_TABLE) as EventType[],
);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_TYPE_TABLE, value);
}

/** Terminal event types: exactly one of them closes every run. */
export const TERMINAL_EVENT_TYPES = [
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowCancelled',
  'WorkflowTerminated',
  'WorkflowTimedOut',
  'WorkflowContinuedAsNew',
] as const satisfies readonly EventType[];

export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];

const TERMINAL_TYPES: ReadonlySet<string> = new Set(TERMINAL_EVENT_TYPES);

export function isTerminalEventType(type: EventType): type is TerminalEventType {
  return TERMINAL_TYPES.has(type);
}

/** Stamps a new event with its seq and time. */
export function stampEvent(event: NewEvent, seq: number, recordedAt: number): HistoryEvent {
  return extend(event, { seq, recordedAt, v: EVENT_SCHEMA_VERSION }) as HistoryEvent;
}
