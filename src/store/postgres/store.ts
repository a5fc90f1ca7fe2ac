import {
  resolveLimits,
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
  ScheduleFire,
  ScheduleRecord,
  ScheduleStore,
  ScheduleWrite,
  SearchAttributeDefinition,
  Store,
  TimerRow,
  VisibilityExpr,
  GroupByField,
  TaskQueueStats,
} from '../contract/index.js';
import { validateAuditEntry, type NamespacePatch } from '../shared/index.js';
import { commitBatch, prevalidate } from './commit.js';
import { FAST_COMMIT_REFUSALS, fastCommit, PREPARED_COMMIT_MAX_RUNS } from './fast-commit.js';
import { PgDriver, quoteSchema } from './driver.js';
import { mapPgError } from './errors.js';
import { PgInbox } from './inbox.js';
import { inboxChannels } from './inbox-channels.js';
import type { ListenClientFactory } from './inbox-listener.js';
import { listenClientFactory } from './listen-client.js';
import { PgMembership } from './membership.js';
import { migrate } from './migrations.js';
import * as namespaces from './namespace-registry.js';
import * as schedules from './schedules.js';
import * as security from './security.js';
import * as batchJobs from './batch-jobs.js';
import { preparedStatements, queryTimeout, type PostgresStoreOptions } from './options.js';
import * as outbox from './outbox.js';
import * as packages from './packages.js';
import * as reads from './reads.js';
import { purgeClosedRuns } from './retention.js';
import * as searchAttributes from './search-attribute-schema.js';
import * as tasks from './tasks.js';
import * as timers from './timers.js';
import * as visibility from './visibility.js';

const DEFAULT_SCHEMA = 'aion';
const DEFAULT_POOL_SIZE = 10;

