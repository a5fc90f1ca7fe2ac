// The tasks part of the store contract: activity task rows, claimed by workers under a lease,
// extended by heartbeats, retried with durable backoff and redelivered when a lease expires.
import type { Failure, Payload, RunKey } from '../../core/index.js';

export interface NewActivityTask {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  /** Unique within the namespace; engines use `${runId}/${activityId}`. */
  readonly taskId: string;
  readonly taskQueue: string;
  readonly activityId: string;
  readonly activityType: string;
  /** Seq of the `ActivityScheduled` event. */
  readonly scheduledSeq: number;
  readonly input: readonly Payload[];
  /** Opaque engine data (options, deadlines). */
  readonly options?: string;
  /** Attempt number of the next delivery (starts at 1). */
  readonly attempt: number;
  /** Not claimable before this epoch ms (retry backoff is durable). */
  readonly visibleAt: number;
  /**
   * Enqueue the task already leased (the engine dispatches it to its own executor right
   * after commit); `deliveries` then starts at 1. Both or neither.
   */
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
}

export interface ActivityTask extends NewActivityTask {
  /** Owner of the current lease, if any. */
  readonly leaseOwner?: string;
  /** Lease expiry (epoch ms); an expired lease makes the task claimable again. */
  readonly leaseUntil?: number;
  /** How many times the task has been claimed in total (redeliveries included). */
  readonly deliveries: number;
  readonly heartbeatDetails?: Payload;
  readonly lastHeartbeatAt?: number;
  readonly lastFailure?: Failure;
}

export interface ClaimTasksRequest {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
  /** Only tasks of these activity types (a worker registers the types it can run). */
  readonly activityTypes?: readonly string[];
}

/** A lease extension (a heartbeat, or a lease check): see {@link TaskStore.extendTaskLease}. */
export interface ExtendTaskLeaseRequest {
  readonly namespace: string;
  readonly taskId: string;
  readonly owner: string;
  readonly leaseUntil: number;
  readonly heartbeatDetails?: Payload;
  readonly now: number;
  /** Extends only this attempt's lease. */
  readonly attempt?: number;
}

export interface RetryTaskRequest {
  readonly namespace: string;
  readonly taskId: string;
  /** The lease owner making the request; a stale owner changes nothing. */
  readonly owner: string;
  readonly attempt: number;
  readonly visibleAt: number;
  readonly lastFailure?: Failure;
}

/** Counts of one task queue's activity tasks (see {@link TaskStore.taskQueueStats}). */
export interface TaskQueueStats {
  readonly taskQueue: string;
  readonly backlog: number;
  readonly running: number;
  readonly scheduled: number;
}

export interface TaskStore {
  /**
   * Claims up to `limit` visible tasks (not leased, or lease expired), oldest visibleAt first,
   * incrementing `deliveries`. A task whose previous lease expired without `retryTask` (its
   * holder was lost mid-attempt) is claimed as its next attempt: `attempt + 1`.
   */
  claimTasks(request: ClaimTasksRequest): Promise<ActivityTask[]>;
  /**
   * Expires, as of `now`, every task lease and timer claim not held by `exceptOwner` (the
   * owners are known dead, e.g. the previous process of a single-node store) — or, with
   * `owners`, only those held by the owners named (cluster nodes found dead). Expired task
   * leases keep their owner, so the next claim counts a new attempt. Returns the counts.
   */
  expireLeases(request: {
    readonly exceptOwner: string;
    readonly now: number;
    readonly owners?: readonly string[];
  }): Promise<{ readonly tasks: number; readonly timers: number }>;
  /**
   * Extends a lease (heartbeat) and stores details; false when `owner` is not the current
   * holder, or (when `attempt` is given) the task is at another attempt.
   */
  extendTaskLease(request: ExtendTaskLeaseRequest): Promise<boolean>;
  /** Releases the lease and schedules the next attempt; false when `owner` no longer holds it. */
  retryTask(request: RetryTaskRequest): Promise<boolean>;
  getTask(namespace: string, taskId: string): Promise<ActivityTask | undefined>;
  listTasks(run: RunKey): Promise<ActivityTask[]>;
  /** Earliest visibleAt / leaseUntil among tasks of a queue (for wake-ups), or undefined. */
  nextTaskAt(namespace: string, taskQueue: string): Promise<number | undefined>;
  /**
   * Activity tasks of a namespace per task queue, as of `now`: `backlog` (claimable now:
   * visible and not leased, or lease expired), `running` (leased, lease not expired) and
   * `scheduled` (visible later: retry backoff). Queues without tasks are absent; sorted by queue.
   */
  taskQueueStats(namespace: string, now: number): Promise<TaskQueueStats[]>;
}
