// Command planning: what a live activation's commands record (events) and imply (task, timer
// and outbox rows), and what a run's closing commit owes its parent and children.
export { cronSuccessor, nextCronTime, parseCronSchedule } from './cron.js';
export { commandsToEvents } from './to-events.js';
export type { CommandEnv } from './event-writer.js';
export {
  DEFAULT_RUN_LIMITS,
  resolveRunLimits,
  type PendingCounts,
  type RunLimits,
} from './run-limits.js';
export { commandsBytes, endsRun } from './command-bytes.js';
export { closingEffects, childOutcomeEvent } from './closing.js';
export { emptyEffects, type CommitEffects } from './effects.js';
export {
  ACTIVITY_TIMEOUT_KIND,
  CHILD_RESULT_KIND,
  CHILD_START_KIND,
  CLOSE_POLICY_KIND,
  CONTINUE_AS_NEW_KIND,
  EXTERNAL_KIND,
  FIRST_TASK_KIND,
  FIRST_TASK_TIMER_ID,
  USER_TIMER_KIND,
  WORKFLOW_CRON_KIND,
  WORKFLOW_RETRY_KIND,
  WORKFLOW_TIMEOUT_KIND,
  type ChildResultData,
  type ChildStartData,
  type ClosePolicyData,
  type ContinueAsNewData,
  type ExternalData,
} from './kinds.js';
