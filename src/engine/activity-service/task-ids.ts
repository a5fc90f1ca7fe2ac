// Names derived from an activity: its task row id, the internal queue of local activities,
// and the ids of the timeout timers it may own. Stable: they are stored in rows.

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
