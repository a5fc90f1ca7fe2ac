// The history part of the store contract: appending and reading a run's events, and the
// atomic workflow-task commit that writes events together with the side-effect rows they imply.
import type {
  AionError,
  HistoryEvent,
  RunKey,
  SequenceConflictError,
  WorkflowAlreadyStartedError,
} from '../../core/index.js';
import type { OutboxRow } from './outbox.js';
import type { AuditEntry } from './security.js';
import type { ScheduleWrite } from './schedules.js';
import type { NewActivityTask } from './tasks.js';
import type { TimerRow } from './timers.js';
import type { VisibilityPatch } from './visibility.js';

export interface ReadRange {
  /** First seq to return (inclusive). Default 1. */
  readonly fromSeq?: number;
  /** Last seq to return (inclusive). Default: the head. */
  readonly toSeq?: number;
  /** Maximum number of events. Default: unlimited. */
  readonly limit?: number;
}

/**
 * One run's part of an atomic workflow-task commit: its new events plus the side-effect rows
 * they imply, written in one transaction or not at all.
 */
export interface RunCommit {
  readonly run: RunKey;
  /** The head the engine saw; the commit is refused (nothing written) if the head moved. */
  readonly expectedSeq: number;
  /** May be empty when the commit only changes side-effect rows (still seq-checked). */
  readonly events: readonly HistoryEvent[];
  readonly timers?: { readonly upsert?: readonly TimerRow[]; readonly cancel?: readonly string[] };
  readonly tasks?: {
    readonly enqueue?: readonly NewActivityTask[];
    /** Task ids (same namespace) to delete, e.g. with the event recording their outcome. */
    readonly remove?: readonly string[];
  };
  readonly outbox?: { readonly add?: readonly OutboxRow[]; readonly remove?: readonly string[] };
  readonly visibility?: VisibilityPatch;
  /**
   * A schedule write committed with this run's commit (a schedule fire and the run it starts):
   * both or neither. Its refusal (`already_exists`, `schedule_conflict`) is the run's outcome.
   */
  readonly schedule?: ScheduleWrite;
  /**
   * Inbox messages (see {@link Inbox}) this commit carries out: marked done with outcome
   * `{ ok: true }` in the same transaction, so a message is applied exactly once.
   */
  readonly inboxDone?: readonly string[];
  /**
   * Audit-trail entries (see `SecurityStore.appendAudit`) appended in the same transaction
   * only if this run's commit is accepted: a refused run commit writes none of them. A server
   * records a start's audit entry this way, so the start costs one durable commit, not two.
   */
  readonly audit?: readonly AuditEntry[];
}

export type CommitOutcome =
  | { readonly ok: true; readonly headSeq: number }
  | {
      readonly ok: false;
      readonly error: SequenceConflictError | WorkflowAlreadyStartedError | AionError;
    };

export interface HistoryStore {
  /** Appends events to one run at `expectedSeq`; throws `SequenceConflictError` or `WorkflowAlreadyStartedError`. */
  append(run: RunKey, events: readonly HistoryEvent[], expectedSeq: number): Promise<void>;
  /**
   * Atomic workflow-task commits of many runs in one transaction (group commit). Each run is
   * checked against its own `expectedSeq`; a conflicting run writes nothing and is reported
   * in its outcome, the others commit. Outcomes are in input order. Commits for the same run
   * in one batch apply in order.
   *
   * `audit` entries (see `SecurityStore.appendAudit`) are appended in the same transaction:
   * written whatever the runs' outcomes, durable when the call resolves, not written when it
   * throws. The engine's group commit carries the audit trail this way instead of a
   * transaction (and a durable sync) of its own. A run's own entries (`RunCommit.audit`) are
   * written only with that run's accepted commit; invalid entries of either kind throw
   * (`invalid_argument`) and nothing of the call is written.
   */
  commit(commits: readonly RunCommit[], audit?: readonly AuditEntry[]): Promise<CommitOutcome[]>;
  readHistory(run: RunKey, range?: ReadRange): Promise<HistoryEvent[]>;
  /** Head seq of a run, 0 when unknown. */
  headSeq(run: RunKey): Promise<number>;
}
