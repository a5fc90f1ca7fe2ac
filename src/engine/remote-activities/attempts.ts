// The table of attempts running on remote workers: their start-to-close and heartbeat
// timeouts on the engine's clock, worker heartbeats and results, and late or lost attempts.
import { timeoutFailure } from '../../activity/internal.js';
import type { AttemptOutcome, AttemptRequest } from '../../activity/internal.js';
import type { Clock, TimerHandle } from '../../clock/index.js';
import { AionError, RecentMap, RecentSet } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { taskIdFor, type ActivityService, type AttemptRunner } from '../activity-service/index.js';
import { taskFrame, toAttemptOutcome } from './frames.js';
import type { Conn, QueueState } from './state.js';
import type { RemoteOutcome } from './types.js';

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

/** Attempts remembered after they end (duplicate results, late holders): the newest 10,000 at least. */
const RECENT_LIMIT = 10_000;

function attemptKey(taskId: string, attempt: number): string {
  return `${taskId}#${attempt}`;
}

/** Attempts dispatched to remote workers of one namespace, until their outcome is durable. */
export class RemoteAttempts {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #namespace: string;
  readonly #activities: ActivityService;
  /** A worker slot of `queue` was freed (an attempt ended). */
  readonly #onSlotFreed: (queue: QueueState) => void;
  /** Attempts in flight, and those ended by a worker result until it is durable. */
  readonly #dispatches = new Map<string, Dispatch>();
  /** The same attempts by the task token this engine signed for them (see {@link #key}). */
  readonly #byToken = new Map<string, Dispatch>();
  /** Attempts whose worker result is durable (for duplicate detection). */
  readonly #recent = new RecentSet<string>(RECENT_LIMIT);
  /** Tasks whose late result is being recorded: never dispatch them meanwhile. */
  readonly #lateAccepting = new Set<string>();
  /** Who held each recent attempt (task queue, worker identity), for late results. */
  readonly #holders = new RecentMap<string, { taskQueue: string; identity: string }>(RECENT_LIMIT);

  constructor(options: {
    store: Store;
    clock: Clock;
    namespace: string;
    activities: ActivityService;
    onSlotFreed: (queue: QueueState) => void;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#namespace = options.namespace;
    this.#activities = options.activities;
    this.#onSlotFreed = options.onSlotFreed;
  }

  /** True while a late result of the task is being recorded (it must not be dispatched). */
  isLateAccepting(taskId: string): boolean {
    return this.#lateAccepting.has(taskId);
  }

  /** Runs attempts on `conn`, counted against its slots and the queue's limit. */
  runner(conn: Conn, queue: QueueState): AttemptRunner {
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
        this.#byToken.set(info.taskToken, d);
        this.#holders.set(key, { taskQueue: conn.reg.taskQueue, identity: conn.reg.identity });
        this.#armTimeouts(d);
        conn.sink.task(taskFrame(request));
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
            this.#forget(d);
            this.#recent.add(key);
          },
        };
      },
    };
  }

  /** The worker of `conn` is gone: its attempts fail at once as retryable `WorkerLost`. */
  workerLost(conn: Conn, reason: string): void {
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
    this.#forget(d); // a late result now goes through the late path
  }

  #forget(d: Dispatch): void {
    if (this.#dispatches.get(d.key) === d) this.#dispatches.delete(d.key);
    const token = d.request.info.taskToken;
    if (this.#byToken.get(token) === d) this.#byToken.delete(token);
  }

  #release(d: Dispatch): void {
    for (const t of d.timers) t.cancel();
    d.timers = [];
    d.conn.inFlight--;
    d.queue.inFlight--;
    this.#onSlotFreed(d.queue);
  }

  // ── worker messages ─────────────────────────────────────────────────────────────────────

  /**
   * The attempt of a token this cluster signed; `task_token_invalid` for any other. A token
   * equal to one this engine signed for an attempt it still holds needs no verification (the
   * exact string it handed out): the common case, a worker reporting what it was given.
   */
  #key(taskToken: string): { key: string; taskId: string; attempt: number } {
    const held = this.#byToken.get(taskToken);
    if (held !== undefined) {
      const { runId, activityId, attempt } = held.request.info;
      return { key: held.key, taskId: taskIdFor(runId, activityId), attempt };
    }
    const t = this.#activities.tokens.verify(taskToken);
    if (t.namespace !== this.#namespace) {
      throw new AionError(
        'not_found',
        `task token of namespace ${JSON.stringify(t.namespace)} does not belong to this engine`,
      );
    }
    const taskId = taskIdFor(t.runId, t.activityId);
    return { key: attemptKey(taskId, t.attempt), taskId, attempt: t.attempt };
  }

  /** Records a worker's heartbeat; `cancelRequested` tells it to stop. */
  heartbeat(taskToken: string, details: unknown, from: Conn): { cancelRequested: boolean } {
    const { key } = this.#key(taskToken);
    const d = this.#dispatches.get(key);
    if (d === undefined || d.endedBy !== undefined) return { cancelRequested: true };
    notHolder(d.conn, from);
    d.lastHeartbeatAt = this.#clock.now();
    d.lastHeartbeatDetails = details;
    this.#activities.heartbeat(d.request.info, details);
    return { cancelRequested: d.cancelRequested };
  }

  /** A worker's reported outcome; resolves once it is durable (see `WorkerSession.result`). */
  async result(
    taskToken: string,
    outcome: RemoteOutcome,
    from: Conn,
  ): Promise<'accepted' | 'duplicate' | 'stale'> {
    const { key, taskId, attempt } = this.#key(taskToken);
    const d = this.#dispatches.get(key);
    if (d !== undefined) notHolder(d.conn, from);
    else this.#lateHolder(key, from);
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
   * A result for an attempt no session holds any more (its worker was lost, it timed out):
   * accepted only from a worker of the same task queue and identity as the one that held it —
   * a worker re-reporting after a reconnect.
   */
  #lateHolder(key: string, from: Conn): void {
    const h = this.#holders.get(key);
    if (h === undefined) return; // never dispatched here: the late path finds no task it may take
    if (h.taskQueue !== from.reg.taskQueue || h.identity !== from.reg.identity) {
      throw holderError(from);
    }
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
}

function holderError(from: Conn): AionError {
  return new AionError(
    'not_task_holder',
    `worker ${from.reg.identity} (task queue ${from.reg.taskQueue}) does not hold this attempt: only the worker session it was dispatched to may heartbeat or report it`,
    { identity: from.reg.identity, taskQueue: from.reg.taskQueue },
  );
}

/** Throws `not_task_holder` unless `from` is the session holding the attempt. */
function notHolder(holder: Conn, from: Conn): void {
  if (holder !== from) throw holderError(from);
}
