// The memory store: the `Store` facade over parts that each own their state (runs, timers,
// tasks, outbox, packages, schema, namespaces); it adds the closed check and the async shape.
import {
  AionError,
  resolveLimits,
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
  GroupByField,
  ListPage,
  ListRequest,
  NamespaceRecord,
  ApiKeyRecord,
  BatchJobProgress,
  BatchJobRecord,
  AuditEntry,
  AuditRecord,
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
  ScheduleFire,
  ScheduleRecord,
  ScheduleWrite,
  SearchAttributeDefinition,
  Store,
  TaskQueueStats,
  TimerRow,
  VisibilityExpr,
} from '../contract/index.js';
import type { NamespacePatch } from '../shared/index.js';
import { MemoryBatchJobs } from './batch-jobs.js';
import { MemoryCommits } from './commit.js';
import { MemoryNamespaces } from './namespaces.js';
import { MemorySecurity } from './security.js';
import { MemoryOutbox } from './outbox.js';
import { MemoryPackages } from './packages.js';
import { MemoryRuns } from './runs.js';
import { MemorySchedules } from './schedules.js';
import { MemorySearchAttributes } from './search-attributes.js';
import { MemoryTasks } from './tasks.js';
import { MemoryTimers } from './timers.js';
import { MemoryVisibility } from './visibility.js';

export interface MemoryStoreOptions {
  readonly limits?: Partial<Limits>;
}

