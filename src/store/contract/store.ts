// The composed store contract: the full `Store` every engine runs on, and the rules every
// adapter (memory, SQLite, PostgreSQL) follows and the shared conformance suite checks.
import type { Limits } from '../../core/index.js';
import type { BatchJobStore } from './batch-jobs.js';
import type { HistoryStore } from './history.js';
import type { NamespaceStore } from './namespaces.js';
import type { OutboxStore } from './outbox.js';
import type { PackageStore } from './packages.js';
import type { RetentionStore } from './retention.js';
import type { RunStore } from './runs.js';
import type { InboxStore } from './inbox.js';
import type { SharedStore } from './membership.js';
import type { ScheduleStore } from './schedules.js';
import type { SearchAttributeSchemaStore } from './search-attributes.js';
import type { SecurityStore } from './security.js';
import type { TaskStore } from './tasks.js';
import type { TimerStore } from './timers.js';
import type { VisibilityStore } from './visibility.js';

/**
 * The full store every engine runs on. Every adapter (memory, SQLite, PostgreSQL) implements
 * it and passes the shared conformance suite in `../conformance`.
 *
 * Rules every adapter follows:
 * - Writes are all-or-nothing per run commit; a stale `expectedSeq` raises or reports
 *   `SequenceConflictError{expected, actual}` and writes nothing for that run.
 * - Unknown runs read as empty (never "not found").
 * - Times are passed in by the engine (`now`, `recordedAt`, `fireAt`); stores never read the
 *   clock for anything replay can observe.
 * - Every key includes the namespace.
 * - Payloads and events are stored as opaque text, never re-parsed by the database.
 * - The visibility row of a run is a projection of its events (WorkflowStarted, terminal
 *   events, Paused/Resumed, SearchAttributesUpserted, MemoUpserted), maintained in the same
 *   transaction as the append.
 * - A run's first event must be `WorkflowStarted` (at seq 1); appending it creates the run and
 *   claims its workflow id: at most one open run per (namespace, workflowId) — a second start
 *   gets `WorkflowAlreadyStartedError` naming the open run, and writes nothing.
 * - A terminal event closes the run: in the same transaction its timers and activity tasks are
 *   deleted (outbox rows stay: they carry the close's own messages), and the workflow id is
 *   free for a new run.
 * - Leases (timer claims, task leases) are live while `now < until`; at `now >= until` the row
 *   is claimable again. A lease holder keeps its rights (extend, retry) until another claimer
 *   takes the row, even past expiry.
 * - Strings compare and sort in code-point order (SQLite BINARY, PostgreSQL COLLATE "C").
 * - `append` with no events is `invalid_history`; `commit` may carry no events (side effects
 *   only) for an existing run.
 * - Invalid input (bad seqs, missing WorkflowStarted, events after a terminal, over-limit
 *   history, empty-event commits to unknown runs) throws before anything of the call is
 *   written, also in a group commit.
 */
export interface Store
  extends
    HistoryStore,
    RunStore,
    TimerStore,
    TaskStore,
    OutboxStore,
    VisibilityStore,
    PackageStore,
    RetentionStore,
    NamespaceStore,
    SearchAttributeSchemaStore,
    SecurityStore,
    ScheduleStore,
    SharedStore,
    InboxStore,
    BatchJobStore {
  /** Adapter name: `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /**
   * The limits this store enforces on every append and commit (`maxHistoryLength`: the hard
   * cap of a run's history). The engine keeps runs below them, so their terminal events fit.
   */
  readonly limits: Limits;
  close(): Promise<void>;
}
