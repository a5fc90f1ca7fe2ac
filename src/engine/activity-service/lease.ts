// Task leases held by this engine: how long an attempt's lease lasts, its renewal while the
// attempt runs here, and the extension (with details) that a heartbeat brings.
import type { AttemptHandle } from '../../activity/internal.js';
import type { ActivityInfo } from '../../activity/internal.js';
import type { TimerHandle } from '../../clock/index.js';
import type { Payload, RecordedActivityOptions } from '../../core/index.js';
import type { ActivityTask } from '../../store/index.js';
import { taskIdFor } from './task-ids.js';
import type { ServiceEnv, TaskData } from './types.js';

export const DEFAULT_LEASE_MS = 5 * 60_000;

/** An attempt running under this engine's lease. */
export interface Running {
  readonly handle: AttemptHandle;
  readonly task: ActivityTask;
  /** How long each extension of its lease lasts. */
  readonly leaseMs: number;
  /** When its lease is next extended (half a lease after the last extension). */
  renewAt: number;
  /** An extension is in flight. */
  renewing: boolean;
  /**
   * Its task is another attempt's now (an extension found the lease taken), or the activity's
   * outcome was recorded from elsewhere: cancelled, and only a result of it is handed over.
   */
  superseded: boolean;
}

export function leaseMsFor(options: RecordedActivityOptions): number {
  return (options.startToCloseTimeoutMs ?? DEFAULT_LEASE_MS) + 30_000;
}

/**
 * Keeps the leases of the attempts running in this process alive: each is extended half a
 * lease after it was taken or last extended. One timer serves them all, armed for the
 * earliest extension due (a lease lasts at least 30 s, so they come rarely), instead of a
 * timer per attempt that almost every attempt cancels unfired.
 */
export class LeaseRenewals {
  readonly #env: ServiceEnv;
  readonly #live: Map<string, Running>;
  #timer: TimerHandle | undefined;
  #armedAt = Infinity;
  #stopped = false;

  constructor(env: ServiceEnv, live: Map<string, Running>) {
    this.#env = env;
    this.#live = live;
  }

  /** Starts tracking an attempt (already in the live map) whose lease was just taken. */
  track(handle: AttemptHandle, task: ActivityTask, data: TaskData): Running {
    const leaseMs = leaseMsFor(data.options);
    const running: Running = {
      handle,
      task,
      leaseMs,
      renewAt: this.#env.clock.now() + leaseMs / 2,
      renewing: false,
      superseded: false,
    };
    this.#live.set(task.taskId, running);
    this.#arm(running.renewAt);
    return running;
  }

  /** Extends every running attempt's lease now (this node's leases broke: some may be voided). */
  renewAllNow(): void {
    const now = this.#env.clock.now();
    for (const running of this.#live.values()) running.renewAt = Math.min(running.renewAt, now);
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedAt = Infinity;
    this.#sweep();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(at: number): void {
    if (this.#stopped || at >= this.#armedAt) return;
    this.#timer?.cancel();
    this.#armedAt = at;
    this.#timer = this.#env.clock.schedule(at, () => this.#sweep());
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#env.clock.now();
    let next = Infinity;
    for (const running of this.#live.values()) {
      if (running.renewing) continue; // re-armed when its extension settles
      if (running.renewAt <= now) this.#renew(running);
      else next = Math.min(next, running.renewAt);
    }
    if (next < Infinity) this.#arm(next);
  }

  #renew(running: Running): void {
    const { clock, store, owner } = this.#env;
    const task = running.task;
    running.renewing = true;
    const settled = (renewAt: number): void => {
      running.renewing = false;
      if (this.#live.get(task.taskId) !== running) return; // it finished meanwhile
      running.renewAt = renewAt;
      this.#arm(renewAt);
    };
    void store
      .extendTaskLease({
        namespace: task.namespace,
        taskId: task.taskId,
        owner,
        leaseUntil: clock.now() + running.leaseMs,
        now: clock.now(),
        attempt: task.attempt,
      })
      .then(
        (held) => {
          if (!held) {
            running.superseded = true;
            running.renewing = false;
            running.renewAt = Infinity; // not extended again: its attempt is being cancelled
            running.handle.cancel('the task lease was lost');
          } else settled(clock.now() + running.leaseMs / 2);
        },
        // A failed extension is tried again half a lease later, as before.
        () => settled(clock.now() + running.leaseMs / 2),
      );
  }
}

/** Records a heartbeat: extends the lease and stores the details for the next attempt. */
export function extendOnHeartbeat(env: ServiceEnv, info: ActivityInfo, details: unknown): void {
  const taskId = taskIdFor(info.runId, info.activityId);
  let payload: Payload | undefined;
  try {
    payload =
      details === undefined ? undefined : env.converter.encode(details, 'heartbeat details');
  } catch {
    payload = undefined;
  }
  const now = env.clock.now();
  const leaseMs = Math.max(info.heartbeatTimeoutMs ?? 0, DEFAULT_LEASE_MS);
  void env.store
    .extendTaskLease({
      namespace: info.namespace,
      taskId,
      owner: env.owner,
      leaseUntil: now + leaseMs,
      now,
      attempt: info.attempt,
      ...(payload ? { heartbeatDetails: payload } : {}),
    })
    .catch(() => undefined);
}
