import {
  AionError,
  checkHistoryLength,
  decodeEvent,
  encodeEvent,
  isTerminalEventType,
  resolveLimits,
  SequenceConflictError,
  validateAppend,
  WorkflowAlreadyStartedError,
  type HistoryEvent,
  type Limits,
  type RunKey,
  type SearchAttributeType,
} from '../../core/index.js';
import type {
  ActivityTask,
  ClaimedTimer,
  ClaimTasksRequest,
  CommitOutcome,
  DeletePackageOutcome,
  ListPage,
  ListRequest,
  NamespaceRecord,
  OutboxRow,
  PackageRecord,
  PackageSummary,
  ReadRange,
  RetryTaskRequest,
  Route,
  RunCommit,
  RunInfo,
  SearchAttributeDefinition,
  Store,
  TimerRow,
  VisibilityExpr,
  TaskQueueStats,
} from '../contract/index.js';
import { compareStrings, evaluateExpr, validateExpr } from '../shared/expr.js';
import {
  cursorAfter,
  decodeCursor,
  resolveOrder,
  resolvePageSize,
  sortValue,
} from '../shared/cursor.js';
import {
  applyNamespacePatch,
  namespaceNotFound,
  validateNamespaceRecord,
  validateNamespaceUpdate,
  type NamespacePatch,
} from '../shared/namespaces.js';
import { projectRun } from '../shared/projection.js';
import { planSearchAttributeRegistration } from '../shared/search-attribute-rules.js';
import { validateCommit } from '../shared/validate.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface RunState {
  info: RunInfo;
  /** Events stored as encoded text, exactly as SQL stores keep them. */
  events: string[];
  rowId: number;
}

interface TimerState extends TimerRow {
  claimOwner?: string;
  claimUntil?: number;
}

