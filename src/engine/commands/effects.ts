// The side effects of one run's commit: rows written in the same transaction as its events
// and dispatched (timers armed, tasks run, outbox rows delivered) once it is durable.
import type { NewActivityTask, OutboxRow, TimerRow } from '../../store/index.js';

/** Side effects of a commit, written in the same transaction and dispatched after it. */
export interface CommitEffects {
  readonly outbox: OutboxRow[];
  readonly removeOutbox: string[];
  readonly tasks: NewActivityTask[];
  readonly removeTasks: string[];
  readonly timers: TimerRow[];
  readonly cancelTimers: string[];
  /** Task ids whose running attempt must be aborted after commit. */
  readonly abortTasks: string[];
}

export function emptyEffects(): CommitEffects {
  return {
    outbox: [],
    removeOutbox: [],
    tasks: [],
    removeTasks: [],
    timers: [],
    cancelTimers: [],
    abortTasks: [],
  };
}
