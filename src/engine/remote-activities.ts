/**
 * Dispatch of activity tasks to remote workers (connected through the server's worker
 * endpoint). Claims tasks of the queues and types connected workers serve, within each
 * worker's advertised concurrency and the queue's limits, and runs them through the
 * activity service as an {@link AttemptRunner}: the retry policy, lease renewal and
 * recording are the same as for in-process attempts. The start-to-close and heartbeat
 * timeouts are enforced here, on the engine's clock, because the worker may be gone.
 */
import { decodeTaskToken } from '../activity/complete-async.js';
import { timeoutFailure } from '../activity/attempt-failures.js';
import type { AttemptOutcome, AttemptRequest } from '../activity/types.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { AionError, type Failure } from '../core/index.js';
import type { ActivityTask, Store } from '../store/index.js';
import type { ActivityService, AttemptRunner } from './activity-service.js';
import { taskIdFor } from './activity-service.js';
import { Poller } from './poller.js';
import type { TaskFrame } from '../protocol/worker.js';

/** Per-task-queue dispatch limits for remote workers (engine option `taskQueues`). */
export interface TaskQueueOptions {
  /** Attempts of this queue running on remote workers at once, all workers together. Default unlimited. */
  readonly maxConcurrent?: number;
  /** Attempts dispatched to remote workers per second (token bucket, burst of one second). Default unlimited. */
  readonly maxPerSecond?: number;
}

/** What a worker announces when it connects. */
export interface WorkerRegistration {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  readonly identity: string;
  readonly maxConcurrent: number;
}

/**
 * One attempt handed to a remote worker: the worker protocol's `task` frame without its
 * `type` tag. Arguments and heartbeat details are plain values.
 */
export type RemoteTask = Omit<TaskFrame, 'type'>;

/** How a worker says an attempt ended. */
export type RemoteOutcome =
  | { readonly type: 'completed'; readonly result: unknown }
  | { readonly type: 'failed'; readonly failure: Failure }
  | { readonly type: 'cancelled'; readonly failure?: Failure };

/** Where the dispatcher sends work for one connected worker (the server turns it into frames). */
export interface WorkerSink {
  task(task: RemoteTask): void;
  cancel(taskToken: string, reason: string): void;
}

/** The engine's side of one worker connection. */
export interface WorkerSession {
  readonly id: string;
  /** Records a heartbeat; `cancelRequested` tells the worker to stop (cancelled, timed out or unknown). */
  heartbeat(taskToken: string, details: unknown): { readonly cancelRequested: boolean };
  /**
   * Reports an attempt's outcome. Resolves once it is durable: `accepted` (recorded or
   * handed to the retry policy), `duplicate` (already reported), `stale` (the attempt was
   * given up and a later one owns the activity, or the activity is closed): ignored.
   */
  result(taskToken: string, outcome: RemoteOutcome): Promise<'accepted' | 'duplicate' | 'stale'>;
  /** The worker takes no more tasks (it is shutting down); in-flight attempts continue. */
  drain(): void;
  /** The connection is gone: in-flight attempts fail at once as retryable `WorkerLost`. */
  close(reason: string): void;
}

/** A connected worker, for listings. */
export interface WorkerSnapshot {
  readonly id: string;
  readonly identity: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  readonly draining: boolean;
  readonly connectedAt: number;
}

/** A task queue's dispatch state as this engine sees it. */
export interface TaskQueueSnapshot {
  readonly name: string;
  /** Remote attempts running now. */
  readonly inFlight: number;
  readonly maxConcurrent?: number;
  readonly maxPerSecond?: number;
}

interface Conn {
  readonly id: string;
  readonly reg: WorkerRegistration;
  readonly types: ReadonlySet<string>;
  readonly sink: WorkerSink;
  readonly connectedAt: number;
  inFlight: number;
  draining: boolean;
  closed: boolean;
}

interface QueueState {
  readonly name: string;
  readonly options: TaskQueueOptions;
  inFlight: number;
  tokens: number;
  refilledAt: number;
  /**
   * Claimable tasks may be waiting in the store (unknown, handed back, or seen by the last
   * claim). A freed worker slot triggers a claim only while this is true.
   */
  backlog: boolean;
}

interface Dispatch {
  readonly key: string;
  readonly request: AttemptRequest;
  readonly conn: Conn;
  readonly queue: QueueState;
  readonly resolve: (outcome: AttemptOutcome) => void;
  readonly durable: Promise<void>;
  readonly markDurable: () => void;
  /** How the attempt ended: by the worker's result, or given up by the engine. */
  endedBy: 'worker' | 'engine' | undefined;
  cancelRequested: boolean;
  lastHeartbeatAt: number;
  lastHeartbeatDetails: unknown;
  timers: TimerHandle[];
}