/**
 * The reference store: every contract rule implemented in plain data structures. Events
 * are kept encoded, so what reads back is exactly what a SQL store would return. Nothing
 * survives the process.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly limits: Limits;
  readonly #runs = new MemoryRuns();
  readonly #timers = new MemoryTimers();
  readonly #tasks = new MemoryTasks();
  readonly #outbox = new MemoryOutbox();
  readonly #visibility = new MemoryVisibility(this.#runs);
  readonly #packages = new MemoryPackages(
    (namespace, version) =>
      this.#runs.pinnedTo(namespace, version) ?? this.#outbox.pinnedTo(namespace, version),
  );
  readonly #searchAttributes = new MemorySearchAttributes();
  readonly #namespaces = new MemoryNamespaces();
  readonly #security = new MemorySecurity();
  readonly #schedules = new MemorySchedules(this.#timers);
  readonly #batchJobs = new MemoryBatchJobs();
  readonly #commits: MemoryCommits;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    const parts = {
      runs: this.#runs,
      timers: this.#timers,
      tasks: this.#tasks,
      outbox: this.#outbox,
      schedules: this.#schedules,
      security: this.#security,
    };
    this.limits = resolveLimits(options.limits);
    this.#commits = new MemoryCommits(parts, this.limits);
  }

  #check(): void {
    if (this.#closed)
      throw new AionError('store_unavailable', 'the memory store is closed', { closed: true });
  }

  /** A part's synchronous answer as a promise; on a closed store the call throws. */
  #sync<T>(answer: () => T): Promise<T> {
    this.#check();
    return Promise.resolve(answer());
  }

  // ── history ─────────────────────────────────────────────────────────────────────────────

  append(run: RunKey, events: readonly HistoryEvent[], expectedSeq: number): Promise<void> {
    if (events.length === 0) {
      return Promise.reject(
        new AionError('invalid_history', `append to run ${run.runId} has no events`, {
          runId: run.runId,
        }),
      );
    }
    return this.commit([{ run, expectedSeq, events }]).then(([outcome]) => {
      if (outcome && !outcome.ok) throw outcome.error;
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async commit(
    commits: readonly RunCommit[],
    audit?: readonly AuditEntry[],
  ): Promise<CommitOutcome[]> {
    this.#check();
    if (audit === undefined || audit.length === 0) return this.#commits.commit(commits);
    // Validated first, so a refused entry writes nothing (as a transaction would).
    const insert = this.#security.auditInsert(audit);
    const outcomes = this.#commits.commit(commits);
    insert();
    return outcomes;
  }

  readHistory(run: RunKey, range: ReadRange = {}): Promise<HistoryEvent[]> {
    return this.#sync(() => this.#runs.readHistory(run, range));
  }

  headSeq(run: RunKey): Promise<number> {
    return this.#sync(() => this.#runs.headSeq(run));
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────

  getRun(run: RunKey): Promise<RunInfo | undefined> {
    return this.#sync(() => this.#runs.getRun(run));
  }

  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined> {
    return this.#sync(() => this.#runs.getCurrentRun(namespace, workflowId));
  }

  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]> {
    return this.#sync(() => this.#runs.getRunChain(namespace, workflowId));
  }

  listOpenRuns(request: {
    after?: { namespace: string; runId: string };
    limit: number;
    shards?: readonly number[];
  }): Promise<RunInfo[]> {
    return this.#sync(() => this.#runs.listOpenRuns(request));
  }

  // ── timers ──────────────────────────────────────────────────────────────────────────────

  claimDueTimers(request: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
    shards?: readonly number[];
  }): Promise<ClaimedTimer[]> {
    return this.#sync(() => this.#timers.claimDueTimers(request));
  }

  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void> {
    return this.#sync(() => this.#timers.deleteTimer(namespace, runId, timerId));
  }

  listTimers(run: RunKey): Promise<TimerRow[]> {
    return this.#sync(() => this.#timers.listTimers(run));
  }

  nextTimerAt(shards?: readonly number[]): Promise<number | undefined> {
    return this.#sync(() => this.#timers.nextTimerAt(shards));
  }

  // ── tasks ───────────────────────────────────────────────────────────────────────────────

  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]> {
    return this.#sync(() => this.#tasks.claimTasks(request));
  }

  extendTaskLease(request: ExtendTaskLeaseRequest): Promise<boolean> {
    return this.#sync(() => this.#tasks.extendTaskLease(request));
  }

  retryTask(request: RetryTaskRequest): Promise<boolean> {
    return this.#sync(() => this.#tasks.retryTask(request));
  }

  expireLeases(request: {
    exceptOwner: string;
    now: number;
    owners?: readonly string[];
  }): Promise<{ tasks: number; timers: number }> {
    const { exceptOwner, now, owners } = request;
    return this.#sync(() => ({
      tasks: this.#tasks.expireLeases(exceptOwner, now, owners),
      timers: this.#timers.expireClaims(exceptOwner, now, owners),
    }));
  }

  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined> {
    return this.#sync(() => this.#tasks.getTask(namespace, taskId));
  }

  listTasks(run: RunKey): Promise<ActivityTask[]> {
    return this.#sync(() => this.#tasks.listTasks(run));
  }

  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined> {
    return this.#sync(() => this.#tasks.nextTaskAt(namespace, taskQueue));
  }

  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]> {
    return this.#sync(() => this.#tasks.taskQueueStats(namespace, now));
  }

  // ── outbox ──────────────────────────────────────────────────────────────────────────────

  listOutbox(request: {
    after?: { namespace: string; id: string };
    limit: number;
    shards?: readonly number[];
  }): Promise<OutboxRow[]> {
    return this.#sync(() => this.#outbox.listOutbox(request));
  }

  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void> {
    return this.#sync(() => this.#outbox.deleteOutbox(namespace, ids));
  }

  // ── visibility ──────────────────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async listRuns(request: ListRequest): Promise<ListPage> {
    this.#check();
    return this.#visibility.listRuns(request);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async countRuns(namespace: string, where?: VisibilityExpr): Promise<number> {
    this.#check();
    return this.#visibility.countRuns(namespace, where);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async countRunGroups(
    namespace: string,
    groupBy: GroupByField,
    where?: VisibilityExpr,
  ): Promise<RunGroupCount[]> {
    this.#check();
    return this.#visibility.countRunGroups(namespace, groupBy, where);
  }

  // ── packages ────────────────────────────────────────────────────────────────────────────

  putPackage(pkg: PackageRecord, routeTypes: readonly string[]): Promise<{ inserted: boolean }> {
    return this.#sync(() => this.#packages.putPackage(pkg, routeTypes));
  }

  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined> {
    return this.#sync(() => this.#packages.getPackage(namespace, version));
  }

  listPackages(namespace: string): Promise<PackageSummary[]> {
    return this.#sync(() => this.#packages.listPackages(namespace));
  }

  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome> {
    return this.#sync(() => this.#packages.deletePackage(namespace, version));
  }

  setRoute(route: Route): Promise<void> {
    return this.#sync(() => this.#packages.setRoute(route));
  }

  listRoutes(namespace: string): Promise<Route[]> {
    return this.#sync(() => this.#packages.listRoutes(namespace));
  }

  // ── search attribute schema ─────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void> {
    this.#check();
    this.#searchAttributes.registerSearchAttributes(namespace, defs);
  }

  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]> {
    return this.#sync(() => this.#searchAttributes.listSearchAttributes(namespace));
  }

  // ── namespace registry ──────────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }> {
    this.#check();
    return this.#namespaces.createNamespace(record);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async updateNamespace(
    name: string,
    patch: NamespacePatch,
    now: number,
  ): Promise<NamespaceRecord> {
    this.#check();
    return this.#namespaces.updateNamespace(name, patch, now);
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return this.#sync(() => this.#namespaces.getNamespace(name));
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    return this.#sync(() => this.#namespaces.listNamespaces());
  }

  // ── retention ───────────────────────────────────────────────────────────────────────────

  purgeClosedRuns(request: {
    namespace: string;
    closedBefore: number;
    limit: number;
  }): Promise<number> {
    return this.#sync(() =>
      this.#runs.purgeClosedRuns(request, (run) => {
        // A purged run takes every row it owns with it, outbox rows included.
        this.#timers.dropRun(run.namespace, run.runId);
        this.#tasks.dropRun(run.namespace, run.runId);
        this.#outbox.dropRun(run.namespace, run.runId);
      }),
    );
  }

  // ── security ────────────────────────────────────────────────────────────────────────────

  /** Like #sync, but a throw (bad input) becomes a rejection. */
  #guard<T>(answer: () => T): Promise<T> {
    try {
      return this.#sync(answer);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  createApiKey(
    record: ApiKeyRecord,
    options?: { readonly onlyIfNone?: boolean },
  ): Promise<{ readonly created: boolean }> {
    return this.#guard(() => this.#security.createApiKey(record, options?.onlyIfNone === true));
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#guard(() => this.#security.getApiKey(id));
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#guard(() => this.#security.listApiKeys());
  }

  revokeApiKey(id: string, now: number): Promise<ApiKeyRecord | undefined> {
    return this.#guard(() => this.#security.revokeApiKey(id, now));
  }

  touchApiKey(id: string, usedAt: number): Promise<void> {
    return this.#guard(() => this.#security.touchApiKey(id, usedAt));
  }

  appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    return this.#guard(() => this.#security.appendAudit(entries));
  }

  readAudit(query: {
    readonly afterSeq?: number;
    readonly since?: number;
    readonly limit: number;
  }): Promise<AuditRecord[]> {
    return this.#guard(() => this.#security.readAudit(query));
  }

  pruneAudit(before: number, limit: number): Promise<number> {
    return this.#guard(() => this.#security.pruneAudit(before, limit));
  }

  listTokenSecrets(): Promise<TokenSecret[]> {
    return this.#guard(() => this.#security.listTokenSecrets());
  }

  addTokenSecret(
    secret: TokenSecret,
    options?: { readonly onlyIfNone?: boolean },
  ): Promise<{ readonly created: boolean }> {
    return this.#guard(() => this.#security.addTokenSecret(secret, options?.onlyIfNone === true));
  }

  retireTokenSecret(id: string, now: number): Promise<void> {
    return this.#guard(() => this.#security.retireTokenSecret(id, now));
  }

  // ── schedules ───────────────────────────────────────────────────────────────────────────

  writeSchedule(write: ScheduleWrite): Promise<void> {
    return this.#guard(() => this.#schedules.write(write));
  }

  getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    return this.#guard(() => this.#schedules.get(namespace, scheduleId));
  }

  listSchedules(request: {
    readonly namespace: string;
    readonly after?: string;
    readonly limit: number;
  }): Promise<ScheduleRecord[]> {
    return this.#guard(() => this.#schedules.list(request));
  }

  listScheduleFires(request: {
    readonly namespace: string;
    readonly scheduleId: string;
    readonly limit: number;
  }): Promise<ScheduleFire[]> {
    return this.#guard(() => this.#schedules.fires(request));
  }

  // ── batch jobs ──────────────────────────────────────────────────────────────────────────

  createBatchJob(job: BatchJobRecord): Promise<{ created: boolean; job: BatchJobRecord }> {
    return this.#guard(() => this.#batchJobs.create(job));
  }
  getBatchJob(namespace: string, jobId: string): Promise<BatchJobRecord | undefined> {
    return this.#guard(() => this.#batchJobs.get(namespace, jobId));
  }
  listBatchJobs(namespace: string, limit: number): Promise<BatchJobRecord[]> {
    return this.#guard(() => this.#batchJobs.list(namespace, limit));
  }
  updateBatchJob(ns: string, jobId: string, owner: string, p: BatchJobProgress) {
    return this.#guard(() => this.#batchJobs.update(ns, jobId, owner, p));
  }
  requestBatchJobStop(namespace: string, jobId: string): Promise<BatchJobRecord | undefined> {
    return this.#guard(() => this.#batchJobs.requestStop(namespace, jobId));
  }
  claimBatchJobs(owner: string, now: number, leaseUntil: number, limit: number) {
    return this.#guard(() => this.#batchJobs.claim(owner, now, leaseUntil, limit));
  }
  purgeBatchJobs(before: number, limit: number): Promise<number> {
    return this.#guard(() => this.#batchJobs.purge(before, limit));
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}
