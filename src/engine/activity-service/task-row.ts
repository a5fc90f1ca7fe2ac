// The task row written with an ActivityScheduled event: where the task is queued and the
// engine data (TaskData) its attempts need, kept in the row's `options`.
import type { Headers, Payload, RecordedActivityOptions, RunKey } from '../../core/index.js';
import type { ActivityTask, NewActivityTask } from '../../store/index.js';
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

/**
 * The engine data of task rows made here, as objects: a row dispatched right after its commit
 * is run without reading its `options` text back (see {@link taskDataOf}).
 */
const made = new WeakMap<object, TaskData>();

/** The engine data of a task row: kept when the row was made here, else read from its text. */
export function taskDataOf(task: NewActivityTask | ActivityTask): TaskData {
  return made.get(task) ?? (JSON.parse(task.options ?? '{}') as TaskData);
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
  const row: NewActivityTask = {
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
  made.set(row, data);
  return row;
}

/** The row leased to `owner` until `leaseUntil` (its engine data kept, see {@link taskDataOf}). */
export function leased(row: NewActivityTask, owner: string, leaseUntil: number): NewActivityTask {
  const out: NewActivityTask = { ...row, leaseOwner: owner, leaseUntil };
  const data = made.get(row);
  if (data !== undefined) made.set(out, data);
  return out;
}

/** A task row this engine enqueued pre-leased, as its first delivery (engine data kept). */
export function firstDelivery(row: NewActivityTask): ActivityTask {
  const out: ActivityTask = { ...row, deliveries: 1 };
  const data = made.get(row);
  if (data !== undefined) made.set(out, data);
  return out;
}