const CLAIM_LEASE_MS = 5 * 60_000;
const RECENT_LIMIT = 10_000;
const IDLE_POLL_MS = 1000;

function attemptKey(taskId: string, attempt: number): string {
  return `${taskId}#${attempt}`;
}

/** How long a slot reserved for a task being scheduled is held for its commit. */
const RESERVATION_MS = 5000;

/** Remote-worker registry and dispatcher of one engine (one namespace). */
export class RemoteActivities {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #namespace: string;
  readonly #activities: ActivityService;
  readonly #queueOptions: Readonly<Record<string, TaskQueueOptions>>;
  readonly #conns = new Map<string, Conn>();
  readonly #queues = new Map<string, QueueState>();
  /** Attempts in flight, and those ended by a worker result until it is durable. */
  readonly #dispatches = new Map<string, Dispatch>();
  /** Attempts whose worker result is durable (for duplicate detection), oldest first. */
  readonly #recent = new Set<string>();
  /** Tasks whose late result is being recorded: never dispatch them meanwhile. */
  readonly #lateAccepting = new Set<string>();
  readonly #poller: Poller;
  /** Slots reserved for tasks in their scheduling commit, by task id. */
  readonly #reserved = new Map<string, { queue: string; at: number }>();
  #nextId = 1;
  #stopped = false;

