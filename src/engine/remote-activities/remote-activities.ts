// Registry of connected remote workers and dispatcher of their task queues: claims within
// each worker's slots and the queue's limits, and slots reserved in scheduling commits.
import type { Clock } from '../../clock/index.js';
import { AionError } from '../../core/index.js';
import type { ActivityTask, Store } from '../../store/index.js';
import type { ActivityService } from '../activity-service/index.js';
import { Poller } from '../poller.js';
import { RemoteAttempts } from './attempts.js';
import { validateQueueOptions } from './queue-options.js';
import {
  newQueueState,
  queueSnapshot,
  workerSnapshot,
  type Conn,
  type QueueState,
} from './state.js';
import type {
  TaskQueueOptions,
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSession,
  WorkerSink,
  WorkerSnapshot,
} from './types.js';

const CLAIM_LEASE_MS = 5 * 60_000;
const IDLE_POLL_MS = 1000;

/** How long a slot reserved for a task being scheduled is held for its commit. */
const RESERVATION_MS = 5000;

/**
 * Remote-worker registry and dispatcher of one engine (one namespace). Claims tasks of the
 * queues and types connected workers serve, within each worker's advertised concurrency and
 * the queue's limits, and runs them through the activity service as an `AttemptRunner`: the
 * retry policy, lease renewal and recording are the same as for in-process attempts. The
 * start-to-close and heartbeat timeouts are enforced on the engine's clock (see
 * `RemoteAttempts`), because the worker may be gone.
 */
export class RemoteActivities {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #namespace: string;
  readonly #activities: ActivityService;
  readonly #queueOptions: Readonly<Record<string, TaskQueueOptions>>;
  readonly #conns = new Map<string, Conn>();
  readonly #queues = new Map<string, QueueState>();
  readonly #attempts: RemoteAttempts;
  readonly #poller: Poller;
  /** Slots reserved for tasks in their scheduling commit, by task id. */
  readonly #reserved = new Map<string, { queue: string; at: number }>();
  #nextId = 1;
  #stopped = false;
  readonly #idlePollMs: number | undefined;