/**
 * Opens (and migrates) a PostgreSQL store.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ connectionString: 'postgres://aion@localhost:5432/aion' });
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(schema);
  const limits = resolveLimits(options.limits);
  const driver = PgDriver.create({
    schema,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    queryTimeoutMs: queryTimeout(options.queryTimeoutMs),
    preparedStatements: preparedStatements(options.preparedStatements),
    ...(options.connectionString !== undefined
      ? { connectionString: options.connectionString }
      : {}),
    ...(options.pool !== undefined ? { pool: options.pool } : {}),
  });
  try {
    await migrate(driver, schema, quoted);
  } catch (error) {
    await driver.close().catch(() => {});
    throw mapPgError(error, 'open');
  }
  return new PostgresStore(driver, schema, limits, listenClientFactory(options, driver));
}

/**
 * The PostgreSQL adapter of the store contract: a `pg` pool, every table in one schema,
 * group commit in one statement when it can (see fast-commit.ts), else in one READ COMMITTED
 * transaction, `FOR UPDATE SKIP LOCKED` queues. Create it with {@link openPostgresStore}.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** The schema holding the tables. */
  readonly schema: string;
  readonly #db: PgDriver;
  readonly #s: string;
  readonly #limits: Limits;
  /** Node rows and shard leases; fences every commit once the engine has claimed the shards. */
  readonly membership: PgMembership;
  /** Messages for the owners of shards (table `inbox`). */
  readonly inbox: PgInbox;
  /** NOTIFY channel of the inbox messages carried out (`RunCommit.inboxDone`). */
  readonly #doneChannel: string;

  /** @internal Use {@link openPostgresStore}, which migrates the schema first. */
  constructor(driver: PgDriver, schema: string, limits: Limits, listen?: ListenClientFactory) {
    this.#db = driver;
    this.schema = schema;
    this.#s = quoteSchema(schema);
    this.#limits = limits;
    this.membership = new PgMembership(driver, this.#s);
    const channels = inboxChannels(schema);
    this.#doneChannel = channels.done;
    this.inbox = new PgInbox(driver, this.#s, channels, { listen });
  }

  /** The limits enforced on every append and commit. */
  get limits(): Limits {
    return this.#limits;
  }

  // ── history ─────────────────────────────────────────────────────────────────────────────

  async append(run: RunKey, events: readonly HistoryEvent[], expectedSeq: number): Promise<void> {
    // A commit may carry only side effects; an append must carry events.
    if (events.length === 0) validateAppend(run.runId, events, expectedSeq, false);
    const [outcome] = await this.commit([{ run, expectedSeq, events }]);
    if (outcome && !outcome.ok) throw outcome.error;
  }

  async commit(
    commits: readonly RunCommit[],
    audit?: readonly AuditEntry[],
  ): Promise<CommitOutcome[]> {
    prevalidate(commits, this.#limits);
    const entries = audit !== undefined && audit.length > 0 ? audit : undefined;
    for (const e of entries ?? []) validateAuditEntry(e);
    // A cluster node's commits of shards it does not hold are refused without being sent.
    const away = this.membership.notHeld(commits.map((c) => c.run));
    if (away.size === 0 && commits.length > 0) return this.#commitHeld(commits, entries);
    const held = commits.filter((_, i) => !away.has(i));
    const outcomes = held.length > 0 ? await this.#commitHeld(held, entries) : [];
    if (held.length === 0 && entries) await this.appendAudit(entries);
    let next = 0;
    return commits.map((c, i) =>
      away.has(i)
        ? { ok: false as const, error: this.membership.shardMovedFor(c.run) }
        : outcomes[next++]!,
    );
  }

  async #commitHeld(
    commits: readonly RunCommit[],
    audit: readonly AuditEntry[] | undefined,
  ): Promise<CommitOutcome[]> {
    const runs = commits.map((c) => c.run);
    const fast = fastCommit(
      this.#s,
      commits,
      this.#doneChannel,
      (first) => this.membership.fenceSql(runs, first),
      audit,
    );
    if (
      fast !== undefined &&
      (await this.#db.tryStatement(
        fast.text,
        fast.values,
        FAST_COMMIT_REFUSALS,
        'commit',
        commits.length <= PREPARED_COMMIT_MAX_RUNS,
      ))
    ) {
      return fast.outcomes;
    }
    return this.#db.tx('commit', async (q) => {
      await this.membership.fence(q, runs);
      return commitBatch(q, this.#s, commits, this.#doneChannel, audit);
    });
  }

  readHistory(run: RunKey, range?: ReadRange): Promise<HistoryEvent[]> {
    return reads.readHistory(this.#db, this.#s, run, range);
  }

  headSeq(run: RunKey): Promise<number> {
    return reads.headSeq(this.#db, this.#s, run);
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────

  getRun(run: RunKey): Promise<RunInfo | undefined> {
    return reads.getRun(this.#db, this.#s, run);
  }

  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined> {
    return reads.getCurrentRun(this.#db, this.#s, namespace, workflowId);
  }

  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]> {
    return reads.getRunChain(this.#db, this.#s, namespace, workflowId);
  }

  listOpenRuns(request: {
    readonly after?: { readonly namespace: string; readonly runId: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  }): Promise<RunInfo[]> {
    return reads.listOpenRuns(this.#db, this.#s, request);
  }

  // ── timers ──────────────────────────────────────────────────────────────────────────────

  claimDueTimers(request: {
    readonly owner: string;
    readonly now: number;
    readonly leaseMs: number;
    readonly limit: number;
    readonly shards?: readonly number[];
  }): Promise<ClaimedTimer[]> {
    return timers.claimDueTimers(this.#db, this.#s, request);
  }

  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void> {
    return timers.deleteTimer(this.#db, this.#s, namespace, runId, timerId);
  }

  listTimers(run: RunKey): Promise<TimerRow[]> {
    return timers.listTimers(this.#db, this.#s, run);
  }

  nextTimerAt(shards?: readonly number[]): Promise<number | undefined> {
    return timers.nextTimerAt(this.#db, this.#s, shards);
  }

  // ── tasks ───────────────────────────────────────────────────────────────────────────────

  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]> {
    return tasks.claimTasks(this.#db, this.#s, request);
  }

  extendTaskLease(request: ExtendTaskLeaseRequest): Promise<boolean> {
    return tasks.extendTaskLease(this.#db, this.#s, request);
  }

  expireLeases(request: {
    readonly exceptOwner: string;
    readonly now: number;
    readonly owners?: readonly string[];
  }): Promise<{ readonly tasks: number; readonly timers: number }> {
    return tasks.expireLeases(this.#db, this.#s, request);
  }

  retryTask(request: RetryTaskRequest): Promise<boolean> {
    return tasks.retryTask(this.#db, this.#s, request);
  }

  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined> {
    return tasks.getTask(this.#db, this.#s, namespace, taskId);
  }

  listTasks(run: RunKey): Promise<ActivityTask[]> {
    return tasks.listTasks(this.#db, this.#s, run);
  }

  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined> {
    return tasks.nextTaskAt(this.#db, this.#s, namespace, taskQueue);
  }

  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]> {
    return tasks.taskQueueStats(this.#db, this.#s, namespace, now);
  }

  // ── outbox ──────────────────────────────────────────────────────────────────────────────

  listOutbox(request: {
    readonly after?: { readonly namespace: string; readonly id: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  }): Promise<OutboxRow[]> {
    return outbox.listOutbox(this.#db, this.#s, request);
  }

  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void> {
    return outbox.deleteOutbox(this.#db, this.#s, namespace, ids);
  }

  // ── visibility ──────────────────────────────────────────────────────────────────────────

  listRuns(request: ListRequest): Promise<ListPage> {
    return visibility.listRuns(this.#db, this.schema, request);
  }

  countRuns(namespace: string, where?: VisibilityExpr): Promise<number> {
    return visibility.countRuns(this.#db, this.schema, namespace, where);
  }

  countRunGroups(
    namespace: string,
    groupBy: GroupByField,
    where?: VisibilityExpr,
  ): Promise<RunGroupCount[]> {
    return visibility.countRunGroups(this.#db, this.schema, namespace, groupBy, where);
  }

  // ── packages ────────────────────────────────────────────────────────────────────────────

  putPackage(
    pkg: PackageRecord,
    routeTypes: readonly string[],
  ): Promise<{ readonly inserted: boolean }> {
    return packages.putPackage(this.#db, this.#s, pkg, routeTypes);
  }

  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined> {
    return packages.getPackage(this.#db, this.#s, namespace, version);
  }

  listPackages(namespace: string): Promise<PackageSummary[]> {
    return packages.listPackages(this.#db, this.#s, namespace);
  }

  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome> {
    return packages.deletePackage(this.#db, this.#s, namespace, version);
  }

  setRoute(route: Route): Promise<void> {
    return packages.setRoute(this.#db, this.#s, route);
  }

  listRoutes(namespace: string): Promise<Route[]> {
    return packages.listRoutes(this.#db, this.#s, namespace);
  }

  // ── search attribute schema ───────────────────────────────────────────────────────────

  registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void> {
    return searchAttributes.registerSearchAttributes(this.#db, this.#s, namespace, defs);
  }

  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]> {
    return searchAttributes.listSearchAttributes(this.#db, this.#s, namespace);
  }

  // ── namespace registry ────────────────────────────────────────────────────────────────

  createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }> {
    return namespaces.createNamespace(this.#db, this.#s, record);
  }

  updateNamespace(name: string, patch: NamespacePatch, now: number): Promise<NamespaceRecord> {
    return namespaces.updateNamespace(this.#db, this.#s, name, patch, now);
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    return namespaces.getNamespace(this.#db, this.#s, name);
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    return namespaces.listNamespaces(this.#db, this.#s);
  }

  // ── retention ───────────────────────────────────────────────────────────────────────────

  purgeClosedRuns(request: {
    readonly namespace: string;
    readonly closedBefore: number;
    readonly limit: number;
  }): Promise<number> {
    return purgeClosedRuns(this.#db, this.#s, request);
  }

  // ── security ───────────────────────────────────────────────────────────────────────────

  createApiKey(r: ApiKeyRecord, o?: { onlyIfNone?: boolean }): Promise<{ created: boolean }> {
    return security.createApiKey(this.#db, this.#s, r, o?.onlyIfNone === true);
  }
  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return security.getApiKey(this.#db, this.#s, id);
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return security.listApiKeys(this.#db, this.#s);
  }
  revokeApiKey(id: string, now: number): Promise<ApiKeyRecord | undefined> {
    return security.revokeApiKey(this.#db, this.#s, id, now);
  }
  touchApiKey(id: string, usedAt: number): Promise<void> {
    return security.touchApiKey(this.#db, this.#s, id, usedAt);
  }
  appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    return security.appendAudit(this.#db, this.#s, entries);
  }
  readAudit(q: { afterSeq?: number; since?: number; limit: number }): Promise<AuditRecord[]> {
    return security.readAudit(this.#db, this.#s, q);
  }
  pruneAudit(before: number, limit: number): Promise<number> {
    return security.pruneAudit(this.#db, this.#s, before, limit);
  }
  listTokenSecrets(): Promise<TokenSecret[]> {
    return security.listTokenSecrets(this.#db, this.#s);
  }
  addTokenSecret(s: TokenSecret, o?: { onlyIfNone?: boolean }): Promise<{ created: boolean }> {
    return security.addTokenSecret(this.#db, this.#s, s, o?.onlyIfNone === true);
  }
  retireTokenSecret(id: string, now: number): Promise<void> {
    return security.retireTokenSecret(this.#db, this.#s, id, now);
  }

  // ── schedules ──────────────────────────────────────────────────────────────────────────

  writeSchedule(write: ScheduleWrite): Promise<void> {
    const key = { namespace: write.namespace, workflowId: write.scheduleId, runId: '' };
    return schedules.writeSchedule(this.#db, this.#s, write, (q) =>
      this.membership.fence(q, [key]),
    );
  }
  getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    return schedules.getSchedule(this.#db, this.#s, namespace, scheduleId);
  }
  listSchedules(r: Parameters<ScheduleStore['listSchedules']>[0]): Promise<ScheduleRecord[]> {
    return schedules.listSchedules(this.#db, this.#s, r);
  }
  listScheduleFires(r: Parameters<ScheduleStore['listScheduleFires']>[0]): Promise<ScheduleFire[]> {
    return schedules.listScheduleFires(this.#db, this.#s, r);
  }

  // ── batch jobs ─────────────────────────────────────────────────────────────────────────

  createBatchJob(job: BatchJobRecord): Promise<{ created: boolean; job: BatchJobRecord }> {
    return batchJobs.createBatchJob(this.#db, this.#s, job);
  }
  getBatchJob(namespace: string, jobId: string): Promise<BatchJobRecord | undefined> {
    return batchJobs.getBatchJob(this.#db, this.#s, namespace, jobId);
  }
  listBatchJobs(namespace: string, limit: number): Promise<BatchJobRecord[]> {
    return batchJobs.listBatchJobs(this.#db, this.#s, namespace, limit);
  }
  updateBatchJob(namespace: string, jobId: string, owner: string, p: BatchJobProgress) {
    return batchJobs.updateBatchJob(this.#db, this.#s, { namespace, jobId, owner }, p);
  }
  requestBatchJobStop(namespace: string, jobId: string): Promise<BatchJobRecord | undefined> {
    return batchJobs.requestBatchJobStop(this.#db, this.#s, namespace, jobId);
  }
  claimBatchJobs(owner: string, now: number, leaseUntil: number, limit: number) {
    return batchJobs.claimBatchJobs(this.#db, this.#s, owner, { now, leaseUntil }, limit);
  }
  purgeBatchJobs(before: number, limit: number): Promise<number> {
    return batchJobs.purgeBatchJobs(this.#db, this.#s, before, limit);
  }

  /** Ends the store-owned pool (a caller's pool stays open). Later calls fail with store_unavailable. */
  async close(): Promise<void> {
    // A clean close hands the shards back at once (a kill leaves them to expire).
    await this.membership.release().catch(() => {});
    await this.inbox.close();
    return this.#db.close();
  }
}
