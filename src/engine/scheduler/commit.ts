// Commit building: what a plan writes in its run's commit (events, timer, task and outbox
// rows, visibility, a start's audit entries), including the WorkflowTaskFailed of a crashed
// task and closing effects.
import { isTerminalEventType, stampEvent, type Mutable } from '../../core/index.js';
import type { RunCommit } from '../../store/index.js';
import { closingEffects } from '../commands/index.js';
import type { SchedulerContext } from './context.js';
import { roomForTaskEvent, terminateForHistory } from './history-budget.js';
import type { Plan, TaskFailure } from './plan.js';
import { settleEmpty } from './planning.js';
import { scheduleRetry } from './supervision.js';

/**
 * The commit of a plan, or undefined when it writes nothing (the plan is then settled here,
 * and a crashed task is scheduled for retry).
 */
export function buildCommit(ctx: SchedulerContext, p: Plan): RunCommit | undefined {
  const a = p.actor;
  if (p.taskFailure) recordTaskFailure(ctx, p, p.taskFailure);
  if (
    p.events.length === 0 &&
    p.effects.removeTasks.length === 0 &&
    p.effects.cancelTimers.length === 0 &&
    p.effects.removeOutbox.length === 0 &&
    p.visibility === undefined
  ) {
    settleEmpty(p);
    if (p.taskFailure) {
      scheduleRetry(ctx, a, p.taskFailure.failure.message);
      a.reset();
    }
    return undefined;
  }
  const closing = p.events[p.events.length - 1];
  if (closing && isTerminalEventType(closing.type))
    closingEffects(a.key, a.book, closing, p.now, p.effects);
  if (p.events.length === 0 && a.book.headSeq === 0) {
    // Nothing of this run is stored (yet): a side-effect-only commit is not possible.
    settleEmpty(p);
    return undefined;
  }
  const commit: Mutable<RunCommit> = {
    run: a.key,
    expectedSeq: p.expectedSeq,
    events: p.events,
    timers: { upsert: p.effects.timers, cancel: p.effects.cancelTimers },
    tasks: { enqueue: p.effects.tasks, remove: p.effects.removeTasks },
    outbox: {
      add: p.effects.outbox,
      remove: p.start?.removeOutbox
        ? [...p.start.removeOutbox, ...p.effects.removeOutbox]
        : p.effects.removeOutbox,
    },
  };
  // Optional parts by assignment (every commit is built here: no object per absent part).
  if (p.visibility) commit.visibility = p.visibility;
  if (p.start?.schedule) commit.schedule = p.start.schedule;
  if (p.inboxDone.length > 0) commit.inboxDone = p.inboxDone;
  if (p.start?.audit) commit.audit = p.start.audit.entries;
  return commit;
}

/**
 * Keeps the recorded arrivals (p.events holds only those: commands are added only after a
 * successful activation), drops every side effect of the crashed activation, and records
 * WorkflowTaskFailed unless it would repeat the run's last event — or, when the workflow's
 * share of history has no room left for it, ends the run (history_too_large) instead.
 */
function recordTaskFailure(ctx: SchedulerContext, p: Plan, taskFailure: TaskFailure): void {
  const { metrics, logger } = ctx.deps;
  const a = p.actor;
  p.effects.tasks.length = 0;
  p.effects.timers.length = 0;
  p.effects.abortTasks.length = 0;
  p.effects.outbox.length = 0;
  for (const t of p.start?.timers ?? []) p.effects.timers.push(t);
  p.effects.cancelTimers.length = 0;
  p.effects.removeTasks.length = 0;
  p.effects.removeOutbox.length = 0;
  for (const arrival of p.arrivals) {
    for (const t of arrival.removeTasks ?? []) p.effects.removeTasks.push(t);
    for (const t of arrival.cancelTimers ?? []) p.effects.cancelTimers.push(t);
    for (const o of arrival.removeOutbox ?? []) p.effects.removeOutbox.push(o);
    for (const o of arrival.addOutbox ?? []) p.effects.outbox.push(o);
  }
  const record = p.events.length > 0 || p.prevLastEventType !== 'WorkflowTaskFailed';
  if (record && !roomForTaskEvent(ctx.deps.history, p)) {
    terminateForHistory(ctx, p, 'length');
    p.taskFailure = undefined; // the run ends: nothing to retry
  } else if (record) {
    p.events.push(
      stampEvent(
        { type: 'WorkflowTaskFailed', cause: taskFailure.cause, failure: taskFailure.failure },
        p.expectedSeq + p.events.length + 1,
        p.now,
      ),
    );
  }
  metrics.taskFailures.inc(1, { cause: taskFailure.cause });
  logger.warn('workflow task failed', {
    workflowId: a.key.workflowId,
    runId: a.key.runId,
    cause: taskFailure.cause,
    error: taskFailure.failure.message,
  });
}