  constructor(options: {
    store: Store;
    clock: Clock;
    owner: string;
    namespace: string;
    activities: ActivityService;
    taskQueues?: Readonly<Record<string, TaskQueueOptions>>;
    /** Jitter of the poll's backoff while the store fails. Default `Math.random`. */
    random?: () => number;
    /**
     * Look for claimable tasks this often even when nothing woke the dispatcher (cluster
     * mode: tasks scheduled by other nodes wake nothing here). Default: only when woken.
     */
    idlePollMs?: number;
  }) {
    this.#idlePollMs = options.idlePollMs;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#owner = options.owner;
    this.#namespace = options.namespace;
    this.#activities = options.activities;
    this.#queueOptions = validateQueueOptions(options.taskQueues ?? {});
    this.#attempts = new RemoteAttempts({
      store: options.store,
      clock: options.clock,
      namespace: options.namespace,
      activities: options.activities,
      // A free slot matters only if tasks may be waiting (new ones are reserved or wake us).
      onSlotFreed: (q) => {
        if (q.backlog) this.#poller.wake(this.#clock.now());
      },
    });
    this.#poller = new Poller(this.#clock, () => this.#poll(), options.random);
  }

  /** Called by the activity service for tasks it did not lease (new ones and retries). */
  wake(taskQueue: string, at: number): void {
    const q = this.#queues.get(taskQueue);
    if (!q) return;
    q.backlog = true;
    this.#poller.wake(Math.max(at, this.#clock.now()));
  }

  stop(): void {
    this.#stopped = true;
    this.#poller.stop();
  }

  connect(reg: WorkerRegistration, sink: WorkerSink): WorkerSession {
    if (this.#stopped) throw new AionError('unavailable', 'the engine is shutting down');
    if (reg.namespace !== this.#namespace) {
      throw new AionError(
        'not_found',
        `namespace ${JSON.stringify(reg.namespace)} is not served by this engine (it serves ${JSON.stringify(this.#namespace)}); register with that namespace`,
        { namespace: reg.namespace },
      );
    }
    const conn: Conn = {
      id: `w${this.#nextId++}`,
      reg,
      types: new Set(reg.activityTypes),
      sink,
      connectedAt: this.#clock.now(),
      inFlight: 0,
      draining: false,
      closed: false,
    };
    this.#conns.set(conn.id, conn);
    this.#queue(reg.taskQueue);
    this.#poller.wake(this.#clock.now());
    return {
      id: conn.id,
      heartbeat: (token, details) => this.#attempts.heartbeat(token, details, conn),
      result: (token, outcome) => this.#attempts.result(token, outcome, conn),
      drain: () => {
        conn.draining = true;
      },
      close: (reason) => this.#close(conn, reason),
    };
  }

  /** Connected workers and the queues they serve. */
  snapshot(): Promise<{ workers: WorkerSnapshot[]; taskQueues: TaskQueueSnapshot[] }> {
    return Promise.resolve({ workers: this.workers(), taskQueues: this.taskQueues() });
  }

  workers(): WorkerSnapshot[] {
    return [...this.#conns.values()].map(workerSnapshot);
  }

  taskQueues(): TaskQueueSnapshot[] {
    return [...this.#queues.values()].map(queueSnapshot);
  }

  #queue(name: string): QueueState {
    let q = this.#queues.get(name);
    if (!q) {
      q = newQueueState(name, this.#queueOptions[name] ?? {}, this.#clock.now());
      this.#queues.set(name, q);
    }
    return q;
  }

  // ── dispatch ────────────────────────────────────────────────────────────────────────────

  async #poll(): Promise<number | undefined> {
    let next = Infinity;
    for (const q of this.#queues.values()) {
      const at = await this.#pollQueue(q);
      if (at !== undefined) next = Math.min(next, at);
    }
    return next === Infinity ? undefined : next;
  }

  /** Claims what the queue's workers can take now; returns when to look again. */
  async #pollQueue(q: QueueState): Promise<number | undefined> {
    const now = this.#clock.now();
    const open = [...this.#conns.values()].filter(
      (c) => c.reg.taskQueue === q.name && !c.draining && !c.closed,
    );
    if (open.length === 0) return undefined;
    const free = open.filter((c) => c.inFlight < c.reg.maxConcurrent);
    let limit = free.reduce((n, c) => n + c.reg.maxConcurrent - c.inFlight, 0);
    if (q.options.maxConcurrent !== undefined) {
      limit = Math.min(limit, q.options.maxConcurrent - q.inFlight);
    }
    let tokenAt: number | undefined;
    const rate = q.options.maxPerSecond;
    if (rate !== undefined) {
      q.tokens = Math.min(Math.max(1, rate), q.tokens + ((now - q.refilledAt) / 1000) * rate);
      q.refilledAt = now;
      limit = Math.min(limit, Math.floor(q.tokens));
      if (q.tokens < 1) tokenAt = now + Math.ceil(((1 - q.tokens) / rate) * 1000);
    }
    // Full: a finishing attempt wakes the poller; rate-limited: wait for the next token.
    if (limit <= 0) {
      q.backlog = true;
      return tokenAt;
    }
    const types = [...new Set(free.flatMap((c) => c.reg.activityTypes))];
    const mark = this.#activities.leaseMark();
    const tasks = await this.#store.claimTasks({
      namespace: this.#namespace,
      taskQueue: q.name,
      owner: this.#owner,
      now,
      leaseMs: CLAIM_LEASE_MS,
      limit,
      activityTypes: types,
    });
    if (rate !== undefined) q.tokens -= tasks.length;
    for (const task of tasks) this.#assign(q, task, mark);
    if (tasks.length === limit) {
      q.backlog = true;
      return this.#clock.now(); // maybe more: look again at once
    }
    const at = await this.#store.nextTaskAt(this.#namespace, q.name);
    // Nothing claimable is left unless visible tasks of types no free worker serves remain.
    q.backlog = at !== undefined && at <= now;
    // Visible tasks left are of types no free worker serves: a registration or a free slot wakes us.
    const next = at === undefined ? undefined : at <= now ? now + IDLE_POLL_MS : at;
    // Tasks other cluster nodes schedule wake nothing here: look again soon, whatever is known.
    if (this.#idlePollMs === undefined) return next;
    return Math.min(next ?? Infinity, now + this.#idlePollMs);
  }

  /**
   * Reserves a slot for a task being scheduled right now, if a connected worker of the queue
   * serves the type and has room beyond the slots already reserved. Queues with a rate limit
   * always go through claims (tokens are spent at claim time). Reservations not taken within
   * a few seconds (their commit failed) lapse.
   */
  reserve(taskQueue: string, activityType: string, taskId: string): boolean {
    if (this.#stopped) return false;
    const q = this.#queues.get(taskQueue);
    if (!q || q.options.maxPerSecond !== undefined) return false;
    const now = this.#clock.now();
    let reserved = 0;
    for (const [id, r] of this.#reserved) {
      if (now - r.at > RESERVATION_MS) this.#reserved.delete(id);
      else if (r.queue === taskQueue) reserved++;
    }
    if (q.options.maxConcurrent !== undefined && q.inFlight + reserved >= q.options.maxConcurrent) {
      return false;
    }
    let free = 0;
    for (const c of this.#conns.values()) {
      if (c.reg.taskQueue !== taskQueue || c.draining || c.closed || !c.types.has(activityType))
        continue;
      free += Math.max(0, c.reg.maxConcurrent - c.inFlight);
    }
    if (free - reserved <= 0) return false;
    this.#reserved.set(taskId, { queue: taskQueue, at: now });
    return true;
  }

  /** Hands over a task reserved by `reserve` once its scheduling commit is durable. */
  take(task: ActivityTask, mark: number | undefined): void {
    this.#reserved.delete(task.taskId);
    this.#assign(this.#queue(task.taskQueue), task, mark);
  }

  /** Runs `task` (leased here since `mark`, see TaskLeaseGuard) on a worker with room. */
  #assign(q: QueueState, task: ActivityTask, mark: number | undefined): void {
    const conn = this.#pick(q.name, task.activityType);
    if (conn === undefined || this.#attempts.isLateAccepting(task.taskId) || this.#stopped) {
      // Hand the task back untouched (same attempt) for a later claim.
      q.backlog = true;
      void this.#store
        .retryTask({
          namespace: task.namespace,
          taskId: task.taskId,
          owner: this.#owner,
          attempt: task.attempt,
          visibleAt: this.#clock.now(),
          ...(task.lastFailure ? { lastFailure: task.lastFailure } : {}),
        })
        // Claimable again: look for a worker with room (unless shutting down).
        .then(() => {
          if (!this.#stopped) this.#poller.wake(this.#clock.now() + IDLE_POLL_MS);
        })
        .catch(() => undefined);
      return;
    }
    this.#activities.runWith(task, this.#attempts.runner(conn, q), mark);
  }

  /** Whether a connected worker (draining or not) registered this queue and type. */
  serves(queue: string, activityType: string): boolean {
    for (const c of this.#conns.values()) {
      if (!c.closed && c.reg.taskQueue === queue && c.types.has(activityType)) return true;
    }
    return false;
  }

  /** The least loaded open worker of the queue that serves the type and has a free slot. */
  #pick(queue: string, activityType: string): Conn | undefined {
    let best: Conn | undefined;
    for (const c of this.#conns.values()) {
      if (c.reg.taskQueue !== queue || c.draining || c.closed) continue;
      if (!c.types.has(activityType) || c.inFlight >= c.reg.maxConcurrent) continue;
      if (!best || c.inFlight / c.reg.maxConcurrent < best.inFlight / best.reg.maxConcurrent) {
        best = c;
      }
    }
    return best;
  }

  #close(conn: Conn, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    this.#conns.delete(conn.id);
    this.#attempts.workerLost(conn, reason);
    if (![...this.#conns.values()].some((c) => c.reg.taskQueue === conn.reg.taskQueue)) {
      const q = this.#queues.get(conn.reg.taskQueue);
      if (q && q.inFlight === 0) this.#queues.delete(q.name);
    }
  }
}
