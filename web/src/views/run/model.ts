// What a run's history says, gathered for the summary, the timeline and the relationships:
// activities (with their attempts), timers, children, signals and updates, start and close.
import type { Failure, HistoryEvent } from '../../types.js';

export type Outcome = 'open' | 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'terminated';

export interface Span {
  readonly seq: number;
  readonly label: string;
  readonly start: number;
  end?: number;
  outcome: Outcome;
  /** Activities: the attempt that ended it. */
  attempt?: number;
  failure?: Failure;
}

export interface ChildSpan extends Span {
  readonly workflowId: string;
  readonly namespace: string;
  runId?: string;
}

export interface Mark {
  readonly seq: number;
  readonly at: number;
  readonly label: string;
  readonly kind: 'signal' | 'update' | 'task-failed' | 'paused' | 'resumed' | 'other';
}

export interface RunModel {
  readonly started?: HistoryEvent;
  readonly closed?: HistoryEvent;
  readonly activities: readonly Span[];
  readonly timers: readonly Span[];
  readonly children: readonly ChildSpan[];
  readonly marks: readonly Mark[];
  readonly first: number;
  readonly last: number;
}

const CLOSE_TYPES = new Set([
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowCancelled',
  'WorkflowTerminated',
  'WorkflowTimedOut',
  'WorkflowContinuedAsNew',
]);

const ACTIVITY_END: Record<string, Outcome> = {
  ActivityCompleted: 'completed',
  ActivityFailed: 'failed',
  ActivityTimedOut: 'timed_out',
  ActivityCancelled: 'cancelled',
};

const CHILD_END: Record<string, Outcome> = {
  ChildWorkflowCompleted: 'completed',
  ChildWorkflowFailed: 'failed',
  ChildWorkflowCancelled: 'cancelled',
  ChildWorkflowTerminated: 'terminated',
  ChildWorkflowTimedOut: 'timed_out',
  ChildWorkflowStartFailed: 'failed',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function buildModel(events: readonly HistoryEvent[]): RunModel {
  const activities = new Map<number, Span>();
  const timers = new Map<number, Span>();
  const children = new Map<number, ChildSpan>();
  const marks: Mark[] = [];
  let started: HistoryEvent | undefined;
  let closed: HistoryEvent | undefined;
  for (const e of events) {
    const at = e.recordedAt;
    if (e.type === 'WorkflowStarted') started = e;
    else if (CLOSE_TYPES.has(e.type)) closed = e;
    else if (e.type === 'ActivityScheduled')
      activities.set(e.seq, { seq: e.seq, label: str(e.activityType), start: at, outcome: 'open' });
    else if (e.type in ACTIVITY_END) {
      const span = activities.get(num(e.scheduledSeq) ?? -1);
      if (span) {
        span.end = at;
        span.outcome = ACTIVITY_END[e.type] ?? 'completed';
        const attempt = num(e.attempt);
        if (attempt !== undefined) span.attempt = attempt;
        if (e.failure) span.failure = e.failure as Failure;
      }
    } else if (e.type === 'TimerStarted')
      timers.set(e.seq, {
        seq: e.seq,
        label: `timer ${str(e.timerId)}`,
        start: at,
        outcome: 'open',
      });
    else if (e.type === 'TimerFired' || e.type === 'TimerCancelled') {
      const span = timers.get(num(e.startedSeq) ?? -1);
      if (span) {
        span.end = at;
        span.outcome = e.type === 'TimerFired' ? 'completed' : 'cancelled';
      }
    } else if (e.type === 'ChildWorkflowInitiated')
      children.set(e.seq, {
        seq: e.seq,
        label: `child ${str(e.workflowType)}`,
        start: at,
        outcome: 'open',
        workflowId: str(e.workflowId),
        namespace: str(e.namespace),
        ...(typeof e.runId === 'string' ? { runId: e.runId } : {}),
      });
    else if (e.type === 'ChildWorkflowStarted') {
      const span = children.get(num(e.initiatedSeq) ?? -1);
      if (span && typeof e.runId === 'string') span.runId = e.runId;
    } else if (e.type in CHILD_END) {
      const span = children.get(num(e.initiatedSeq) ?? -1);
      if (span) {
        span.end = at;
        span.outcome = CHILD_END[e.type] ?? 'completed';
        if (e.failure) span.failure = e.failure as Failure;
      }
    } else {
      const mark = markOf(e);
      if (mark) marks.push(mark);
    }
  }
  return {
    ...(started ? { started } : {}),
    ...(closed ? { closed } : {}),
    activities: [...activities.values()],
    timers: [...timers.values()],
    children: [...children.values()],
    marks,
    first: events[0]?.recordedAt ?? 0,
    last: events[events.length - 1]?.recordedAt ?? 0,
  };
}

function markOf(e: HistoryEvent): Mark | undefined {
  const base = { seq: e.seq, at: e.recordedAt };
  switch (e.type) {
    case 'SignalReceived':
      return { ...base, label: `signal ${str(e.signalName)}`, kind: 'signal' };
    case 'UpdateAccepted':
      return { ...base, label: `update ${str(e.updateName)}`, kind: 'update' };
    case 'WorkflowTaskFailed':
      return { ...base, label: `task failed (${str(e.cause)})`, kind: 'task-failed' };
    case 'WorkflowPaused':
      return { ...base, label: 'paused', kind: 'paused' };
    case 'WorkflowResumed':
      return { ...base, label: 'resumed', kind: 'resumed' };
    default:
      return undefined;
  }
}

/** A one-line summary of an event for the compact history list. */
export function eventSummary(e: HistoryEvent): string {
  const bits: string[] = [];
  for (const k of [
    'workflowType',
    'activityType',
    'activityId',
    'timerId',
    'signalName',
    'updateName',
    'workflowId',
    'markerName',
    'cause',
    'reason',
  ]) {
    const v = e[k];
    if (typeof v === 'string' && v !== '') bits.push(`${k}=${v}`);
  }
  for (const k of [
    'scheduledSeq',
    'startedSeq',
    'initiatedSeq',
    'acceptedSeq',
    'attempt',
    'durationMs',
  ]) {
    const v = e[k];
    if (typeof v === 'number') bits.push(`${k}=${v}`);
  }
  const failure = e.failure as Failure | undefined;
  if (failure?.message) bits.push(`failure: ${failure.message}`);
  return bits.join('  ');
}
