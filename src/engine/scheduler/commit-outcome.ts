// What follows a run's commit: once durable, its acks and side effects are dispatched (timers,
// tasks, outbox, closing); on a conflict the run is rebuilt; on a store failure the outcome is
// resolved from the store, and a commit the store keeps refusing parks the run.
import {
  AionError,
  isAionError,
  isTerminalEventType,
  SequenceConflictError,
} from '../../core/index.js';
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import { reportHistoryLimits } from './history-budget.js';
import type { Plan } from './plan.js';
import { requeue } from './planning.js';
import { freeze, scheduleRetry } from './supervision.js';

/** The commit is durable: acknowledge, dispatch its side effects, close the run if it ended. */
export function committed(ctx: SchedulerContext, p: Plan): void {
  const a = p.actor;
  const d = ctx.deps;
  a.commitRefusals = 0;
  a.storeAttempts = 0;
  if (p.taskFailure) {
    // The instance and the optimistic book may hold half an activation: rebuild from the store.
    scheduleRetry(ctx, a, p.taskFailure.failure.message);
    a.reset();
  }
  p.start?.audit?.carried();
  p.start?.onCommitted?.();
  p.start?.ack.resolve();
  for (const arrival of p.arrivals) arrival.ack?.resolve();
  const { activities, timers } = d;
  for (const t of p.effects.timers) timers.add(t);
  for (const t of p.effects.cancelTimers) timers.remove(a.key.namespace, a.key.runId, t);
  for (const t of p.effects.tasks) activities.dispatch(t);
  for (const t of p.effects.abortTasks) {
    activities.cancel(t, 'activity cancelled by the workflow');
  }
  if (p.effects.abortTasks.length > 0) cancelledActivities(ctx, a, p);
  // An outcome recorded from elsewhere ends this node's attempt of the task (none starts after);
  // one the workflow cancelled above records its cancellation when it stops.
  for (const t of p.effects.removeTasks) {
    if (activities.isRunning(t) && !p.effects.abortTasks.includes(t)) activities.supersede(t);
  }
  for (const row of p.effects.outbox) d.onOutbox(row);
  for (const e of p.events) {
    if (e.type === 'UpdateCompleted') d.onUpdateCompleted(a.key, e);
    if (e.type === 'WorkflowPaused') activities.setPaused(a.key.runId, true);
    if (e.type === 'WorkflowResumed') activities.setPaused(a.key.runId, false);
  }
  reportHistoryLimits(ctx, p);
  const last = p.events[p.events.length - 1];
  if (last && isTerminalEventType(last.type)) {
    timers.removeRun(a.key.namespace, a.key.runId);
    activities.cancelRun(a.key.runId, `workflow ${a.book.status.toLowerCase()}`);
    if (a.residentIn !== undefined) d.thread.evict([a.mapKey]);
    a.residentIn = undefined;
    const started = a.book.started;
    d.onClosed(a.key, last, started?.workflowType ?? '', false, started?.scheduledBy?.scheduleId);
    if (a.inbox.length === 0) ctx.runs.forget(a);
  }
}

/** Activities cancelled by the workflow get their final event once their attempt stops. */
function cancelledActivities(ctx: SchedulerContext, a: RunActor, p: Plan): void {
  for (const e of p.events) {
    if (e.type !== 'ActivityCancelRequested') continue;
    const activityId = a.book.activityBySeq.get(e.scheduledSeq);
    if (activityId === undefined || !a.book.activities.has(activityId)) continue;
    if (ctx.deps.activities.isRunning(`${a.key.runId}/${activityId}`)) continue; // its outcome will arrive
    ctx.enqueue(a.key, {
      event: { type: 'ActivityCancelled', scheduledSeq: e.scheduledSeq, attempt: 0 },
    });
  }
}

/** Refusals that end a start: its id is taken, or the schedule fire it belongs to moved. */
const START_REFUSALS: ReadonlySet<string> = new Set([
  'workflow_already_started',
  'schedule_conflict',
  'already_exists',
]);

