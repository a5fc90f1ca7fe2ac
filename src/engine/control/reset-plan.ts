// How a reset or reopen builds its new run from a prefix of the old run's history: the reset
// point, the copied events, and the activity tasks and timers the new run starts with.
import { AionError, type EventOf, type HistoryEvent, type RunKey } from '../../core/index.js';
import { RunBook } from '../../runtime/index.js';
import type { NewActivityTask, TimerRow } from '../../store/index.js';
import type { ActivityService } from '../activity-service/index.js';
import { USER_TIMER_KIND } from '../commands/index.js';

export const RESET_KIND = 'reset';

/** What a reset/reopen outbox row carries: how to build the new run. */
export interface ResetData {
  readonly mode: 'reset' | 'reopen';
  readonly newRunId: string;
  /** Seq of the WorkflowTaskCompleted the new run's history ends at. */
  readonly boundarySeq: number;
  /** Re-pin the new run to this version (default: the version at the boundary). */
  readonly version?: string;
  readonly reason: string;
  /**
   * Signals received after the boundary are recorded again on the new run (`SIGNAL`) or not
   * (`NONE`). Absent in intents recorded before signals were re-applied: `NONE`.
   */
  readonly reapply?: ResetReapply;
}

/** What a reset records again on the new run from after its boundary. */
export type ResetReapply = 'SIGNAL' | 'NONE';

export type ResetPoint = number | 'lastWorkflowTask' | 'firstWorkflowTask';

/** The WorkflowTaskCompleted seq a reset goes back to; invalid_argument when `point` is not one. */
export function resolveResetPoint(events: readonly HistoryEvent[], point: ResetPoint): number {
  const boundaries = events.filter((e) => e.type === 'WorkflowTaskCompleted').map((e) => e.seq);
  if (boundaries.length === 0) {
    throw new AionError('invalid_argument', 'the run has no completed workflow task to reset to', {
      field: 'toWorkflowTaskSeq',
    });
  }
  if (point === 'lastWorkflowTask') return boundaries[boundaries.length - 1]!;
  if (point === 'firstWorkflowTask') return boundaries[0]!;
  if (!Number.isSafeInteger(point) || !boundaries.includes(point)) {
    throw new AionError(
      'invalid_argument',
      `seq ${String(point)} is not a workflow-task boundary of this run; reset points are the seqs of its WorkflowTaskCompleted events: ${boundaries.slice(-10).join(', ')}${boundaries.length > 10 ? ' …' : ''}`,
      { field: 'toWorkflowTaskSeq', boundaries: boundaries.slice(-50) },
    );
  }
  return point;
}

export interface NewRunPlan {
  readonly events: HistoryEvent[];
  readonly tasks: NewActivityTask[];
  readonly timers: TimerRow[];
}

/**
 * The history of the new run (the old run's prefix up to the boundary, its WorkflowStarted
 * naming the run it resets or reopens, re-pinned when asked) and the side effects that
 * prefix left pending: activity tasks to run again and timers to re-arm.
 */
export function planNewRun(
  old: RunKey,
  events: readonly HistoryEvent[],
  data: ResetData,
  activities: ActivityService,
  now: number,
): NewRunPlan {
  const prefix = events.filter((e) => e.seq <= data.boundarySeq);
  const book = new RunBook();
  for (const e of prefix) book.apply(e);
  refuseInFlightMessages(book, data.boundarySeq);
  const run: RunKey = {
    namespace: old.namespace,
    workflowId: old.workflowId,
    runId: data.newRunId,
  };
  const started = prefix[0];
  if (started?.type !== 'WorkflowStarted')
    throw new AionError('internal', `run ${old.runId} has no WorkflowStarted`);
  const copy: HistoryEvent[] = prefix.map((e) =>
    e.type === 'WorkflowStarted'
      ? {
          ...e,
          firstRunId: started.firstRunId ?? old.runId,
          ...(data.mode === 'reset'
            ? { resetFromRunId: old.runId }
            : { reopenedFromRunId: old.runId }),
        }
      : e,
  );
  if (data.version !== undefined && data.version !== book.version) {
    copy.push({
      type: 'WorkflowRepinned',
      fromVersion: book.version,
      toVersion: data.version,
      reason: data.reason,
      seq: data.boundarySeq + 1,
      recordedAt: now,
      v: 1,
    });
  }
  copy.push(...reappliedSignals(events, data, copy.length, now));
  const tasks = pendingTasks(book, prefix, run, started.workflowType, activities, now);
  const timers: TimerRow[] = [...book.timers.values()].map((t) => ({
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    timerId: t.timerId,
    fireAt: t.fireAt,
    kind: USER_TIMER_KIND,
    data: String(t.startedSeq),
  }));
  return { events: copy, tasks, timers };
}

/**
 * The old run's signals from after the boundary, recorded again (in order, after the copied
 * prefix) so the new run receives them in its first activation — what Temporal's reset does
 * by default. Updates are not re-applied: their callers were answered by (or failed with)
 * the old run, and running a handler again could repeat its effect.
 */
function reappliedSignals(
  events: readonly HistoryEvent[],
  data: ResetData,
  copied: number,
  now: number,
): HistoryEvent[] {
  if (data.reapply !== 'SIGNAL') return [];
  return events
    .filter(
      (e): e is EventOf<'SignalReceived'> =>
        e.seq > data.boundarySeq && e.type === 'SignalReceived',
    )
    .map((e, i) => ({ ...e, seq: copied + 1 + i, recordedAt: now }));
}

/** A reset point with children, external signals or updates in flight is refused. */
function refuseInFlightMessages(book: RunBook, boundarySeq: number): void {
  if (book.children.size > 0) {
    throw new AionError(
      'invalid_state',
      `the reset point (seq ${boundarySeq}) has child workflows in flight; pick an earlier or later workflow task`,
      { boundarySeq },
    );
  }
  if (book.externals.size > 0 || book.openUpdates.size > 0) {
    throw new AionError(
      'invalid_state',
      `the reset point (seq ${boundarySeq}) has signals to other workflows or updates in flight; pick another workflow task`,
      { boundarySeq },
    );
  }
}

/** The activity tasks the prefix left pending (not cancel-requested), to run again. */
function pendingTasks(
  book: RunBook,
  prefix: readonly HistoryEvent[],
  run: RunKey,
  workflowType: string,
  activities: ActivityService,
  now: number,
): NewActivityTask[] {
  return [...book.activities.values()]
    .filter((a) => !a.cancelRequested)
    .map((a) => {
      const { input, headers } = prefix.find((e) => e.seq === a.scheduledSeq) as HistoryEvent & {
        type: 'ActivityScheduled';
      };
      return activities.newTask(
        run,
        {
          activityId: a.activityId,
          activityType: a.activityType,
          scheduledSeq: a.scheduledSeq,
          input,
          options: a.options,
          local: a.local,
          workflowType,
          headers,
        },
        now,
        // The new run's commit is retried when its outcome is unknown, and a retry that finds
        // the run created dispatches nothing: unleased tasks are claimed by the poll instead.
        { preLease: false },
      );
    });
}
