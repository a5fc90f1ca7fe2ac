// The task queues of a namespace as the API shows them, defined once for the server, the
// client and the CLI: `GET {ns}/task-queues` (the listing) and its older alias
// `GET {ns}/workers`, whose shape is derived from the listing by {@link workersListing}.

/** A worker serving a task queue: a remote worker connected to the server, or the server's own. */
export interface TaskQueueWorkerInfo {
  /** The connection's id; remote workers only. */
  readonly id?: string;
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
  /** Remote attempts running now; with the limits below, only for a queue remote workers serve. */
  readonly inFlight?: number;
  readonly maxConcurrent?: number;
  readonly maxPerSecond?: number;
  readonly workers: readonly TaskQueueWorkerInfo[];
}

/** `GET {ns}/task-queues`. */
export interface TaskQueueListing {
  readonly namespace: string;
  readonly taskQueues: readonly TaskQueueInfo[];
}

/** A remote worker as `GET {ns}/workers` lists it. */
export interface ConnectedWorkerInfo {
  readonly id: string;
  readonly identity: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  readonly draining: boolean;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
}

/** `GET {ns}/workers`: the remote workers, and the queues they serve or that have tasks. */
export interface WorkersListing {
  readonly namespace: string;
  readonly workers: readonly ConnectedWorkerInfo[];
  readonly taskQueues: readonly Omit<TaskQueueInfo, 'workers'>[];
}

/**
 * The `GET {ns}/workers` shape of a task-queue listing: remote workers only (the server's
 * own is left out), and the queues with remote workers, dispatch state or tasks.
 */
export function workersListing(listing: TaskQueueListing): WorkersListing {
  const workers: ConnectedWorkerInfo[] = [];
  const taskQueues: Omit<TaskQueueInfo, 'workers'>[] = [];
  for (const { workers: serving, ...queue } of listing.taskQueues) {
    const remote = serving.filter((w) => !w.embedded);
    for (const { embedded: _embedded, id, connectedAt, ...w } of remote) {
      workers.push({
        id: id ?? '',
        ...w,
        namespace: listing.namespace,
        taskQueue: queue.name,
        connectedAt: Date.parse(connectedAt),
      });
    }
    const busy = queue.backlog + queue.running + queue.scheduled > 0;
    if (remote.length > 0 || queue.inFlight !== undefined || busy) taskQueues.push(queue);
  }
  return { namespace: listing.namespace, workers, taskQueues };
}
