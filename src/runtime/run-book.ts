import {
  applySearchAttributeUpsert,
  type ParentClosePolicy,
  type Payload,
  type SearchAttributes,
  isTerminalEventType,
  type ActivationJob,
  type EventOf,
  type HistoryEvent,
  type RecordedActivityOptions,
  type WorkflowStatus,
  nextStatus,
  SmallMap,
} from '../core/index.js';
import { eventBytes } from './event-bytes.js';
import { activityJob, childJob } from './outcome-jobs.js';

export interface PendingActivity {
  readonly activityId: string;
  readonly activityType: string;
  readonly scheduledSeq: number;
  readonly scheduledAt: number;
  readonly options: RecordedActivityOptions;
  readonly local: boolean;
  cancelRequested: boolean;
}

export interface PendingChild {
  readonly childId: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly parentClosePolicy: ParentClosePolicy;
  started: boolean;
}

export interface PendingTimer {
  readonly timerId: string;
  readonly startedSeq: number;
  readonly fireAt: number;
}

/**
 * Recorded in the batch where `workflowInfo().continueAsNewSuggested` first turns true, so
 * replay sees the same value whatever the limits are when it runs.
 */
export const CONTINUE_AS_NEW_SUGGESTED_MARKER = 'continue-as-new-suggested';

/** What a book holds of a collection it has not made yet. */
const NONE: ReadonlyMap<never, never> = new Map<never, never>();
const NO_IDS: ReadonlySet<string> = new Set();
/** A run without search attributes or memo (most runs): upserts make new objects. */
const NO_ATTRIBUTES: SearchAttributes = Object.freeze({});
const NO_MEMO: Readonly<Record<string, Payload>> = Object.freeze({});

/**
 * The engine's bookkeeping of one run, derived from its history alone: what is pending,
 * which recorded arrivals have not been delivered to workflow code yet, and its status.
 * Fed with events in seq order, both while replaying and after each live commit.
 */
export class RunBook {
  headSeq = 0;
  status: WorkflowStatus = 'RUNNING';
  started: EventOf<'WorkflowStarted'> | undefined;
  lastEventType: HistoryEvent['type'] | undefined;
  cancelRequested = false;
  /** Arrivals recorded since the last completed activation, in seq order. */
  undelivered: ActivationJob[] = [];
  /** Seq of the last WorkflowTaskCompleted (reset points). */
  lastTaskCompletedSeq = 0;
  consecutiveTaskFailures = 0;
  // The collections are made on first use, and the pending ones dropped when they empty: a
  // resident run keeps less (10,000 sleepers kept two empty maps each, ~0.5 KiB). Pending
  // activities and timers, usually one, are SmallMaps (one entry in two fields).
  #activities: SmallMap<string, PendingActivity> | undefined;
  #activityBySeq: Map<number, string> | undefined;
  #timers: SmallMap<string, PendingTimer> | undefined;
  #children: Map<number, PendingChild> | undefined;
  #childCount = 0;
  #externals: Map<number, string> | undefined;
  #externalCount = 0;
  #openUpdates: Map<string, number> | undefined;
  #completedUpdates: Set<string> | undefined;
  #signalRequestIds: Set<string> | undefined;
  /** The package version the run executes on (its start version, or the latest re-pin). */
  version = '';
  /**
   * Approximate size of the history in bytes (see {@link eventBytes}); stays 0 in a book made
   * with `historyBytes: false`.
   */
  historyBytes = 0;
  readonly #countBytes: boolean;
  /** Set by the `continue-as-new-suggested` marker; never unset (history only grows). */
  continueAsNewSuggested = false;
  /** Current search attributes and memo (carried to a continue-as-new successor). */
  searchAttributes: SearchAttributes = NO_ATTRIBUTES;
  memo: Readonly<Record<string, Payload>> = NO_MEMO;

  /**
   * `historyBytes: false` leaves the history's size uncounted, for a book that only serves a
   * replay (the engine's book of the run counts it): measuring every payload reads memory
   * nothing else of a replay touches, about 4% of it.
   */
  constructor(options: { readonly historyBytes?: boolean } = {}) {
    this.#countBytes = options.historyBytes ?? true;
  }