  constructor(options: {
    store: Store;
    clock: Clock;
    owner: string;
    namespace: string;
    activities: ActivityService;
    taskQueues?: Readonly<Record<string, TaskQueueOptions>>;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#owner = options.owner;
    this.#namespace = options.namespace;
    this.#activities = options.activities;
    this.#queueOptions = validateQueueOptions(options.taskQueues ?? {});
    this.#poller = new Poller(this.#clock, () => this.#poll());
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
      heartbeat: (token, details) => this.#heartbeat(token, details),
      result: (token, outcome) => this.#result(token, outcome),
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
    return [...this.#conns.values()].map((c) => ({
      id: c.id,
      identity: c.reg.identity,
      namespace: c.reg.namespace,
      taskQueue: c.reg.taskQueue,
      activityTypes: [...c.reg.activityTypes],
      maxConcurrent: c.reg.maxConcurrent,
      inFlight: c.inFlight,
      draining: c.draining,
      connectedAt: c.connectedAt,
    }));
  }

  taskQueues(): TaskQueueSnapshot[] {
    return [...this.#queues.values()].map((q) => ({
      name: q.name,
      inFlight: q.inFlight,
      ...q.options,
    }));
  }

  #queue(name: string): QueueState {
    let q = this.#queues.get(name);
    if (!q) {
      const options = this.#queueOptions[name] ?? {};
      q = {
        name,
        options,
        inFlight: 0,
        tokens: Math.max(1, options.maxPerSecond ?? 0),
        refilledAt: this.#clock.now(),
        backlog: true,
      };
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
    for (const task of tasks) this.#assign(q, task);
    if (tasks.length === limit) {
      q.backlog = true;
      return this.#clock.now(); // maybe more: look again at once
    }
    const at = await this.#store.nextTaskAt(this.#namespace, q.name);
    // Nothing claimable is left unless visible tasks of types no free worker serves remain.
    q.backlog = at !== undefined && at <= now;
    // Visible tasks left are of types no free worker serves: a registration or a free slot wakes us.
    if (at === undefined) return undefined;
    return at <= now ? now + IDLE_POLL_MS : at;
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
  take(task: ActivityTask): void {
    this.#reserved.delete(task.taskId);
    this.#assign(this.#queue(task.taskQueue), task);
  }

  #assign(q: QueueState, task: ActivityTask): void {
    const conn = this.#pick(q.name, task.activityType);
    if (conn === undefined || this.#lateAccepting.has(task.taskId) || this.#stopped) {
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
    this.#activities.runWith(task, this.#runner(conn, q));
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

  #runner(conn: Conn, queue: QueueState): AttemptRunner {
    return {
      execute: (request) => {
        const info = request.info;
        const key = attemptKey(taskIdFor(info.runId, info.activityId), info.attempt);
        let resolve!: (outcome: AttemptOutcome) => void;
        const outcome = new Promise<AttemptOutcome>((r) => (resolve = r));
        let markDurable!: () => void;
        const durable = new Promise<void>((r) => (markDurable = r));
        const d: Dispatch = {
          key,
          request,
          conn,
          queue,
          resolve: (o) => {
            if (d.endedBy !== undefined) return;
            this.#release(d);
            resolve(o);
          },
          durable,
          markDurable,
          endedBy: undefined,
          cancelRequested: false,
          lastHeartbeatAt: this.#clock.now(),
          lastHeartbeatDetails: info.heartbeatDetails,
          timers: [],
        };
        conn.inFlight++;
        queue.inFlight++;
        this.#dispatches.set(key, d);
        this.#armTimeouts(d);
        const o = request.options;
        conn.sink.task({
          taskToken: info.taskToken,
          namespace: info.namespace,
          workflowId: info.workflowId,
          runId: info.runId,
          workflowType: info.workflowType,
          activityId: info.activityId,
          activityType: info.activityType,
          taskQueue: info.taskQueue,
          attempt: info.attempt,
          args: request.args,
          scheduledTime: info.scheduledTime,
          startedTime: info.startedTime,
          ...(o.startToCloseTimeoutMs !== undefined
            ? { startToCloseTimeoutMs: o.startToCloseTimeoutMs }
            : {}),
          ...(o.scheduleToCloseTimeoutMs !== undefined
            ? { scheduleToCloseTimeoutMs: o.scheduleToCloseTimeoutMs }
            : {}),
          ...(o.heartbeatTimeoutMs !== undefined
            ? { heartbeatTimeoutMs: o.heartbeatTimeoutMs }
            : {}),
          ...(info.heartbeatDetails !== undefined
            ? { heartbeatDetails: info.heartbeatDetails }
            : {}),
          ...(Object.keys(info.headers).length > 0 ? { headers: info.headers } : {}),
        });
        return {
          outcome,
          cancel: (reason) => {
            if (d.endedBy !== undefined || d.cancelRequested) return;
            d.cancelRequested = true;
            conn.sink.cancel(info.taskToken, reason);
          },
          onDurable: () => {
            markDurable();
            if (d.endedBy !== 'worker') return;
            this.#dispatches.delete(key);
            this.#recent.add(key);
            if (this.#recent.size > RECENT_LIMIT) {
              this.#recent.delete(this.#recent.values().next().value as string);
            }
          },
        };
      },
    };
  }

  #armTimeouts(d: Dispatch): void {
    const { options } = d.request;
    const now = this.#clock.now();
    const stc = options.startToCloseTimeoutMs;
    if (stc !== undefined) {
      d.timers.push(this.#clock.schedule(now + stc, () => this.#timeOut(d, 'START_TO_CLOSE')));
    }
    const hb = options.heartbeatTimeoutMs;
    if (hb !== undefined) this.#armHeartbeatCheck(d, now + hb, hb);
  }

  #armHeartbeatCheck(d: Dispatch, at: number, hb: number): void {
    d.timers.push(
      this.#clock.schedule(at, () => {
        if (d.endedBy !== undefined) return;
        const due = d.lastHeartbeatAt + hb;
        if (this.#clock.now() >= due) this.#timeOut(d, 'HEARTBEAT');
        else this.#armHeartbeatCheck(d, due, hb);
      }),
    );
  }

  #timeOut(d: Dispatch, timeoutType: 'START_TO_CLOSE' | 'HEARTBEAT'): void {
    if (d.endedBy !== undefined) return;
    const ms =
      timeoutType === 'START_TO_CLOSE'
        ? d.request.options.startToCloseTimeoutMs
        : d.request.options.heartbeatTimeoutMs;
    const { error, failure } = timeoutFailure(timeoutType, ms, d.lastHeartbeatDetails);
    this.#giveUp(d, { type: 'timed_out', timeoutType, failure });
    // The worker may still be running it: tell it to stop (its late result is ignored).
    if (!d.conn.closed) d.conn.sink.cancel(d.request.info.taskToken, error.message);
  }

  /** The engine ends the attempt without the worker (timeout, worker lost). */
  #giveUp(d: Dispatch, outcome: AttemptOutcome): void {
    if (d.endedBy !== undefined) return;
    d.resolve(outcome);
    d.endedBy = 'engine';
    this.#dispatches.delete(d.key); // a late result now goes through the late path
  }

  #release(d: Dispatch): void {
    for (const t of d.timers) t.cancel();
    d.timers = [];
    d.conn.inFlight--;
    d.queue.inFlight--;
    // A free slot matters only if tasks may be waiting (new ones are reserved or wake us).
    if (d.queue.backlog) this.#poller.wake(this.#clock.now());
  }

  // ── worker messages ─────────────────────────────────────────────────────────────────────

  #key(taskToken: string): { key: string; taskId: string; attempt: number } {
    const t = decodeTaskToken(taskToken);
    if (t.namespace !== this.#namespace) {
      throw new AionError(
        'not_found',
        `task token of namespace ${JSON.stringify(t.namespace)} does not belong to this engine`,
      );
    }
    const taskId = taskIdFor(t.runId, t.activityId);
    return { key: attemptKey(taskId, t.attempt), taskId, attempt: t.attempt };
  }

  #heartbeat(taskToken: string, details: unknown): { cancelRequested: boolean } {
    const { key } = this.#key(taskToken);
    const d = this.#dispatches.get(key);
    if (d === undefined || d.endedBy !== undefined) return { cancelRequested: true };
    d.lastHeartbeatAt = this.#clock.now();
    d.lastHeartbeatDetails = details;
    this.#activities.heartbeat(d.request.info, details);
    return { cancelRequested: d.cancelRequested };
  }

  async #result(
    taskToken: string,
    outcome: RemoteOutcome,
  ): Promise<'accepted' | 'duplicate' | 'stale'> {
    const { key, taskId, attempt } = this.#key(taskToken);
    const d = this.#dispatches.get(key);
    if (d !== undefined) {
      if (d.endedBy === 'worker') {
        await d.durable;
        return 'duplicate';
      }
      d.resolve(toAttemptOutcome(outcome));
      d.endedBy = 'worker';
      await d.durable;
      return 'accepted';
    }
    if (this.#recent.has(key)) return 'duplicate';
    return this.#late(taskId, attempt, outcome);
  }

  /**
   * A result for an attempt the engine already gave up (worker lost, timeout). A completed
   * result is still recorded while the activity waits in retry backoff with no later attempt
   * started — the work is done, running it again would only repeat its side effects.
   */
  async #late(
    taskId: string,
    attempt: number,
    outcome: RemoteOutcome,
  ): Promise<'accepted' | 'duplicate' | 'stale'> {
    if (outcome.type !== 'completed' || this.#lateAccepting.has(taskId)) return 'stale';
    const task = await this.#store.getTask(this.#namespace, taskId);
    if (task === undefined) return 'stale';
    const now = this.#clock.now();
    const unleased = task.leaseOwner === undefined || (task.leaseUntil ?? 0) <= now;
    if (
      task.attempt !== attempt + 1 ||
      !unleased ||
      this.#lateAccepting.has(taskId) ||
      this.#activities.isRunning(taskId)
    ) {
      return 'stale';
    }
    this.#lateAccepting.add(taskId);
    try {
      await this.#activities.completeLate(task, attempt, outcome.result);
      return 'accepted';
    } finally {
      this.#lateAccepting.delete(taskId);
    }
  }

  #close(conn: Conn, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    this.#conns.delete(conn.id);
    for (const d of [...this.#dispatches.values()]) {
      if (d.conn !== conn || d.endedBy !== undefined) continue;
      this.#giveUp(d, {
        type: 'failed',
        failure: {
          type: 'WorkerLost',
          message: `worker ${conn.reg.identity} was lost while running attempt ${d.request.info.attempt} of ${d.request.info.activityType} (${reason})`,
          retryable: true,
          source: 'server',
        },
      });
    }
    if (![...this.#conns.values()].some((c) => c.reg.taskQueue === conn.reg.taskQueue)) {
      const q = this.#queues.get(conn.reg.taskQueue);
      if (q && q.inFlight === 0) this.#queues.delete(q.name);
    }
  }
}