/** The store refused the commit (expected seq moved, or the start's id is taken). */
export function conflicted(ctx: SchedulerContext, p: Plan, error: AionError): void {
  const a = p.actor;
  if (p.start && START_REFUSALS.has(error.code)) {
    p.start.ack.reject(error);
    for (const arrival of p.arrivals) arrival.ack?.reject(error);
    forgetRefusedStart(ctx, a);
    return;
  }
  if (p.start && error instanceof SequenceConflictError && error.actual > 0) {
    startFoundCommitted(ctx, p);
    return;
  }
  ctx.deps.logger.warn('commit conflict; rebuilding run', {
    runId: a.key.runId,
    error: error.message,
  });
  requeue(ctx, p, a.isolate);
}

/**
 * A start the store refused leaves no run: its actor leaves memory, and so does the instance
 * its first activation made in the workflow thread.
 */
function forgetRefusedStart(ctx: SchedulerContext, a: RunActor): void {
  if (a.residentIn !== undefined) ctx.deps.thread.evict([a.mapKey]);
  a.residentIn = undefined;
  ctx.runs.forget(a);
}

/**
 * A start refused because its run already has history: the run id is this start's own, so an
 * earlier attempt of this very start committed — one whose outcome was read back before the
 * write was applied (a commit the database finished after its connection was lost). The start
 * is durable: it is acknowledged (and its commit hook told), and the run is rebuilt from the
 * store; what arrived with it goes back to the inbox, where admission drops what the landed
 * commit already holds (activity outcomes, timers, updates, signals with a request id).
 */
function startFoundCommitted(ctx: SchedulerContext, p: Plan): void {
  const a = p.actor;
  const start = p.start!;
  ctx.deps.logger.warn('start found committed by an earlier attempt; rebuilding the run', {
    runId: a.key.runId,
  });
  start.audit?.carried(); // in that same commit
  start.onCommitted?.();
  start.ack.resolve();
  requeue(ctx, { ...p, start: undefined }, a.isolate);
  void dispatchLandedTasks(ctx, a);
}

/**
 * The activity tasks a landed commit enqueued leased to this engine were never handed to the
 * executor (that follows a commit known to be durable): run them now rather than after their
 * lease runs out. A store failure here leaves them to the lease expiry.
 */
async function dispatchLandedTasks(ctx: SchedulerContext, a: RunActor): Promise<void> {
  const { store, activities } = ctx.deps;
  const tasks = await store.listTasks(a.key).catch(() => []);
  for (const t of tasks) if (!activities.isRunning(t.taskId)) activities.dispatch(t);
}

/** Commits the store refused (for a reason other than an outage) before the run is parked. */
const MAX_COMMIT_REFUSALS = 3;

/**
 * The store refused the commit (not an outage: see in-doubt.ts for those). The refusal is
 * final for what waits for an ack; the rest is tried again from the store a few times, spaced
 * out, then the run is parked as stuck with the reason (never a hot loop).
 */
export async function refusedCommit(ctx: SchedulerContext, p: Plan, err: unknown): Promise<void> {
  const a = p.actor;
  const { logger, retry } = ctx.deps;
  const error = isAionError(err) ? err : new AionError('internal', String(err));
  a.commitRefusals++;
  logger.error('the store refused a commit', {
    runId: a.key.runId,
    code: error.code,
    error: error.message,
    attempt: a.commitRefusals,
  });
  p.start?.ack.reject(error);
  const keep = p.arrivals.filter((arrival) => {
    if (arrival.ack) {
      arrival.ack.reject(error);
      return false;
    }
    return true;
  });
  if (p.start) forgetRefusedStart(ctx, a); // its instance leaves before reset forgets it
  a.reset();
  a.inbox = [...keep, ...a.inbox];
  a.visibilityPatch ??= p.visibility;
  if (p.start) return;
  if (a.frozen !== undefined || retry.stopped()) {
    a.visibilityPatch = undefined; // parked already: nothing more is written
    return;
  }
  if (a.commitRefusals >= MAX_COMMIT_REFUSALS) {
    freeze(ctx, a, `the store refuses its commits: [${error.code}] ${error.message}`);
    return;
  }
  // Activate again (from the store) once the wait is over, even without new arrivals.
  a.needsActivation = true;
  await retry.delay(1000 * 2 ** (a.commitRefusals - 1), { unref: true });
}
