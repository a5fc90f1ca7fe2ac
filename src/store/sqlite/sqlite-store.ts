import type Database from 'better-sqlite3';
import {
  decodeEvent,
  validateAppend,
  type HistoryEvent,
  type Limits,
  type RunKey,
} from '../../core/index.js';
import type {
  ActivityTask,
  ClaimedTimer,
  ClaimTasksRequest,
  CommitOutcome,
  DeletePackageOutcome,
  ExtendTaskLeaseRequest,
  ListPage,
  ListRequest,
  NamespaceRecord,
  ApiKeyRecord,
  AuditEntry,
  AuditRecord,
  BatchJobProgress,
  BatchJobRecord,
  TokenSecret,
  OutboxRow,
  PackageRecord,
  PackageSummary,
  ReadRange,
  RetryTaskRequest,
  Route,
  RunCommit,
  RunGroupCount,
  RunInfo,
  ScheduleWrite,
  SearchAttributeDefinition,
  Store,
  TimerRow,
  VisibilityExpr,
  TaskQueueStats,
} from '../contract/index.js';
import type { NamespacePatch } from '../shared/index.js';
import { rowToRunInfo } from '../sql/index.js';
import { prepareCommits } from './commit.js';
import { closedError, mapSqliteError } from './errors.js';
import { backupConnection, type BackupResult } from './backup.js';
import type { OwnerLock } from './lock.js';
import type { Ownership } from './ownership.js';
import { packageSummaryFromRow, routeFromRow, taskFromRow, timerFromRow } from './rows.js';
import { NamespaceRegistry } from './namespace-registry.js';
import { ScheduleTables, type ListFiresRequest, type ListSchedulesRequest } from './schedules.js';
import { SecurityTables } from './security.js';
import { BatchJobTables } from './batch-jobs.js';
import { SearchAttributeSchema } from './search-attribute-schema.js';
import { ShardedQueries } from './shards.js';
import { prepareStatements, type Statements } from './statements.js';
import { createTransactions, type Transactions } from './transactions.js';
import { VisibilityQueries } from './visibility.js';

