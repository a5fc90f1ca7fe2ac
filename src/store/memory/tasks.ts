// The memory store's activity tasks: enqueued by commits, claimed under a lease, extended by
// heartbeats, retried with durable backoff, expired when their holder is known dead.
import type { RunKey, Mutable } from '../../core/index.js';
import type {
  ActivityTask,
  ClaimTasksRequest,
  ExtendTaskLeaseRequest,
  NewActivityTask,
  RetryTaskRequest,
  TaskQueueStats,
} from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { key, ownerExpires } from './keys.js';
import { RunIndex } from './run-index.js';

export class MemoryTasks {
  readonly #tasks = new Map<string, Mutable<ActivityTask>>();
  readonly #byRun = new RunIndex();

  enqueue(namespace: string, task: NewActivityTask): void {
    // A task enqueued already leased is delivered right after the commit: deliveries 1.
    const taskKey = key(namespace, task.taskId);
    const replaced = this.#tasks.get(taskKey);
    if (replaced !== undefined) this.#byRun.delete(replaced.namespace, replaced.runId, taskKey);
    this.#tasks.set(taskKey, { ...task, deliveries: task.leaseOwner === undefined ? 0 : 1 });
    this.#byRun.add(task.namespace, task.runId, taskKey);
  }

  remove(namespace: string, taskId: string): void {
    const taskKey = key(namespace, taskId);
    const t = this.#tasks.get(taskKey);
    if (t === undefined) return;
    this.#tasks.delete(taskKey);
    this.#byRun.delete(t.namespace, t.runId, taskKey);
  }

  /** Deletes every task of a run (it closed or was purged). */
  dropRun(namespace: string, runId: string): void {
    for (const taskKey of this.#byRun.take(namespace, runId)) this.#tasks.delete(taskKey);
  }

  claimTasks(request: ClaimTasksRequest): ActivityTask[] {
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
    return claimable.map((t) => {
      // A lease that expired without retryTask means the attempt was lost: count the next one.
      if (t.leaseOwner !== undefined) t.attempt += 1;
      t.leaseOwner = request.owner;
      t.leaseUntil = request.now + request.leaseMs;
      t.deliveries += 1;
      return { ...t };
    });
  }

  extendTaskLease(request: ExtendTaskLeaseRequest): boolean {
    const t = this.#tasks.get(key(request.namespace, request.taskId));
    if (!t || t.leaseOwner !== request.owner) return false;
    if (request.attempt !== undefined && t.attempt !== request.attempt) return false;
    t.leaseUntil = request.leaseUntil;
    t.lastHeartbeatAt = request.now;
    if (request.heartbeatDetails !== undefined) t.heartbeatDetails = request.heartbeatDetails;
    return true;
  }

  retryTask(request: RetryTaskRequest): boolean {
    const t = this.#tasks.get(key(request.namespace, request.taskId));
    if (!t || t.leaseOwner !== request.owner) return false;
    delete t.leaseOwner;
    delete t.leaseUntil;
    t.attempt = request.attempt;
    t.visibleAt = request.visibleAt;
    if (request.lastFailure !== undefined) t.lastFailure = request.lastFailure;
    return true;
  }

  /**
   * Expires, as of `now`, every live lease not held by `exceptOwner` (with `owners`: held by
   * one of them); the owner stays, so the next claim counts a new attempt. Returns how many.
   */
  expireLeases(exceptOwner: string, now: number, owners?: readonly string[]): number {
    let expired = 0;
    for (const t of this.#tasks.values()) {
      if (ownerExpires(t.leaseOwner, exceptOwner, owners) && (t.leaseUntil ?? 0) > now) {
        t.leaseUntil = now;
        expired++;
      }
    }
    return expired;
  }

  getTask(namespace: string, taskId: string): ActivityTask | undefined {
    const t = this.#tasks.get(key(namespace, taskId));
    return t ? { ...t } : undefined;
  }

  listTasks(run: RunKey): ActivityTask[] {
    return [...this.#tasks.values()]
      .filter((t) => t.namespace === run.namespace && t.runId === run.runId)
      .sort((a, b) => a.scheduledSeq - b.scheduledSeq)
      .map((t) => ({ ...t }));
  }

  nextTaskAt(namespace: string, taskQueue: string): number | undefined {
    let min: number | undefined;
    for (const t of this.#tasks.values()) {
      if (t.namespace !== namespace || t.taskQueue !== taskQueue) continue;
      const at = Math.max(t.visibleAt, t.leaseUntil ?? 0);
      if (min === undefined || at < min) min = at;
    }
    return min;
  }

  taskQueueStats(namespace: string, now: number): TaskQueueStats[] {
    const byQueue = new Map<string, { backlog: number; running: number; scheduled: number }>();
    for (const t of this.#tasks.values()) {
      if (t.namespace !== namespace) continue;
      const q = byQueue.get(t.taskQueue) ?? { backlog: 0, running: 0, scheduled: 0 };
      if (t.leaseUntil !== undefined && t.leaseUntil > now) q.running++;
      else if (t.visibleAt > now) q.scheduled++;
      else q.backlog++;
      byQueue.set(t.taskQueue, q);
    }
    return [...byQueue.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([taskQueue, c]) => ({ taskQueue, ...c }));
  }
}
