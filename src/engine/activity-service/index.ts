// Activity tasks on the engine side: the service that schedules, runs and records attempts,
// the names derived from an activity, and the seams the remote dispatcher plugs into.
export { ActivityService } from './activity-service.js';
export { failureEvent } from './outcomes.js';
export {
  activityTimerIds,
  LOCAL_QUEUE,
  scheduleToCloseTimerId,
  scheduleToStartTimerId,
  taskIdFor,
} from './task-ids.js';
export type { ActivityArrival, AttemptRunner, RemoteWakeups, TaskData } from './types.js';
