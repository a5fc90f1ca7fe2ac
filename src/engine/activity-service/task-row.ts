// The task row written with an ActivityScheduled event: where the task is queued and the
// engine data (TaskData) its attempts need, kept in the row's `options`.
import type { Headers, Payload, RecordedActivityOptions, RunKey } from '../../core/index.js';
import type { NewActivityTask } from '../../store/index.js';
import { LOCAL_QUEUE, taskIdFor } from './task-ids.js';
import type { TaskData } from './types.js';

/** An activity as the run's command scheduled it. */
export interface ScheduledActivity {
  readonly activityId: string;
  readonly activityType: string;
  readonly scheduledSeq: number;
  readonly input: readonly Payload[];
  readonly options: RecordedActivityOptions;
  readonly local: boolean;
  readonly workflowType: string;
  readonly headers?: Headers | undefined;
}

/** The row of a new task, visible now and not leased to anyone yet. */
export function taskRow(run: RunKey, p: ScheduledActivity, now: number): NewActivityTask {
  const taskQueue = p.local ? LOCAL_QUEUE : p.options.taskQueue;
  const data: TaskData = {
    workflowType: p.workflowType,
    scheduledAt: now,
    options: p.options,
    local: p.local,
    ...(p.headers ? { headers: p.headers } : {}),
  };
  return {
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    taskId: taskIdFor(run.runId, p.activityId),
    taskQueue,
    activityId: p.activityId,
    activityType: p.activityType,
    scheduledSeq: p.scheduledSeq,
    input: p.input,
    options: JSON.stringify(data),
    attempt: 1,
    visibleAt: now,
  };
}