  /** Activities scheduled and not yet settled, by activity id. */
  get activities(): ReadonlyMap<string, PendingActivity> {
    return this.#activities ?? NONE;
  }

  /** Activity ids by the seq of their ActivityScheduled event (for the run's whole life). */
  get activityBySeq(): ReadonlyMap<number, string> {
    return this.#activityBySeq ?? NONE;
  }

  /** Timers started and not yet fired or cancelled, by timer id. */
  get timers(): ReadonlyMap<string, PendingTimer> {
    return this.#timers ?? NONE;
  }

  /** Child workflows by the seq of their ChildWorkflowInitiated event, until their outcome. */
  get children(): ReadonlyMap<number, PendingChild> {
    return this.#children ?? NONE;
  }

  /** Signals/cancellations sent to other workflows, by initiated seq → external id. */
  get externals(): ReadonlyMap<number, string> {
    return this.#externals ?? NONE;
  }

  /** Accepted updates by id → seq of UpdateAccepted; completed ones are removed. */
  get openUpdates(): ReadonlyMap<string, number> {
    return this.#openUpdates ?? NONE;
  }

  get completedUpdates(): ReadonlySet<string> {
    return this.#completedUpdates ?? NO_IDS;
  }

  /** Idempotency keys of recorded signals (a retried signal call is not recorded twice). */
  get signalRequestIds(): ReadonlySet<string> {
    return this.#signalRequestIds ?? NO_IDS;
  }

  get closed(): boolean {
    return this.status !== 'RUNNING' && this.status !== 'PAUSED';
  }