/**
 * The SQLite store: one file, WAL journal, one writer connection. Every method runs
 * synchronously on that connection and returns a settled promise; write methods run in
 * `BEGIN IMMEDIATE` transactions so that connections in other processes (tools, tests)
 * serialise with it instead of failing on a stale snapshot. Open it with
 * {@link openSqliteStore}.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** The database file (or `:memory:`). */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #lock: OwnerLock | undefined;
  readonly #ownership: Ownership | undefined;
  readonly #limits: Limits;
  readonly #tx: Transactions;
  readonly #visibility: VisibilityQueries;
  readonly #searchAttributes: SearchAttributeSchema;
  readonly #namespaces: NamespaceRegistry;
  readonly #security: SecurityTables;
  readonly #batchJobs: BatchJobTables;
  readonly #schedules: ScheduleTables;
  readonly #sharded: ShardedQueries;
  #closed = false;

  /** @internal Use {@link openSqliteStore}. */
  constructor(
    db: Database.Database,
    owner: { readonly lock: OwnerLock | undefined; readonly ownership: Ownership | undefined },
    limits: Limits,
    path: string,
  ) {
    this.#db = db;
    this.#lock = owner.lock;
    this.#ownership = owner.ownership;
    this.#limits = limits;
    this.path = path;
    this.#s = prepareStatements(db);
    this.#schedules = new ScheduleTables(db);
    this.#security = new SecurityTables(db);
    this.#tx = createTransactions(db, this.#s, this.#schedules, this.#security.insertAudit);
    this.#sharded = new ShardedQueries(db, this.#s, this.#tx);
    this.#visibility = new VisibilityQueries(db);
    this.#searchAttributes = new SearchAttributeSchema(db);
    this.#namespaces = new NamespaceRegistry(db);
    this.#batchJobs = new BatchJobTables(db);
  }

  /** Runs `fn` on the connection and settles a promise with its result or mapped error. */
  #do<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(this.path));
    const lost = this.#ownership?.lost;
    if (lost) return Promise.reject(lost);
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(mapSqliteError(err, this.path));
    }
  }

  /** The limits enforced on every append and commit. */
  get limits(): Limits {
    return this.#limits;
  }

  // ── history ────────────────────────────────────────────────────────────────────────────

  append(run: RunKey, events: readonly HistoryEvent[], expectedSeq: number): Promise<void> {
    return this.#do(() => {
      if (events.length === 0) validateAppend(run.runId, events, expectedSeq, false); // throws: empty append
      const commits: RunCommit[] = [{ run, expectedSeq, events }];
      const outcome = this.#tx.commit.immediate(commits, prepareCommits(commits, this.#limits))[0]!;
      if (!outcome.ok) throw outcome.error;
    });
  }

  commit(commits: readonly RunCommit[], audit?: readonly AuditEntry[]): Promise<CommitOutcome[]> {
    return this.#do(() => {
      const data = prepareCommits(commits, this.#limits);
      if (audit !== undefined && audit.length > 0)
        return this.#tx.commitWith.immediate(commits, data, this.#security.auditInsert(audit));
      return commits.length === 0 ? [] : this.#tx.commit.immediate(commits, data);
    });
  }

  readHistory(run: RunKey, range?: ReadRange): Promise<HistoryEvent[]> {
    return this.#do(() => {
      const rows = this.#s.readEvents.all(
        run.namespace,
        run.runId,
        range?.fromSeq ?? 1,
        range?.toSeq ?? Number.MAX_SAFE_INTEGER,
        range?.limit ?? -1,
      );
      const events = new Array<HistoryEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [seq, data] = rows[i]!;
        events[i] = decodeEvent(data, { runId: run.runId, seq });
      }
      return events;
    });
  }

  headSeq(run: RunKey): Promise<number> {
    return this.#do(() => this.#s.headSeq.get(run.namespace, run.runId) ?? 0);
  }

  // ── runs ───────────────────────────────────────────────────────────────────────────────

  getRun(run: RunKey): Promise<RunInfo | undefined> {
    return this.#do(() => {
      const row = this.#s.getRun.get(run.namespace, run.runId);
      // A run key names its workflow too: a mismatched workflow id is an unknown run.
      return row === undefined || row.workflow_id !== run.workflowId
        ? undefined
        : rowToRunInfo(row);
    });
  }

  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined> {
    return this.#do(() => {
      const row =
        this.#s.openRun.get(namespace, workflowId) ?? this.#s.lastRun.get(namespace, workflowId);
      return row === undefined ? undefined : rowToRunInfo(row);
    });
  }

  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]> {
    return this.#do(() => this.#s.runChain.all(namespace, workflowId).map(rowToRunInfo));
  }

  listOpenRuns(request: Parameters<Store['listOpenRuns']>[0]): Promise<RunInfo[]> {
    return this.#do(() => this.#sharded.listOpenRuns(request));
  }

  // ── timers ─────────────────────────────────────────────────────────────────────────────

  claimDueTimers(request: Parameters<Store['claimDueTimers']>[0]): Promise<ClaimedTimer[]> {
    return this.#do(() => this.#sharded.claimDueTimers(request));
  }

  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void> {
    return this.#do(() => {
      this.#s.deleteTimer.run(namespace, runId, timerId);
    });
  }

  listTimers(run: RunKey): Promise<TimerRow[]> {
    return this.#do(() => this.#s.listTimers.all(run.namespace, run.runId).map(timerFromRow));
  }

  nextTimerAt(shards?: readonly number[]): Promise<number | undefined> {
    return this.#do(() => this.#sharded.nextTimerAt(shards));
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────────

  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]> {
    return this.#do(() => (request.limit <= 0 ? [] : this.#tx.claimTasks.immediate(request)));
  }

  expireLeases(
    request: Parameters<Store['expireLeases']>[0],
  ): Promise<{ readonly tasks: number; readonly timers: number }> {
    return this.#do(() => this.#sharded.expireLeases(request));
  }

  extendTaskLease(request: ExtendTaskLeaseRequest): Promise<boolean> {
    return this.#do(() => {
      const details =
        request.heartbeatDetails === undefined ? null : JSON.stringify(request.heartbeatDetails);
      const r = this.#s.extendLease.run(
        request.leaseUntil,
        details,
        request.now,
        request.namespace,
        request.taskId,
        request.owner,
        request.attempt ?? null,
      );
      return r.changes === 1;
    });
  }

  retryTask(request: RetryTaskRequest): Promise<boolean> {
    return this.#do(() => {
      const failure =
        request.lastFailure === undefined ? null : JSON.stringify(request.lastFailure);
      const r = this.#s.retryTask.run(
        request.attempt,
        request.visibleAt,
        failure,
        request.namespace,
        request.taskId,
        request.owner,
      );
      return r.changes === 1;
    });
  }

  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined> {
    return this.#do(() => {
      const row = this.#s.getTask.get(namespace, taskId);
      return row === undefined ? undefined : taskFromRow(row);
    });
  }

  listTasks(run: RunKey): Promise<ActivityTask[]> {
    return this.#do(() => this.#s.listTasks.all(run.namespace, run.runId).map(taskFromRow));
  }

  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined> {
    return this.#do(() => this.#s.nextTaskAt.get(namespace, taskQueue) ?? undefined);
  }

  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]> {
    return this.#do(() => this.#s.taskQueueStats.all(now, now, namespace));
  }

  // ── outbox ─────────────────────────────────────────────────────────────────────────────

  listOutbox(request: Parameters<Store['listOutbox']>[0]): Promise<OutboxRow[]> {
    return this.#do(() => this.#sharded.listOutbox(request));
  }

  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void> {
    return this.#do(() => {
      if (ids.length > 0) this.#tx.deleteOutbox.immediate(namespace, ids);
    });
  }

  // ── visibility ─────────────────────────────────────────────────────────────────────────

  listRuns(request: ListRequest): Promise<ListPage> {
    return this.#do(() => this.#visibility.list(request));
  }

  countRuns(namespace: string, where?: VisibilityExpr): Promise<number> {
    return this.#do(() => this.#visibility.count(namespace, where));
  }

  countRunGroups(...args: Parameters<Store['countRunGroups']>): Promise<RunGroupCount[]> {
    return this.#do(() => this.#visibility.countGroups(...args));
  }

  // ── packages ───────────────────────────────────────────────────────────────────────────

  putPackage(
    pkg: PackageRecord,
    routeTypes: readonly string[],
  ): Promise<{ readonly inserted: boolean }> {
    return this.#do(() => ({ inserted: this.#tx.putPackage.immediate(pkg, routeTypes) }));
  }

  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined> {
    return this.#do(() => {
      const row = this.#s.getPackage.get(namespace, version);
      if (row === undefined) return undefined;
      const b = row.archive;
      return {
        namespace: row.namespace,
        version: row.version,
        archive: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
        manifest: row.manifest,
        deployedAt: row.deployed_at,
      };
    });
  }

  listPackages(namespace: string): Promise<PackageSummary[]> {
    return this.#do(() => this.#s.listPackages.all(namespace).map(packageSummaryFromRow));
  }

  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome> {
    return this.#do(() => this.#tx.deletePackage.immediate(namespace, version));
  }

  setRoute(route: Route): Promise<void> {
    return this.#do(() => {
      this.#s.upsertRoute.run(route.namespace, route.workflowType, route.version, route.updatedAt);
    });
  }

  listRoutes(namespace: string): Promise<Route[]> {
    return this.#do(() => this.#s.listRoutes.all(namespace).map(routeFromRow));
  }

  // ── search attribute schema ────────────────────────────────────────────────────────────

  registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void> {
    return this.#do(() => this.#searchAttributes.register(namespace, defs));
  }

  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]> {
    return this.#do(() => this.#searchAttributes.list(namespace));
  }

  // ── namespace registry ─────────────────────────────────────────────────────────────────

  createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }> {
    return this.#do(() => this.#namespaces.create(record));
  }

  updateNamespace(name: string, patch: NamespacePatch, now: number): Promise<NamespaceRecord> {
    return this.#do(() => this.#namespaces.update(name, patch, now));
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return this.#do(() => this.#namespaces.get(name));
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    return this.#do(() => this.#namespaces.list());
  }

  // ── retention ──────────────────────────────────────────────────────────────────────────

  purgeClosedRuns(request: {
    readonly namespace: string;
    readonly closedBefore: number;
    readonly limit: number;
  }): Promise<number> {
    return this.#do(() =>
      request.limit <= 0
        ? 0
        : this.#tx.purge.immediate(request.namespace, request.closedBefore, request.limit),
    );
  }

  // ── security ───────────────────────────────────────────────────────────────────────────

  createApiKey(r: ApiKeyRecord, o?: { onlyIfNone?: boolean }): Promise<{ created: boolean }> {
    return this.#do(() => this.#security.createApiKey(r, o?.onlyIfNone === true));
  }
  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#do(() => this.#security.getApiKey(id));
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#do(() => this.#security.listApiKeys());
  }
  revokeApiKey(id: string, now: number): Promise<ApiKeyRecord | undefined> {
    return this.#do(() => this.#security.revokeApiKey(id, now));
  }
  touchApiKey(id: string, usedAt: number): Promise<void> {
    return this.#do(() => this.#security.touchApiKey(id, usedAt));
  }
  appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    return this.#do(() => this.#security.appendAudit(entries));
  }
  readAudit(q: { afterSeq?: number; since?: number; limit: number }): Promise<AuditRecord[]> {
    return this.#do(() => this.#security.readAudit(q));
  }
  pruneAudit(before: number, limit: number): Promise<number> {
    return this.#do(() => this.#security.pruneAudit(before, limit));
  }
  listTokenSecrets(): Promise<TokenSecret[]> {
    return this.#do(() => this.#security.listTokenSecrets());
  }
  addTokenSecret(s: TokenSecret, o?: { onlyIfNone?: boolean }): Promise<{ created: boolean }> {
    return this.#do(() => this.#security.addTokenSecret(s, o?.onlyIfNone === true));
  }
  retireTokenSecret(id: string, now: number): Promise<void> {
    return this.#do(() => this.#security.retireTokenSecret(id, now));
  }

  // ── schedules ──────────────────────────────────────────────────────────────────────────
  writeSchedule(write: ScheduleWrite): Promise<void> {
    return this.#do(() => this.#schedules.write(write));
  }
  getSchedule(namespace: string, scheduleId: string): ReturnType<Store['getSchedule']> {
    return this.#do(() => this.#schedules.get(namespace, scheduleId));
  }
  listSchedules(r: ListSchedulesRequest): ReturnType<Store['listSchedules']> {
    return this.#do(() => this.#schedules.list(r));
  }
  listScheduleFires(r: ListFiresRequest): ReturnType<Store['listScheduleFires']> {
    return this.#do(() => this.#schedules.fires(r));
  }

  // ── batch jobs ─────────────────────────────────────────────────────────────────────────
  createBatchJob(job: BatchJobRecord): ReturnType<Store['createBatchJob']> {
    return this.#do(() => this.#batchJobs.create(job));
  }
  getBatchJob(namespace: string, jobId: string): ReturnType<Store['getBatchJob']> {
    return this.#do(() => this.#batchJobs.get(namespace, jobId));
  }
  listBatchJobs(namespace: string, limit: number): ReturnType<Store['listBatchJobs']> {
    return this.#do(() => this.#batchJobs.list(namespace, limit));
  }
  updateBatchJob(ns: string, id: string, owner: string, p: BatchJobProgress) {
    return this.#do(() => this.#batchJobs.update(ns, id, owner, p));
  }
  requestBatchJobStop(namespace: string, jobId: string): ReturnType<Store['getBatchJob']> {
    return this.#do(() => this.#batchJobs.requestStop(namespace, jobId));
  }
  claimBatchJobs(owner: string, now: number, until: number, limit: number) {
    return this.#do(() => this.#batchJobs.claim(owner, now, until, limit));
  }
  purgeBatchJobs(before: number, limit: number): Promise<number> {
    return this.#do(() => this.#batchJobs.purge(before, limit));
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────

  /**
   * Copies the store to a new file `out` while it stays in use: SQLite's online backup,
   * a few pages at a time between the engine's own calls (whose writes reach the copy too),
   * written aside and renamed into place once complete. The copy carries no owner, so an
   * engine can open it at once. Fails with `invalid_argument` if `out` exists.
   */
  backup(out: string): Promise<BackupResult> {
    if (this.#closed) return Promise.reject(closedError(this.path));
    return backupConnection(this.#db, this.path, out);
  }

  /** Closes the connection and releases the owner row and lock. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    try {
      this.#visibility.clear();
      this.#ownership?.release();
      this.#db.close();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(mapSqliteError(err, this.path));
    } finally {
      this.#lock?.release();
    }
  }
}
