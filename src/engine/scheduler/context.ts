// What the scheduler's parts share: its dependencies, the resident runs, and the hooks back
// into its loop (ready set and in-flight accounting). Built once by the scheduler.
import type { RunKey } from '../../core/index.js';
import type { CommandEnv } from '../commands/index.js';
import type { Arrival, RunActor } from '../run-actor.js';
import type { ResidentRuns } from './residency.js';
import type { SchedulerDeps } from './types.js';

/** When a released run goes back to the ready set. */
export type Wake = 'always' | 'if-pending';

export interface SchedulerContext {
  readonly deps: SchedulerDeps;
  readonly runs: ResidentRuns;
  /** Engine-wide inputs of command planning (limits, activity service, fresh ids). */
  readonly commandEnv: CommandEnv;
  /** Queues the run for the next tick. */
  markReady(a: RunActor): void;
  /** Adds an arrival to the run's inbox and queues the run. */
  enqueue(key: RunKey, arrival: Arrival): void;
  /** Marks the run busy and counts the work in flight (the scheduler is not idle meanwhile). */
  hold(a: RunActor): void;
  /** Ends `hold`: the run is free again and, per `wake`, queued for the next tick. */
  release(a: RunActor, wake: Wake): void;
  /** Counts a reader of the run's live instance (no activation starts while any reads). */
  enterRead(a: RunActor): void;
  /** Ends `enterRead`; the last reader out queues the run if it has work waiting. */
  leaveRead(a: RunActor): void;
}
