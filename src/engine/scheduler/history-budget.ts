// A run's history limits. The workflow's own events (its inputs, its commands, its task
// records) stay within `maxHistoryLength − 20` events and `maxHistoryBytes`; the last 20
// events are kept for what must always fit: operator controls and the run's end. When the
// workflow's next events do not fit, the run ends TERMINATED, reason `history_too_large`.
import {
  AionError,
  isTerminalEventType,
  stampEvent,
  type EventType,
  type NewEvent,
  type WorkflowCommand,
} from '../../core/index.js';
import {
  CONTINUE_AS_NEW_SUGGESTED_MARKER,
  EVENT_ENVELOPE_BYTES,
  eventBytes,
  type RunBook,
} from '../../runtime/index.js';
import { commandsBytes, endsRun } from '../commands/index.js';
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import {
  HISTORY_HEADROOM_EVENTS,
  HISTORY_TOO_LARGE,
  type HistoryLimit,
  type HistoryPolicy,
} from './history-policy.js';
import type { Plan } from './plan.js';

/** Controls an operator (or a parent's close policy, or a deploy) may record in the headroom. */
const CONTROL_EVENTS: ReadonlySet<EventType> = new Set([
  'WorkflowCancelRequested',
  'WorkflowPaused',
  'WorkflowResumed',
  'WorkflowRepinned',
]);

/** Whether an arrival fits, and if not, which limit the run reached or that it is refused. */
export type ArrivalRoom = 'fits' | 'no_room' | HistoryLimit;

/**
 * A terminal event fits up to the hard cap; a control up to one event below it (so a terminal
 * still fits after it) — else it is refused; any other arrival within the workflow's share.
 */
export function arrivalRoom(policy: HistoryPolicy, book: RunBook, event: NewEvent): ArrivalRoom {
  const next = book.headSeq + 1;
  if (isTerminalEventType(event.type)) return next <= policy.maxEvents ? 'fits' : 'no_room';
  if (CONTROL_EVENTS.has(event.type)) return next < policy.maxEvents ? 'fits' : 'no_room';
  if (next > policy.workflowEvents) return 'length';
  return book.historyBytes + eventBytes(event) > policy.maxBytes ? 'bytes' : 'fits';
}

/**
 * Whether an activation's events fit: one per command, plus WorkflowTaskCompleted unless the
 * commands end the run. A run that ends may use the headroom; one that goes on may not.
 */
export function activationRoom(
  policy: HistoryPolicy,
  book: RunBook,
  commands: readonly WorkflowCommand[],
): 'fits' | HistoryLimit {
  const ends = endsRun(commands);
  const events = commands.length + (ends ? 0 : 1);
  if (book.headSeq + events > (ends ? policy.maxEvents : policy.workflowEvents)) return 'length';
  const bytes = commandsBytes(commands) + (ends ? 0 : EVENT_ENVELOPE_BYTES);
  return book.historyBytes + bytes > policy.maxBytes ? 'bytes' : 'fits';
}

/** Whether the plan can still record one more event of the workflow's own (a task failure). */
export function roomForTaskEvent(policy: HistoryPolicy, p: Plan): boolean {
  return p.expectedSeq + p.events.length + 1 <= policy.workflowEvents;
}

/**
 * Ends the plan's run: WorkflowTerminated{reason: history_too_large}, applied to its book.
 * A history already at the hard cap (written without headroom) has no room even for that:
 * the run is parked as stuck instead, so nothing the store would refuse is ever submitted.
 */
export function terminateForHistory(ctx: SchedulerContext, p: Plan, limit: HistoryLimit): void {
  const seq = p.expectedSeq + p.events.length + 1;
  if (seq > ctx.deps.history.maxEvents) {
    parkFull(ctx, p);
    return;
  }
  const event = stampEvent({ type: 'WorkflowTerminated', reason: HISTORY_TOO_LARGE }, seq, p.now);
  p.actor.book.apply(event);
  p.events.push(event);
  p.historyLimit = limit;
}

function parkFull(ctx: SchedulerContext, p: Plan): void {
  const a = p.actor;
  if (a.stuck) return;
  const reason = `${HISTORY_TOO_LARGE}: the history is at its hard limit (${a.book.headSeq} events) with no room left for its end`;
  a.stuck = { reason, since: p.now };
  p.visibility = { stuck: a.stuck };
  ctx.deps.metrics.stuckRuns.inc(1, { workflow_type: a.book.started?.workflowType ?? '' });
  ctx.deps.logger.error('workflow run parked as stuck: history full', {
    workflowId: a.key.workflowId,
    runId: a.key.runId,
    reason,
  });
}

/** The refusal of a control that finds no room left (a terminate still fits). */
export function noRoomError(a: RunActor, event: NewEvent): AionError {
  return new AionError(
    'history_too_large',
    `run ${a.key.runId} of ${a.key.workflowId} has no room left in its history for ${event.type} (${a.book.headSeq} events; the last ${HISTORY_HEADROOM_EVENTS} are kept for its end): terminate it instead`,
    { runId: a.key.runId, length: a.book.headSeq },
  );
}

/**
 * Records the continue-as-new suggestion (a marker, so replay sees the same value) when the
 * history first passes the warning fraction — if the workflow's share has room for it.
 */
export function suggestContinueAsNew(ctx: SchedulerContext, p: Plan): void {
  const book = p.actor.book;
  const policy = ctx.deps.history;
  if (book.continueAsNewSuggested || nearLimit(policy, book) === undefined) return;
  if (book.headSeq + 1 > policy.workflowEvents) return;
  const marker = stampEvent(
    { type: 'MarkerRecorded', markerName: CONTINUE_AS_NEW_SUGGESTED_MARKER },
    book.headSeq + 1,
    p.now,
  );
  book.apply(marker);
  p.events.push(marker);
}

function nearLimit(policy: HistoryPolicy, book: RunBook): HistoryLimit | undefined {
  if (book.headSeq > policy.workflowEvents * policy.warnFraction) return 'length';
  if (book.historyBytes > policy.maxBytes * policy.warnFraction) return 'bytes';
  return undefined;
}

/**
 * Once a plan is committed: one warning per run when its history passed the warning
 * fraction (the suggestion marker is recorded once), and the termination at the limit.
 */
export function reportHistoryLimits(ctx: SchedulerContext, p: Plan): void {
  const { metrics, logger, history: policy } = ctx.deps;
  const a = p.actor;
  const workflowType = a.book.started?.workflowType ?? '';
  const fields = {
    workflowId: a.key.workflowId,
    runId: a.key.runId,
    workflowType,
    historyLength: a.book.headSeq,
    historyBytes: a.book.historyBytes,
    maxHistoryLength: policy.maxEvents,
    workflowEventsLimit: policy.workflowEvents,
    maxHistoryBytes: policy.maxBytes,
  };
  const marked = p.events.some(
    (e) => e.type === 'MarkerRecorded' && e.markerName === CONTINUE_AS_NEW_SUGGESTED_MARKER,
  );
  if (marked) {
    const limit = nearLimit(policy, a.book) ?? 'length';
    metrics.historyWarnings.inc(1, { workflow_type: workflowType, limit });
    logger.warn('workflow history is nearing its limit; the workflow should continue as new', {
      ...fields,
      limit,
      fraction: policy.warnFraction,
    });
  }
  if (p.historyLimit) {
    metrics.historyTerminations.inc(1, { workflow_type: workflowType, limit: p.historyLimit });
    logger.error('workflow run terminated: history_too_large', {
      ...fields,
      limit: p.historyLimit,
    });
  }
}