function toAttemptOutcome(outcome: RemoteOutcome): AttemptOutcome {
  switch (outcome.type) {
    case 'completed':
      return { type: 'completed', result: outcome.result };
    case 'failed':
      return { type: 'failed', failure: outcome.failure };
    case 'cancelled':
      return {
        type: 'cancelled',
        failure: outcome.failure ?? {
          type: 'CancelledFailure',
          message: 'activity cancelled',
          retryable: false,
          source: 'cancelled',
        },
      };
  }
}

function validateQueueOptions(
  queues: Readonly<Record<string, TaskQueueOptions>>,
): Readonly<Record<string, TaskQueueOptions>> {
  for (const [name, o] of Object.entries(queues)) {
    for (const field of ['maxConcurrent', 'maxPerSecond'] as const) {
      const v = o[field];
      if (v === undefined) continue;
      const ok = field === 'maxConcurrent' ? Number.isSafeInteger(v) && v >= 1 : v > 0;
      if (!ok || !Number.isFinite(v)) {
        throw new AionError(
          'invalid_argument',
          `taskQueues.${name}.${field} must be ${field === 'maxConcurrent' ? 'an integer >= 1' : 'a number > 0'} (got ${String(v)})`,
          { field: `taskQueues.${name}.${field}` },
        );
      }
    }
  }
  return queues;
}
