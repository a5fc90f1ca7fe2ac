// Names derived from an activity: its task row id, the internal queue of local activities,
// and the ids of the timeout timers it may own. Stable: they are stored in rows.
import type { RecordedActivityOptions } from '../../core/index.js';

/** Internal queue of local activities: always served by the engine's own executor. */
export const LOCAL_QUEUE = '__aion_local';

export function taskIdFor(runId: string, activityId: string): string {
  return `${runId}/${activityId}`;
}

export function scheduleToCloseTimerId(activityId: string): string {
  return `activity/${activityId}/schedule-to-close`;
}

export function scheduleToStartTimerId(activityId: string): string {
  return `activity/${activityId}/schedule-to-start`;
}

/** Timer rows an activity may own (deleted with its final outcome). */
export function activityTimerIds(activityId: string): string[] {
  return [scheduleToCloseTimerId(activityId), scheduleToStartTimerId(activityId)];
}

/** Whether scheduling an activity with `options` writes its schedule-to-close timer. */
function hasScheduleToCloseTimer(options: RecordedActivityOptions): boolean {
  return options.scheduleToCloseTimeoutMs !== undefined;
}

/** Whether scheduling an activity with `options` writes its schedule-to-start timer. */
function hasScheduleToStartTimer(options: RecordedActivityOptions, local: boolean): boolean {
  return options.scheduleToStartTimeoutMs !== undefined && !local;
}

const NO_TIMERS: readonly string[] = Object.freeze([]);

/**
 * The timer rows an activity scheduled with `options` owns (see scheduleActivity): most have
 * none, and deleting rows that were never written costs a statement each.
 */
export function scheduledTimerIds(
  activityId: string,
  options: RecordedActivityOptions,
  local: boolean,
): readonly string[] {
  const close = hasScheduleToCloseTimer(options);
  const start = hasScheduleToStartTimer(options, local);
  if (!close && !start) return NO_TIMERS;
  if (close && start) return activityTimerIds(activityId);
  return [close ? scheduleToCloseTimerId(activityId) : scheduleToStartTimerId(activityId)];
}
