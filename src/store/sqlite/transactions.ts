/** The multi-statement write transactions of the SQLite store, built once per connection. */
import type Database from 'better-sqlite3';
import type {
  ActivityTask,
  AuditEntry,
  ClaimedTimer,
  ClaimTasksRequest,
  CommitOutcome,
  DeletePackageOutcome,
  PackageRecord,
  RunCommit,
} from '../contract/index.js';
import { applyCommit, EventWriter } from './commit.js';
import { claimedTimerFromRow, taskFromRow } from './rows.js';
import type { ScheduleTables } from './schedules.js';
import type { Statements } from './statements.js';

type Tx<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

export interface Transactions {
  /** Group commit; `data[i]` holds the encoded events of `commits[i]`. */
  readonly commit: Tx<
    (commits: readonly RunCommit[], data: readonly string[][]) => CommitOutcome[]
  >;
  /** Group commit with more writes in its transaction (the audit entries of the batch). */
  readonly commitWith: Tx<
    (commits: readonly RunCommit[], data: readonly string[][], also: () => void) => CommitOutcome[]
  >;
  readonly claimTimers: Tx<
    (owner: string, now: number, leaseMs: number, limit: number) => ClaimedTimer[]
  >;
  readonly claimTasks: Tx<(request: ClaimTasksRequest) => ActivityTask[]>;
  readonly expireLeases: Tx<
    (exceptOwner: string, now: number) => { readonly tasks: number; readonly timers: number }
  >;
  /** Returns whether the archive was inserted (false: that version was already stored). */
  readonly putPackage: Tx<(pkg: PackageRecord, routeTypes: readonly string[]) => boolean>;
  readonly deletePackage: Tx<(namespace: string, version: string) => DeletePackageOutcome>;
  readonly deleteOutbox: Tx<(namespace: string, ids: readonly string[]) => void>;
  readonly purge: Tx<(namespace: string, closedBefore: number, limit: number) => number>;
}

// eslint-disable-next-line max-lines-per-function -- a table of the write transactions, one short entry each over the shared statements
export function createTransactions(
  db: Database.Database,
  s: Statements,
  schedules: ScheduleTables,
  /** Audit entries into the open transaction (a run commit's own, see `RunCommit.audit`). */
  insertAudit: (entries: readonly AuditEntry[]) => void,
): Transactions {
  const writer = new EventWriter(s);
  const commit = (commits: readonly RunCommit[], data: readonly string[][]): CommitOutcome[] => {
    writer.reset();
    const outcomes = new Array<CommitOutcome>(commits.length);
    for (let i = 0; i < commits.length; i++) {
      outcomes[i] = applyCommit(s, writer, commits[i]!, data[i]!, schedules, insertAudit);
    }
    writer.flush();
    return outcomes;
  };
  return {
    commit: db.transaction(commit),
    commitWith: db.transaction(
      (commits: readonly RunCommit[], data: readonly string[][], also: () => void) => {
        const outcomes = commit(commits, data);
        also();
        return outcomes;
      },
    ),

    claimTimers: db.transaction((owner: string, now: number, leaseMs: number, limit: number) => {
      const rows = s.dueTimers.all(now, now, limit);
      const until = now + leaseMs;
      return rows.map((row) => {
        s.claimTimer.run(owner, until, row.rid);
        return claimedTimerFromRow(row, until);
      });
    }),

    claimTasks: db.transaction((r: ClaimTasksRequest) => {
      const types = r.activityTypes === undefined ? null : JSON.stringify(r.activityTypes);
      const rows = s.claimableTasks.all(
        r.namespace,
        r.taskQueue,
        r.now,
        r.now,
        types,
        types,
        r.limit,
      );
      const until = r.now + r.leaseMs;
      return rows.map((row) => {
        s.claimTask.run(r.owner, until, row.rid);
        return taskFromRow({
          ...row,
          attempt: row.lease_owner === null ? row.attempt : row.attempt + 1,
          lease_owner: r.owner,
          lease_until: until,
          deliveries: row.deliveries + 1,
        });
      });
    }),

    expireLeases: db.transaction((exceptOwner: string, now: number) => ({
      tasks: s.expireTaskLeases.run(now, exceptOwner, now).changes,
      timers: s.expireTimerClaims.run(now, exceptOwner, now).changes,
    })),

    putPackage: db.transaction((pkg: PackageRecord, routeTypes: readonly string[]) => {
      const a = pkg.archive;
      const archive = Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      const { changes } = s.insertPackage.run(
        pkg.namespace,
        pkg.version,
        archive,
        a.byteLength,
        pkg.manifest,
        pkg.deployedAt,
      );
      for (const type of routeTypes)
        s.upsertRoute.run(pkg.namespace, type, pkg.version, pkg.deployedAt);
      return changes === 1;
    }),

    deletePackage: db.transaction((namespace: string, version: string): DeletePackageOutcome => {
      if (s.packageExists.get(namespace, version) === undefined)
        return { deleted: false, reason: 'not_found' };
      const routed = s.routeHolder.get(namespace, version);
      if (routed !== undefined) return { deleted: false, reason: 'routed', holder: routed };
      const run = s.runHolder.get(namespace, version);
      if (run !== undefined) return { deleted: false, reason: 'pinned', holder: run };
      const message = s.outboxHolder.get(namespace, version);
      if (message !== undefined) return { deleted: false, reason: 'pinned', holder: message };
      s.deletePackage.run(namespace, version);
      return { deleted: true };
    }),

    deleteOutbox: db.transaction((namespace: string, ids: readonly string[]) => {
      for (const id of ids) s.deleteOutbox.run(namespace, id);
    }),

    purge: db.transaction((namespace: string, closedBefore: number, limit: number) => {
      const runIds = s.purgeable.all(namespace, closedBefore, limit);
      for (const runId of runIds) {
        s.deleteRunEvents.run(namespace, runId);
        s.deleteSearchAttrs.run(namespace, runId);
        s.deleteRunTimers.run(namespace, runId);
        s.deleteRunTasks.run(namespace, runId);
        s.deleteRunOutbox.run(namespace, runId);
        s.deleteRun.run(namespace, runId);
      }
      return runIds.length;
    }),
  };
}
