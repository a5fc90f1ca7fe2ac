// The run scheduler: drives runs through plan → activate → commit → dispatch, supervises
// crashed tasks and keeps the resident runs bounded. Other engine code imports this door.
export { RunScheduler } from './run-scheduler.js';
export { ReplayThread } from './replay-thread.js';
export type { EngineLogger, SchedulerDeps, SupervisionPolicy } from './types.js';
export {
  HISTORY_HEADROOM_EVENTS,
  HISTORY_TOO_LARGE,
  checkHeadroom,
  historyPolicy,
  type HistoryPolicy,
} from './history-policy.js';
export type { RunRouter, ShardKey } from './shard-routing.js';
export type { UpdateAdmission } from './live-access.js';
export type { TimeTravelAnswer, TimeTravelOutcome, TimeTravelQuery } from './time-travel.js';
