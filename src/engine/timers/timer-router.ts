// What a fired durable timer means: a workflow timeout, a user timer, an activity's
// schedule-to-close/-start timeout — each becomes an arrival for its run.
import { SCHEDULE_TIMER_KIND, type TimerRow, type Store } from '../../store/index.js';
import { activityTimerIds, taskIdFor, type ActivityService } from '../activity-service/index.js';
import {
  ACTIVITY_TIMEOUT_KIND,
  FIRST_TASK_KIND,
  USER_TIMER_KIND,
  WORKFLOW_TIMEOUT_KIND,
} from '../commands/index.js';
import type { RunScheduler } from '../scheduler/index.js';
import { retryForever, type StoreRetryEnv } from '../store-retry.js';

export interface TimerRouterDeps {
  readonly store: Store;
  readonly scheduler: RunScheduler;
  readonly activities: ActivityService;
  readonly retry: StoreRetryEnv;
  readonly schedules: { onTimer(row: TimerRow): void };
}

/** A timer row left in place is claimed again by a later poll (its claim lease expires). */
const leaveForLater = (): undefined => undefined;

export class TimerRouter {
  readonly #d: TimerRouterDeps;

  constructor(deps: TimerRouterDeps) {
    this.#d = deps;
  }

  onFire(row: TimerRow): void {
    const run = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    // Cluster mode: the run (or schedule) moved to another node, which claims the row itself.
    if (this.#d.scheduler.isElsewhere(run)) return;
    if (row.kind === WORKFLOW_TIMEOUT_KIND) {
      // No workflow code runs: the run ends TIMED_OUT and its timers and tasks are torn down.
      this.#d.scheduler.enqueue(run, {
        event: {
          type: 'WorkflowTimedOut',
          timeoutType: row.data === 'EXECUTION' ? 'EXECUTION' : 'RUN',
        },
        cancelTimers: [row.timerId],
      });
      return;
    }
    if (row.kind === USER_TIMER_KIND) {
      this.#d.scheduler.enqueue(run, {
        event: { type: 'TimerFired', startedSeq: Number(row.data), timerId: row.timerId },
        cancelTimers: [row.timerId],
      });
      return;
    }
    if (row.kind === ACTIVITY_TIMEOUT_KIND) return this.#activityTimeout(row);
    if (row.kind === FIRST_TASK_KIND) {
      // The delayed first workflow task is due: the run activates (the row goes with it).
      this.#d.scheduler.release(run, [row.timerId]);
      return;
    }
    if (row.kind === SCHEDULE_TIMER_KIND) return this.#d.schedules.onTimer(row);
    void this.#d.store.deleteTimer(row.namespace, row.runId, row.timerId).catch(leaveForLater);
  }

  #activityTimeout(row: TimerRow): void {
    const run = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    const { activityId, scheduledSeq, timeoutType } = JSON.parse(row.data ?? '{}') as {
      activityId: string;
      scheduledSeq: number;
      timeoutType?: 'SCHEDULE_TO_CLOSE' | 'SCHEDULE_TO_START';
    };
    const taskId = taskIdFor(row.runId, activityId);
    const { store } = this.#d;
    const read = retryForever(this.#d.retry, () => store.getTask(row.namespace, taskId));
    void read.then((task) => {
      // Schedule-to-start only applies while no worker has picked the task up.
      if (timeoutType === 'SCHEDULE_TO_START' && task !== undefined && task.deliveries > 0) {
        void store.deleteTimer(row.namespace, row.runId, row.timerId).catch(leaveForLater);
        return;
      }
      this.#d.activities.cancel(
        taskId,
        `${(timeoutType ?? 'SCHEDULE_TO_CLOSE').toLowerCase().replaceAll('_', '-')} timeout`,
      );
      this.#d.scheduler.enqueue(run, {
        event: {
          type: 'ActivityTimedOut',
          scheduledSeq,
          timeoutType: timeoutType ?? 'SCHEDULE_TO_CLOSE',
          attempt: task?.attempt ?? 0,
          ...(task?.lastFailure ? { failure: task.lastFailure } : {}),
        },
        removeTasks: [taskId],
        cancelTimers: activityTimerIds(activityId),
      });
    }, leaveForLater);
  }
}
