export {
  PackageSandbox,
  DeadlockError,
  DEFAULT_DEADLOCK_TIMEOUT_MS,
  type SandboxRun,
  type BatchItem,
} from './sandbox.js';
export {
  RunBook,
  CONTINUE_AS_NEW_SUGGESTED_MARKER,
  type PendingActivity,
  type PendingTimer,
} from './run-book.js';
export { EVENT_ENVELOPE_BYTES, eventBytes, failureBytes } from './event-bytes.js';
export {
  replayHistory,
  matchCommands,
  initInfoFor,
  isCommandEvent,
  describeCommand,
  describeEvent,
  ReplayCrashError,
  type ReplayOptions,
  type Replayed,
} from './replay.js';
export { closesActivation } from './replay-stacks.js';
export {
  WorkflowThread,
  WorkflowThreadClosedError,
  WorkflowThreadRestartedError,
  type ThreadRestartKind,
} from './workflow-thread.js';
export {
  DEFAULT_MAX_RESIDENT_RUNS,
  defaultWorkflowHeapLimitMb,
  HEAP_BUDGET_FRACTION,
  ResourceExhaustedError,
} from './resource-limits.js';
export type { ActivateItem, ReplayOutcome } from './worker-protocol.js';
