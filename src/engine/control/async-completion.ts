// Completing or failing, by its task token, an activity that threw CompleteAsyncError: the
// outcome is recorded on the run like a worker's result.
import { decodeTaskToken } from '../../activity/internal.js';
import { AionError, errorToFailure, type DataConverter, type NewEvent } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { activityTimerIds, failureEvent, taskIdFor } from '../activity-service/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunScheduler } from '../scheduler/index.js';

export interface AsyncCompletionDeps {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly converter: DataConverter;
  readonly scheduler: RunScheduler;
}

export class AsyncCompletion {
  readonly #d: AsyncCompletionDeps;

  constructor(deps: AsyncCompletionDeps) {
    this.#d = deps;
  }

  async complete(taskToken: string, result: unknown): Promise<void> {
    await this.#settle(taskToken, (scheduledSeq, attempt) => ({
      type: 'ActivityCompleted',
      scheduledSeq,
      result: this.#d.converter.encode(result, 'activity result'),
      attempt,
    }));
  }

  /** Final: no retry. */
  async fail(taskToken: string, error: unknown): Promise<void> {
    const failure = errorToFailure(error, (v) => this.#d.converter.encode(v));
    await this.#settle(taskToken, (scheduledSeq, attempt) =>
      failureEvent(scheduledSeq, attempt, failure),
    );
  }

  async #settle(
    taskToken: string,
    event: (scheduledSeq: number, attempt: number) => NewEvent,
  ): Promise<void> {
    this.#d.lifecycle.check();
    const t = decodeTaskToken(taskToken);
    const taskId = taskIdFor(t.runId, t.activityId);
    const task = await this.#d.store.getTask(t.namespace, taskId);
    if (!task || task.attempt !== t.attempt) {
      throw new AionError(
        'not_found',
        `no pending activity attempt for this task token (activity ${t.activityId} of run ${t.runId}, attempt ${t.attempt})`,
        { ...t },
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.#d.scheduler.enqueue(
        { namespace: t.namespace, workflowId: t.workflowId, runId: t.runId },
        {
          event: event(task.scheduledSeq, task.attempt),
          removeTasks: [taskId],
          cancelTimers: activityTimerIds(t.activityId),
          ack: { resolve, reject },
        },
      );
    });
  }
}
