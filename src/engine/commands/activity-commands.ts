// Activity commands of a live activation: scheduling writes the event, the task row and its
// schedule timeouts; a cancel request removes the task and aborts a running attempt.
import {
  activityTimerIds,
  scheduleToCloseTimerId,
  scheduleToStartTimerId,
  taskIdFor,
} from '../activity-service/index.js';
import type { EventAttributes, Mutable } from '../../core/index.js';
import type { CommandOf, EventWriter } from './event-writer.js';
import { ACTIVITY_TIMEOUT_KIND } from './kinds.js';

export function scheduleActivity(w: EventWriter, cmd: CommandOf<'scheduleActivity'>): void {
  const { run, now, effects } = w;
  w.checkPayloads(cmd.args, `input of activity ${cmd.activityType}`);
  const headers = w.headersOf(cmd.headers);
  const scheduled: { type: 'ActivityScheduled' } & Mutable<EventAttributes['ActivityScheduled']> = {
    type: 'ActivityScheduled',
    activityId: cmd.activityId,
    activityType: cmd.activityType,
    input: cmd.args,
    options: cmd.options,
  };
  if (cmd.local) scheduled.local = true;
  if (headers) scheduled.headers = headers;
  const e = w.push(scheduled);
  effects.tasks.push(
    w.env.activities.newTask(
      run,
      {
        activityId: cmd.activityId,
        activityType: cmd.activityType,
        scheduledSeq: e.seq,
        input: cmd.args,
        options: cmd.options,
        local: cmd.local,
        workflowType: w.workflowType,
        headers,
      },
      now,
    ),
  );
  // Which timers an outcome deletes follows the same rules (scheduledTimerIds in task-ids.ts).
  if (cmd.options.scheduleToCloseTimeoutMs !== undefined) {
    effects.timers.push({
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      timerId: scheduleToCloseTimerId(cmd.activityId),
      fireAt: now + cmd.options.scheduleToCloseTimeoutMs,
      kind: ACTIVITY_TIMEOUT_KIND,
      data: JSON.stringify({
        activityId: cmd.activityId,
        scheduledSeq: e.seq,
        timeoutType: 'SCHEDULE_TO_CLOSE',
      }),
    });
  }
  if (cmd.options.scheduleToStartTimeoutMs !== undefined && !cmd.local) {
    effects.timers.push({
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      timerId: scheduleToStartTimerId(cmd.activityId),
      fireAt: now + cmd.options.scheduleToStartTimeoutMs,
      kind: ACTIVITY_TIMEOUT_KIND,
      data: JSON.stringify({
        activityId: cmd.activityId,
        scheduledSeq: e.seq,
        timeoutType: 'SCHEDULE_TO_START',
      }),
    });
  }
}

export function requestCancelActivity(
  w: EventWriter,
  cmd: CommandOf<'requestCancelActivity'>,
): void {
  const pending = w.book.activities.get(cmd.activityId);
  // Finished in this activation (its outcome came with the cancel) or before: nothing to
  // cancel, nothing recorded (replay skips the command alike).
  if (!pending) return;
  w.push({ type: 'ActivityCancelRequested', scheduledSeq: pending.scheduledSeq });
  const taskId = taskIdFor(w.run.runId, cmd.activityId);
  w.effects.removeTasks.push(taskId);
  w.effects.cancelTimers.push(...activityTimerIds(cmd.activityId));
  w.effects.abortTasks.push(taskId);
}