const k = (...parts: string[]): string => parts.join('\u0000');

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
  readonly #limits: Limits;
  readonly #runs = new Map<string, RunState>();
  readonly #openByWorkflow = new Map<string, string>();
  readonly #chains = new Map<string, string[]>();
  readonly #timers = new Map<string, TimerState>();
  readonly #tasks = new Map<string, Mutable<ActivityTask>>();
  readonly #outbox = new Map<string, OutboxRow>();
  readonly #packages = new Map<string, PackageRecord>();
  readonly #routes = new Map<string, Route>();
  /** namespace → name → type. */
  readonly #searchAttributes = new Map<string, Map<string, SearchAttributeType>>();
  /** name → record; callers get copies, as from a SQL store. */
  readonly #namespaces = new Map<string, NamespaceRecord>();
  #nextRowId = 1;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#limits = resolveLimits(options.limits);
  }

  #check(): void {
    if (this.#closed) throw new AionError('store_unavailable', 'the memory store is closed');
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
  async commit(commits: readonly RunCommit[]): Promise<CommitOutcome[]> {
    {
      this.#check();
      // Validate everything first: invalid input writes nothing of the call.
      const heads = new Map<string, { seq: number; closed: boolean; exists: boolean }>();
      for (const c of commits) {
        validateCommit(c, this.#limits);
        const key = k(c.run.namespace, c.run.runId);
        const state = this.#runs.get(key);
        const head = heads.get(key) ?? {
          seq: state?.info.headSeq ?? 0,
          closed: state?.info.closeTime !== undefined,
          exists: state !== undefined,
        };
        if (c.events.length === 0) {
          if (!head.exists) {
            throw new AionError(
              'invalid_history',
              `commit without events to unknown run ${c.run.runId}`,
              { runId: c.run.runId },
            );
          }
          continue;
        }
        // Validate against the expected seq; a stale expectation is a conflict, reported later.
        validateAppend(
          c.run.runId,
          c.events,
          c.expectedSeq,
          c.expectedSeq === head.seq && head.closed,
        );
        checkHistoryLength(c.expectedSeq + c.events.length, this.#limits, c.run.runId);
        if (c.expectedSeq === head.seq) {
          heads.set(key, {
            seq: head.seq + c.events.length,
            closed: head.closed || c.events.some((e) => isTerminalEventType(e.type)),
            exists: true,
          });
        }
      }
      return commits.map((c) => this.#applyCommit(c));
    }
  }

  #applyCommit(c: RunCommit): CommitOutcome {
    const { run } = c;
    const key = k(run.namespace, run.runId);
    const state = this.#runs.get(key);
    const head = state?.info.headSeq ?? 0;
    if (head !== c.expectedSeq)
      return { ok: false, error: new SequenceConflictError(run.runId, c.expectedSeq, head) };
    const wfKey = k(run.namespace, run.workflowId);
    if (state === undefined) {
      const open = this.#openByWorkflow.get(wfKey);
      if (open !== undefined) {
        return {
          ok: false,
          error: new WorkflowAlreadyStartedError(run.namespace, run.workflowId, open),
        };
      }
    }
    let current: RunState;
    if (c.events.length > 0) {
      const info = projectRun(run, state?.info, c.events);
      const encoded = c.events.map(encodeEvent);
      if (state === undefined) {
        current = { info, events: encoded, rowId: this.#nextRowId++ };
        this.#runs.set(key, current);
        const chain = this.#chains.get(wfKey) ?? [];
        chain.push(run.runId);
        this.#chains.set(wfKey, chain);
        this.#openByWorkflow.set(wfKey, run.runId);
      } else {
        current = state;
        current.info = info;
        current.events.push(...encoded);
      }
    } else {
      current = state!;
    }
    this.#applySideEffects(c, current);
    if (current.info.closeTime !== undefined) {
      if (this.#openByWorkflow.get(wfKey) === run.runId) this.#openByWorkflow.delete(wfKey);
      this.#dropRunRows(run.namespace, run.runId, false);
    }
    return { ok: true, headSeq: current.info.headSeq };
  }

  #applySideEffects(c: RunCommit, state: RunState): void {
    const ns = c.run.namespace;
    for (const t of c.timers?.upsert ?? [])
      this.#timers.set(k(ns, c.run.runId, t.timerId), { ...t });
    for (const id of c.timers?.cancel ?? []) this.#timers.delete(k(ns, c.run.runId, id));
    for (const t of c.tasks?.enqueue ?? [])
      // A task enqueued already leased is delivered right after the commit: deliveries 1.
      this.#tasks.set(k(ns, t.taskId), { ...t, deliveries: t.leaseOwner === undefined ? 0 : 1 });
    for (const id of c.tasks?.remove ?? []) this.#tasks.delete(k(ns, id));
    for (const o of c.outbox?.add ?? []) this.#outbox.set(k(ns, o.id), { ...o });
    for (const id of c.outbox?.remove ?? []) this.#outbox.delete(k(ns, id));
    if (c.visibility?.stuck !== undefined && state.info.closeTime === undefined) {
      const info: Mutable<RunInfo> = { ...state.info };
      if (c.visibility.stuck === null) delete info.stuck;
      else info.stuck = { ...c.visibility.stuck };
      state.info = info;
    }
  }

  /** Deletes a run's timers and tasks (on close), and with `all` its outbox rows too (purge). */
  #dropRunRows(namespace: string, runId: string, all: boolean): void {
    for (const [key, t] of this.#timers)
      if (t.namespace === namespace && t.runId === runId) this.#timers.delete(key);
    for (const [key, t] of this.#tasks)
      if (t.namespace === namespace && t.runId === runId) this.#tasks.delete(key);
    if (all) {
      for (const [key, o] of this.#outbox)
        if (o.namespace === namespace && o.runId === runId) this.#outbox.delete(key);
    }
  }

  readHistory(run: RunKey, range: ReadRange = {}): Promise<HistoryEvent[]> {
    this.#check();
    const state = this.#runs.get(k(run.namespace, run.runId));
    if (!state) return Promise.resolve([]);
    const from = Math.max(1, range.fromSeq ?? 1);
    const to = Math.min(state.events.length, range.toSeq ?? state.events.length);
    const out: HistoryEvent[] = [];
    for (
      let seq = from;
      seq <= to && (range.limit === undefined || out.length < range.limit);
      seq++
    ) {
      out.push(decodeEvent(state.events[seq - 1]!, { runId: run.runId, seq }));
    }
    return Promise.resolve(out);
  }

  headSeq(run: RunKey): Promise<number> {
    this.#check();
    return Promise.resolve(this.#runs.get(k(run.namespace, run.runId))?.info.headSeq ?? 0);
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────

  getRun(run: RunKey): Promise<RunInfo | undefined> {
    this.#check();
    const info = this.#runs.get(k(run.namespace, run.runId))?.info;
    return Promise.resolve(info?.workflowId === run.workflowId ? info : undefined);
  }

  getCurrentRun(namespace: string, workflowId: string): Promise<RunInfo | undefined> {
    this.#check();
    const wfKey = k(namespace, workflowId);
    const open = this.#openByWorkflow.get(wfKey);
    const chain = this.#chains.get(wfKey);
    const runId = open ?? chain?.[chain.length - 1];
    return Promise.resolve(
      runId === undefined ? undefined : this.#runs.get(k(namespace, runId))?.info,
    );
  }

  getRunChain(namespace: string, workflowId: string): Promise<RunInfo[]> {
    this.#check();
    const chain = this.#chains.get(k(namespace, workflowId)) ?? [];
    return Promise.resolve(chain.map((id) => this.#runs.get(k(namespace, id))!.info));
  }

  listOpenRuns(request: {
    after?: { namespace: string; runId: string };
    limit: number;
  }): Promise<RunInfo[]> {
    this.#check();
    const after = request.after;
    const open = [...this.#runs.values()]
      .map((s) => s.info)
      .filter((i) => i.closeTime === undefined)
      .filter(
        (i) =>
          !after || compareStrings(k(i.namespace, i.runId), k(after.namespace, after.runId)) > 0,
      )
      .sort((a, b) => compareStrings(k(a.namespace, a.runId), k(b.namespace, b.runId)));
    return Promise.resolve(open.slice(0, request.limit));
  }

  // ── timers ──────────────────────────────────────────────────────────────────────────────

  claimDueTimers(request: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
  }): Promise<ClaimedTimer[]> {
    this.#check();
    const due = [...this.#timers.values()]
      .filter(
        (t) =>
          t.fireAt <= request.now && (t.claimUntil === undefined || t.claimUntil <= request.now),
      )
      .sort(
        (a, b) =>
          a.fireAt - b.fireAt ||
          compareStrings(k(a.namespace, a.runId, a.timerId), k(b.namespace, b.runId, b.timerId)),
      )
      .slice(0, request.limit);
    const claimUntil = request.now + request.leaseMs;
    return Promise.resolve(
      due.map((t) => {
        t.claimOwner = request.owner;
        t.claimUntil = claimUntil;
        return { ...stripTimer(t), claimUntil };
      }),
    );
  }

  deleteTimer(namespace: string, runId: string, timerId: string): Promise<void> {
    this.#check();
    this.#timers.delete(k(namespace, runId, timerId));
    return Promise.resolve();
  }

  listTimers(run: RunKey): Promise<TimerRow[]> {
    this.#check();
    const rows = [...this.#timers.values()]
      .filter((t) => t.namespace === run.namespace && t.runId === run.runId)
      .sort((a, b) => a.fireAt - b.fireAt || compareStrings(a.timerId, b.timerId))
      .map(stripTimer);
    return Promise.resolve(rows);
  }

  nextTimerAt(): Promise<number | undefined> {
    this.#check();
    let min: number | undefined;
    for (const t of this.#timers.values()) {
      const at = Math.max(t.fireAt, t.claimUntil ?? 0);
      if (min === undefined || at < min) min = at;
    }
    return Promise.resolve(min);
  }

  // ── tasks ───────────────────────────────────────────────────────────────────────────────

  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]> {
    this.#check();
    const types = request.activityTypes ? new Set(request.activityTypes) : undefined;
    const claimable = [...this.#tasks.values()]
      .filter(
        (t) =>
          t.namespace === request.namespace &&
          t.taskQueue === request.taskQueue &&
          t.visibleAt <= request.now &&
          (t.leaseUntil === undefined || t.leaseUntil <= request.now) &&
          (types === undefined || types.has(t.activityType)),
      )
      .sort((a, b) => a.visibleAt - b.visibleAt || compareStrings(a.taskId, b.taskId))
      .slice(0, request.limit);
    return Promise.resolve(
      claimable.map((t) => {
        // A lease that expired without retryTask means the attempt was lost: count the next one.
        if (t.leaseOwner !== undefined) t.attempt += 1;
        t.leaseOwner = request.owner;
        t.leaseUntil = request.now + request.leaseMs;
        t.deliveries += 1;
        return { ...t };
      }),
    );
  }

  extendTaskLease(request: {
    namespace: string;
    taskId: string;
    owner: string;
    leaseUntil: number;
    heartbeatDetails?: ActivityTask['heartbeatDetails'];
    now: number;
  }): Promise<boolean> {
    this.#check();
    const t = this.#tasks.get(k(request.namespace, request.taskId));
    if (!t || t.leaseOwner !== request.owner) return Promise.resolve(false);
    t.leaseUntil = request.leaseUntil;
    t.lastHeartbeatAt = request.now;
    if (request.heartbeatDetails !== undefined) t.heartbeatDetails = request.heartbeatDetails;
    return Promise.resolve(true);
  }

  retryTask(request: RetryTaskRequest): Promise<boolean> {
    this.#check();
    const t = this.#tasks.get(k(request.namespace, request.taskId));
    if (!t || t.leaseOwner !== request.owner) return Promise.resolve(false);
    delete t.leaseOwner;
    delete t.leaseUntil;
    t.attempt = request.attempt;
    t.visibleAt = request.visibleAt;
    if (request.lastFailure !== undefined) t.lastFailure = request.lastFailure;
    return Promise.resolve(true);
  }

  expireLeases(request: {
    exceptOwner: string;
    now: number;
  }): Promise<{ tasks: number; timers: number }> {
    this.#check();
    let tasks = 0;
    let timers = 0;
    for (const t of this.#tasks.values()) {
      if (
        t.leaseOwner !== undefined &&
        t.leaseOwner !== request.exceptOwner &&
        (t.leaseUntil ?? 0) > request.now
      ) {
        t.leaseUntil = request.now;
        tasks++;
      }
    }
    for (const t of this.#timers.values()) {
      if (
        t.claimOwner !== undefined &&
        t.claimOwner !== request.exceptOwner &&
        (t.claimUntil ?? 0) > request.now
      ) {
        t.claimUntil = request.now;
        timers++;
      }
    }
    return Promise.resolve({ tasks, timers });
  }

  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined> {
    this.#check();
    const t = this.#tasks.get(k(namespace, taskId));
    return Promise.resolve(t ? { ...t } : undefined);
  }

  listTasks(run: RunKey): Promise<ActivityTask[]> {
    this.#check();
    const rows = [...this.#tasks.values()]
      .filter((t) => t.namespace === run.namespace && t.runId === run.runId)
      .sort((a, b) => a.scheduledSeq - b.scheduledSeq)
      .map((t) => ({ ...t }));
    return Promise.resolve(rows);
  }

  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined> {
    this.#check();
    let min: number | undefined;
    for (const t of this.#tasks.values()) {
      if (t.namespace !== namespace || t.taskQueue !== taskQueue) continue;
      const at = Math.max(t.visibleAt, t.leaseUntil ?? 0);
      if (min === undefined || at < min) min = at;
    }
    return Promise.resolve(min);
  }

  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]> {
    this.#check();
    const byQueue = new Map<string, { backlog: number; running: number; scheduled: number }>();
    for (const t of this.#tasks.values()) {
      if (t.namespace !== namespace) continue;
      const q = byQueue.get(t.taskQueue) ?? { backlog: 0, running: 0, scheduled: 0 };
      if (t.leaseUntil !== undefined && t.leaseUntil > now) q.running++;
      else if (t.visibleAt > now) q.scheduled++;
      else q.backlog++;
      byQueue.set(t.taskQueue, q);
    }
    return Promise.resolve(
      [...byQueue.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([taskQueue, c]) => ({ taskQueue, ...c })),
    );
  }

  // ── outbox ──────────────────────────────────────────────────────────────────────────────

  listOutbox(request: {
    after?: { namespace: string; id: string };
    limit: number;
  }): Promise<OutboxRow[]> {
    this.#check();
    const after = request.after;
    const rows = [...this.#outbox.values()]
      .filter(
        (o) => !after || compareStrings(k(o.namespace, o.id), k(after.namespace, after.id)) > 0,
      )
      .sort((a, b) => compareStrings(k(a.namespace, a.id), k(b.namespace, b.id)))
      .slice(0, request.limit)
      .map((o) => ({ ...o }));
    return Promise.resolve(rows);
  }

  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void> {
    this.#check();
    for (const id of ids) this.#outbox.delete(k(namespace, id));
    return Promise.resolve();
  }

  // ── visibility ──────────────────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async listRuns(request: ListRequest): Promise<ListPage> {
    {
      this.#check();
      const pageSize = resolvePageSize(request.pageSize);
      const order = resolveOrder(request);
      if (request.where) validateExpr(request.where);
      const sign = order.direction === 'ASC' ? 1 : -1;
      const compare = (a: RunInfo, b: RunInfo): number =>
        sign *
        (cmpSort(sortValue(a, order.field), sortValue(b, order.field)) ||
          compareStrings(a.runId, b.runId));
      let rows = this.#matching(request.namespace, request.where).sort(compare);
      if (request.cursor !== undefined) {
        const pos = decodeCursor(request.cursor, order);
        rows = rows.filter(
          (r) =>
            sign *
              (cmpSort(sortValue(r, order.field), pos.value) ||
                compareStrings(r.runId, pos.runId)) >
            0,
        );
      }
      const items = rows.slice(0, pageSize);
      const page: { items: RunInfo[]; nextCursor?: string } = { items };
      if (rows.length > pageSize) page.nextCursor = cursorAfter(items[items.length - 1]!, order);
      return page;
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async countRuns(namespace: string, where?: VisibilityExpr): Promise<number> {
    this.#check();
    if (where) validateExpr(where);
    return this.#matching(namespace, where).length;
  }

  #matching(namespace: string, where: VisibilityExpr | undefined): RunInfo[] {
    const out: RunInfo[] = [];
    for (const s of this.#runs.values()) {
      if (s.info.namespace === namespace && (!where || evaluateExpr(where, s.info)))
        out.push(s.info);
    }
    return out;
  }

  // ── packages ────────────────────────────────────────────────────────────────────────────

  putPackage(pkg: PackageRecord, routeTypes: readonly string[]): Promise<{ inserted: boolean }> {
    this.#check();
    const key = k(pkg.namespace, pkg.version);
    const inserted = !this.#packages.has(key);
    if (inserted) this.#packages.set(key, { ...pkg, archive: new Uint8Array(pkg.archive) });
    for (const workflowType of routeTypes) {
      this.#routes.set(k(pkg.namespace, workflowType), {
        namespace: pkg.namespace,
        workflowType,
        version: pkg.version,
        updatedAt: pkg.deployedAt,
      });
    }
    return Promise.resolve({ inserted });
  }

  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined> {
    this.#check();
    const pkg = this.#packages.get(k(namespace, version));
    return Promise.resolve(pkg ? { ...pkg, archive: new Uint8Array(pkg.archive) } : undefined);
  }

  listPackages(namespace: string): Promise<PackageSummary[]> {
    this.#check();
    const rows = [...this.#packages.values()]
      .filter((p) => p.namespace === namespace)
      .sort((a, b) => a.deployedAt - b.deployedAt || compareStrings(a.version, b.version))
      .map(({ archive, ...rest }) => ({ ...rest, size: archive.byteLength }));
    return Promise.resolve(rows);
  }

  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome> {
    this.#check();
    const key = k(namespace, version);
    if (!this.#packages.has(key)) return Promise.resolve({ deleted: false, reason: 'not_found' });
    for (const r of this.#routes.values()) {
      if (r.namespace === namespace && r.version === version) {
        return Promise.resolve({ deleted: false, reason: 'routed', holder: r.workflowType });
      }
    }
    for (const s of this.#runs.values()) {
      const i = s.info;
      if (i.namespace === namespace && i.version === version && i.closeTime === undefined) {
        return Promise.resolve({ deleted: false, reason: 'pinned', holder: i.runId });
      }
    }
    for (const o of this.#outbox.values()) {
      if (o.namespace === namespace && o.version === version) {
        return Promise.resolve({ deleted: false, reason: 'pinned', holder: o.id });
      }
    }
    this.#packages.delete(key);
    return Promise.resolve({ deleted: true });
  }

  setRoute(route: Route): Promise<void> {
    this.#check();
    this.#routes.set(k(route.namespace, route.workflowType), { ...route });
    return Promise.resolve();
  }

  listRoutes(namespace: string): Promise<Route[]> {
    this.#check();
    const rows = [...this.#routes.values()]
      .filter((r) => r.namespace === namespace)
      .sort((a, b) => compareStrings(a.workflowType, b.workflowType))
      .map((r) => ({ ...r }));
    return Promise.resolve(rows);
  }

  // ── search attribute schema ─────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async registerSearchAttributes(
    namespace: string,
    defs: readonly SearchAttributeDefinition[],
  ): Promise<void> {
    this.#check();
    const existing =
      this.#searchAttributes.get(namespace) ?? new Map<string, SearchAttributeType>();
    const added = planSearchAttributeRegistration(existing, defs);
    if (added.length === 0) return;
    for (const def of added) existing.set(def.name, def.type);
    this.#searchAttributes.set(namespace, existing);
  }

  listSearchAttributes(namespace: string): Promise<SearchAttributeDefinition[]> {
    this.#check();
    const defs = [...(this.#searchAttributes.get(namespace) ?? [])]
      .map(([name, type]) => ({ name, type }))
      .sort((a, b) => compareStrings(a.name, b.name));
    return Promise.resolve(defs);
  }

  // ── namespace registry ──────────────────────────────────────────────────────────────────

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async createNamespace(record: NamespaceRecord): Promise<{ readonly created: boolean }> {
    this.#check();
    validateNamespaceRecord(record);
    if (this.#namespaces.has(record.name)) return { created: false };
    this.#namespaces.set(record.name, namespaceCopy(record));
    return { created: true };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so throws become rejections
  async updateNamespace(
    name: string,
    patch: NamespacePatch,
    now: number,
  ): Promise<NamespaceRecord> {
    this.#check();
    validateNamespaceUpdate(name, patch, now);
    const existing = this.#namespaces.get(name);
    if (existing === undefined) {
      throw namespaceNotFound(name);
    }
    const updated = applyNamespacePatch(existing, patch, now);
    this.#namespaces.set(name, updated);
    return { ...updated };
  }

  getNamespace(name: string): Promise<NamespaceRecord | undefined> {
    this.#check();
    const record = this.#namespaces.get(name);
    return Promise.resolve(record === undefined ? undefined : { ...record });
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    this.#check();
    const all = [...this.#namespaces.values()]
      .sort((a, b) => compareStrings(a.name, b.name))
      .map((r) => ({ ...r }));
    return Promise.resolve(all);
  }

  // ── retention ───────────────────────────────────────────────────────────────────────────

  purgeClosedRuns(request: {
    namespace: string;
    closedBefore: number;
    limit: number;
  }): Promise<number> {
    this.#check();
    let purged = 0;
    for (const [key, s] of this.#runs) {
      if (purged >= request.limit) break;
      const i = s.info;
      if (
        i.namespace !== request.namespace ||
        i.closeTime === undefined ||
        i.closeTime >= request.closedBefore
      )
        continue;
      this.#runs.delete(key);
      const wfKey = k(i.namespace, i.workflowId);
      const chain = this.#chains.get(wfKey)?.filter((id) => id !== i.runId) ?? [];
      if (chain.length === 0) this.#chains.delete(wfKey);
      else this.#chains.set(wfKey, chain);
      this.#dropRunRows(i.namespace, i.runId, true);
      purged++;
    }
    return Promise.resolve(purged);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

function cmpSort(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return compareStrings(String(a), String(b));
}

/** Only the record's own fields: the caller's object may carry more, or change later. */
function namespaceCopy(r: NamespaceRecord): NamespaceRecord {
  return {
    name: r.name,
    description: r.description,
    retentionMs: r.retentionMs,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function stripTimer(t: TimerState): TimerRow {
  const { claimOwner: _o, claimUntil: _u, ...row } = t;
  return row;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}