  /**
   * Applies one event. Returns the job it implies for workflow code, if it is an arrival.
   * This is replay's hot path: one switch routes the event to its family's handler, and the
   * handlers allocate nothing but the job they return.
   */
  apply(event: HistoryEvent): ActivationJob | undefined {
    this.headSeq = event.seq;
    // Size of the history (approximate: payload text dominates), for its byte limit.
    if (this.#countBytes) this.historyBytes += eventBytes(event);
    this.lastEventType = event.type;
    const terminal = isTerminalEventType(event.type);
    // A running run stays running except by a terminal event or a pause.
    if (terminal || this.status !== 'RUNNING' || event.type === 'WorkflowPaused')
      this.status = nextStatus(this.status, event);
    let job: ActivationJob | undefined;
    switch (event.type) {
      case 'WorkflowStarted':
      case 'WorkflowRepinned':
      case 'WorkflowCancelRequested':
      case 'WorkflowTaskCompleted':
      case 'WorkflowTaskFailed':
        job = this.#applyWorkflowEvent(event);
        break;
      case 'ActivityScheduled':
      case 'ActivityCancelRequested':
      case 'ActivityCompleted':
      case 'ActivityFailed':
      case 'ActivityTimedOut':
      case 'ActivityCancelled':
        job = this.#applyActivityEvent(event);
        break;
      case 'TimerStarted':
      case 'TimerFired':
      case 'TimerCancelled':
        job = this.#applyTimerEvent(event);
        break;
      case 'SignalReceived':
      case 'UpdateAccepted':
      case 'UpdateCompleted':
        job = this.#applyMessageEvent(event);
        break;
      case 'ExternalSignalInitiated':
      case 'ExternalCancelInitiated':
      case 'ExternalSignalDelivered':
      case 'ExternalCancelDelivered':
      case 'ExternalSignalFailed':
      case 'ExternalCancelFailed':
        job = this.#applyExternalEvent(event);
        break;
      case 'ChildWorkflowInitiated':
      case 'ChildWorkflowStarted':
      case 'ChildWorkflowStartFailed':
      case 'ChildWorkflowCompleted':
      case 'ChildWorkflowFailed':
      case 'ChildWorkflowCancelled':
      case 'ChildWorkflowTerminated':
      case 'ChildWorkflowTimedOut':
        job = this.#applyChildEvent(event);
        break;
      case 'MarkerRecorded':
      case 'SearchAttributesUpserted':
      case 'MemoUpserted':
        this.#applyMetadataEvent(event);
        break;
      default:
        break;
    }
    if (job) this.undelivered.push(job);
    if (terminal) {
      this.#activities = undefined;
      this.#timers = undefined;
      this.undelivered = [];
    }
    return job;
  }

  #applyWorkflowEvent(event: WorkflowEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'WorkflowStarted':
        this.started = event;
        this.version = event.version;
        this.searchAttributes = event.searchAttributes ?? NO_ATTRIBUTES;
        this.memo = event.memo ?? NO_MEMO;
        return event.headers
          ? { type: 'startWorkflow', args: event.args, headers: event.headers }
          : { type: 'startWorkflow', args: event.args };
      case 'WorkflowRepinned':
        this.version = event.toVersion;
        return undefined;
      case 'WorkflowCancelRequested':
        this.cancelRequested = true;
        return event.reason === undefined
          ? { type: 'cancelWorkflow' }
          : { type: 'cancelWorkflow', reason: event.reason };
      case 'WorkflowTaskCompleted':
        this.undelivered = [];
        this.lastTaskCompletedSeq = event.seq;
        this.consecutiveTaskFailures = 0;
        return undefined;
      case 'WorkflowTaskFailed':
        this.consecutiveTaskFailures++;
        return undefined;
    }
  }

  #applyActivityEvent(event: ActivityEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'ActivityScheduled':
        (this.#activities ??= new SmallMap()).set(event.activityId, {
          activityId: event.activityId,
          activityType: event.activityType,
          scheduledSeq: event.seq,
          scheduledAt: event.recordedAt,
          options: event.options,
          local: event.local === true,
          cancelRequested: false,
        });
        (this.#activityBySeq ??= new Map()).set(event.seq, event.activityId);
        return undefined;
      case 'ActivityCancelRequested': {
        const id = this.activityBySeq.get(event.scheduledSeq);
        const a = id === undefined ? undefined : this.activities.get(id);
        if (a) a.cancelRequested = true;
        return undefined;
      }
      case 'ActivityCompleted':
      case 'ActivityFailed':
      case 'ActivityTimedOut':
      case 'ActivityCancelled': {
        const activityId = this.activityBySeq.get(event.scheduledSeq);
        if (activityId === undefined) return undefined;
        this.#forgetActivity(activityId);
        return activityJob(event, activityId);
      }
    }
  }

  #applyTimerEvent(event: TimerEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'TimerStarted':
        (this.#timers ??= new SmallMap()).set(event.timerId, {
          timerId: event.timerId,
          startedSeq: event.seq,
          fireAt: event.fireAt,
        });
        return undefined;
      case 'TimerFired':
        this.#forgetTimer(event.timerId);
        return { type: 'fireTimer', timerId: event.timerId };
      case 'TimerCancelled':
        this.#forgetTimer(event.timerId);
        return undefined;
    }
  }

  #forgetActivity(activityId: string): void {
    const activities = this.#activities;
    if (activities?.delete(activityId) === true && activities.size === 0) {
      this.#activities = undefined;
    }
  }

  #forgetTimer(timerId: string): void {
    const timers = this.#timers;
    if (timers?.delete(timerId) === true && timers.size === 0) this.#timers = undefined;
  }

  /** Signals and updates. */
  #applyMessageEvent(event: MessageEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'SignalReceived':
        if (event.requestId !== undefined)
          (this.#signalRequestIds ??= new Set()).add(event.requestId);
        return {
          type: 'signalWorkflow',
          signalName: event.signalName,
          args: event.args,
          ...(event.headers ? { headers: event.headers } : {}),
        };
      case 'UpdateAccepted':
        (this.#openUpdates ??= new Map()).set(event.updateId, event.seq);
        return {
          type: 'doUpdate',
          updateId: event.updateId,
          updateName: event.updateName,
          args: event.args,
          ...(event.headers ? { headers: event.headers } : {}),
          ...(event.unvalidated ? { validate: true as const } : {}),
        };
      case 'UpdateCompleted':
        this.#openUpdates?.delete(event.updateId);
        (this.#completedUpdates ??= new Set()).add(event.updateId);
        return undefined;
    }
  }

  /** Signals and cancellations sent to other workflows. */
  #applyExternalEvent(event: ExternalEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'ExternalSignalInitiated':
      case 'ExternalCancelInitiated':
        (this.#externals ??= new Map()).set(event.seq, String(++this.#externalCount));
        return undefined;
      case 'ExternalSignalDelivered':
      case 'ExternalCancelDelivered': {
        const id = this.#externals?.get(event.initiatedSeq);
        if (id === undefined) return undefined;
        this.#externals?.delete(event.initiatedSeq);
        return { type: 'resolveExternal', externalId: id };
      }
      case 'ExternalSignalFailed':
      case 'ExternalCancelFailed': {
        const id = this.#externals?.get(event.initiatedSeq);
        if (id === undefined) return undefined;
        this.#externals?.delete(event.initiatedSeq);
        return { type: 'rejectExternal', externalId: id, failure: event.failure };
      }
    }
  }

  #applyChildEvent(event: ChildEvent): ActivationJob | undefined {
    switch (event.type) {
      case 'ChildWorkflowInitiated':
        (this.#children ??= new Map()).set(event.seq, {
          childId: String(++this.#childCount),
          workflowId: event.workflowId,
          runId: event.runId,
          workflowType: event.workflowType,
          parentClosePolicy: event.parentClosePolicy,
          started: false,
        });
        return undefined;
      case 'ChildWorkflowStarted': {
        const child = this.#children?.get(event.initiatedSeq);
        if (!child) return undefined;
        child.started = true;
        return { type: 'resolveChildStart', childId: child.childId, runId: event.runId };
      }
      case 'ChildWorkflowStartFailed':
      case 'ChildWorkflowCompleted':
      case 'ChildWorkflowFailed':
      case 'ChildWorkflowCancelled':
      case 'ChildWorkflowTerminated':
      case 'ChildWorkflowTimedOut': {
        const child = this.#children?.get(event.initiatedSeq);
        if (!child) return undefined;
        this.#children?.delete(event.initiatedSeq);
        // A fast child can finish before its parent records that it started.
        if (!child.started && event.type !== 'ChildWorkflowStartFailed') {
          this.undelivered.push({
            type: 'resolveChildStart',
            childId: child.childId,
            runId: child.runId,
          });
        }
        return childJob(event, child.childId);
      }
    }
  }

  /** Markers, search attributes and memo: bookkeeping only, never a job. */
  #applyMetadataEvent(event: MetadataEvent): void {
    switch (event.type) {
      case 'MarkerRecorded':
        if (event.markerName === CONTINUE_AS_NEW_SUGGESTED_MARKER)
          this.continueAsNewSuggested = true;
        return;
      case 'SearchAttributesUpserted':
        this.searchAttributes = applySearchAttributeUpsert(
          this.searchAttributes,
          event.searchAttributes,
        );
        return;
      case 'MemoUpserted': {
        const memo: Record<string, Payload> = { ...this.memo };
        for (const [k, v] of Object.entries(event.memo)) {
          if (v === null) delete memo[k];
          else memo[k] = v;
        }
        this.memo = memo;
        return;
      }
    }
  }
}

type WorkflowEvent = Extract<
  HistoryEvent,
  {
    type:
      | 'WorkflowStarted'
      | 'WorkflowRepinned'
      | 'WorkflowCancelRequested'
      | 'WorkflowTaskCompleted'
      | 'WorkflowTaskFailed';
  }
>;
type ActivityEvent = Extract<HistoryEvent, { type: `Activity${string}` }>;
type TimerEvent = Extract<HistoryEvent, { type: `Timer${string}` }>;
type MessageEvent = Extract<
  HistoryEvent,
  { type: 'SignalReceived' | 'UpdateAccepted' | 'UpdateCompleted' }
>;
type ExternalEvent = Extract<HistoryEvent, { type: `External${string}` }>;
type ChildEvent = Extract<HistoryEvent, { type: `ChildWorkflow${string}` }>;
type MetadataEvent = Extract<
  HistoryEvent,
  { type: 'MarkerRecorded' | 'SearchAttributesUpserted' | 'MemoUpserted' }
>;
