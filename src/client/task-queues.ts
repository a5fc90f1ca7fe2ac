// Task queues over the API: each queue's stored task counts and the workers serving it.
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** A worker serving a task queue: a remote worker connected to the server, or the server's own. */
export interface TaskQueueWorkerInfo {
  readonly identity: string;
  /** ISO-8601. */
  readonly connectedAt: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  /** Finishing its attempts, taking no new ones. */
  readonly draining: boolean;
  /** The server's own worker (activities it was started with), not a connected one. */
  readonly embedded: boolean;
}

/** A task queue with tasks or workers. */
export interface TaskQueueInfo {
  readonly name: string;
  /** Activity tasks claimable now and not running. */
  readonly backlog: number;
  /** Activity tasks leased to a worker. */
  readonly running: number;
  /** Activity tasks due later (retries waiting for their backoff). */
  readonly scheduled: number;
  readonly workers: readonly TaskQueueWorkerInfo[];
}

export async function listTaskQueues(c: Connection, namespace: string): Promise<TaskQueueInfo[]> {
  const path = `${namespacePath(namespace)}/task-queues`;
  return (await c.request<{ taskQueues: TaskQueueInfo[] }>('GET', path)).taskQueues;
}
