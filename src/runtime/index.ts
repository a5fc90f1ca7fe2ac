export {
  PackageSandbox,
  DeadlockError,
  DEFAULT_DEADLOCK_TIMEOUT_MS,
  type SandboxRun,
  type BatchItem,
} from './sandbox.js';
export { RunBook, type PendingActivity, type PendingTimer } from './run-book.js';
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
