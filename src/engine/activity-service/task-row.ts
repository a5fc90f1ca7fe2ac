// The task row written with an ActivityScheduled event: where the task is queued and the
// engine data (TaskData) its attempts need, kept in the row's `options`.
import type { Headers, Payload, RecordedActivityOptions, RunKey } from '../../core/index.js';
import { extend, type Mutable } from '../../core/index.js';
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
 * The engine data of a task row made here, as an object, under a symbol: copies of the row
 * (object spread) keep it, the stores never write it, so a row dispatched right after its
 * commit is run without reading its `options` text back (see {@link taskDataOf}).
 */
const TASK_DATA = Symbol('aion.taskData');

type WithData = { [TASK_DATA]?: TaskData };
type NewRow = Mutable<NewActivityTask> & WithData & { deliveries?: number };

/** The engine data of a task row: kept when the row was made here, else read from its text. */
export function taskDataOf(task: NewActivityTask | ActivityTask): TaskData {
  return (task as WithData)[TASK_DATA] ?? (JSON.parse(task.options ?? '{}') as TaskData);
}

/** The queue a scheduled activity's task goes to (local activities: this engine's own). */
export function taskQueueOf(p: ScheduledActivity): string {
  return p.local ? LOCAL_QUEUE : p.options.taskQueue;
}

/**
 * The row of a new task, visible now: leased to `lease.owner` until `lease.until` when given
 * (the engine hands it to an attempt right after the commit), else not leased to anyone yet.
 */
export function taskRow(
  run: RunKey,
  p: ScheduledActivity,
  now: number,
  lease?: { readonly owner: string; readonly until: number },
): NewActivityTask {
  const taskQueue = taskQueueOf(p);
  const data: TaskData = {
    workflowType: p.workflowType,
    scheduledAt: now,
    options: p.options,
    local: p.local,
    ...(p.headers ? { headers: p.headers } : {}),
  };
  const row: NewRow = {
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
    [TASK_DATA]: data,
  };
  if (lease !== undefined) {
    row.leaseOwner = lease.owner;
    row.leaseUntil = lease.until;
    // Handed to an attempt right after the commit: its first delivery (the stores write 1).
    row.deliveries = 1;
  }
  return row;
}

/** A task row this engine enqueued pre-leased, as its first delivery (here or to a remote worker). */
export function firstDelivery(row: NewActivityTask): ActivityTask {
  const made = row as NewRow;
  // A row made pre-leased here already says so (no copy on the dispatch path).
  return made.deliveries === 1 ? (made as ActivityTask) : extend(row, { deliveries: 1 });
}
