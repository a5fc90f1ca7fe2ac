// A plan: what one run contributes to a tick (its recorded arrivals, the activation it gets
// and the commit that follows), from planning through activation to the commit's outcome.
import type { Failure, HistoryEvent } from '../../core/index.js';
import type { CommitEffects } from '../commands/index.js';
import type { Arrival, RunActor } from '../run-actor.js';

/** Why a workflow task failed (recorded as WorkflowTaskFailed, then supervised). */
export interface TaskFailure {
  readonly cause:
    'nondeterminism' | 'sandbox' | 'deadlock' | 'resource_exhausted' | 'unhandled' | 'limit';
  readonly failure: Failure;
}

/** What one run contributes to a tick. */
export interface Plan {
  readonly actor: RunActor;
  readonly expectedSeq: number;
  readonly now: number;
  readonly arrivals: readonly Arrival[];
  readonly start: RunActor['pendingStart'];
  readonly events: HistoryEvent[];
  readonly effects: CommitEffects;
  /** Inbox messages this plan's commit carries out (cluster mode; see RunCommit.inboxDone). */
  readonly inboxDone: string[];
  activate: boolean;
  /** Set when the plan was put back (nothing of it is committed this tick). */
  skip: boolean;
  visibility?: { stuck: { reason: string; since: number } | null } | undefined;
  /** The run's last event before this plan (to avoid repeating WorkflowTaskFailed). */
  readonly prevLastEventType: HistoryEvent['type'] | undefined;
  taskFailure?: TaskFailure | undefined;
  /** Set when the plan ends its run at a history limit (WorkflowTerminated history_too_large). */
  historyLimit?: 'length' | 'bytes' | undefined;
}
