// The dispatcher's bookkeeping of one worker connection and of one task queue, and their
// snapshots for listings (the registry owns them; the attempt table counts what runs where).
import type {
  TaskQueueOptions,
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSink,
  WorkerSnapshot,
} from './types.js';

export interface Conn {
  readonly id: string;
  readonly reg: WorkerRegistration;
  readonly types: ReadonlySet<string>;
  readonly sink: WorkerSink;
  readonly connectedAt: number;
  inFlight: number;
  draining: boolean;
  closed: boolean;
}

export interface QueueState {
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

/** A queue seen for the first time: full token bucket, and tasks may be waiting. */
export function newQueueState(name: string, options: TaskQueueOptions, now: number): QueueState {
  return {
    name,
    options,
    inFlight: 0,
    tokens: Math.max(1, options.maxPerSecond ?? 0),
    refilledAt: now,
    backlog: true,
  };
}

export function workerSnapshot(c: Conn): WorkerSnapshot {
  return {
    id: c.id,
    identity: c.reg.identity,
    namespace: c.reg.namespace,
    taskQueue: c.reg.taskQueue,
    activityTypes: [...c.reg.activityTypes],
    maxConcurrent: c.reg.maxConcurrent,
    inFlight: c.inFlight,
    draining: c.draining,
    connectedAt: c.connectedAt,
  };
}

export function queueSnapshot(q: QueueState): TaskQueueSnapshot {
  return { name: q.name, inFlight: q.inFlight, ...q.options };
}
