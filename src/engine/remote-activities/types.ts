// What the remote dispatcher shows the outside: worker registrations and sessions, the
// frames and outcomes exchanged with a worker, per-queue limits and snapshots for listings.
import type { Failure } from '../../core/index.js';
import type { TaskFrame } from '../../protocol/index.js';

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
