// Shapes the activity service shares with the engine and the remote dispatcher: the data
// kept in a task row, outcomes handed back to runs, and the remote attempt runner seams.
import type { AttemptHandle } from '../../activity/internal.js';
import type { AttemptRequest } from '../../activity/internal.js';
import type { Clock } from '../../clock/index.js';
import type {
  DataConverter,
  Headers,
  NewEvent,
  RecordedActivityOptions,
  RunKey,
} from '../../core/index.js';
import type { ActivityTask, Store } from '../../store/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { StoreRetryEnv } from '../store-retry.js';

/** Engine data kept in a task row's `options`. */
export interface TaskData {
  readonly workflowType: string;
  readonly scheduledAt: number;
  readonly options: RecordedActivityOptions;
  readonly local: boolean;
  /** Headers recorded with ActivityScheduled, handed to each attempt. */
  readonly headers?: Headers;
}

/** A recorded outcome to deliver to a run (the engine turns it into an arrival). */
export interface ActivityArrival {
  readonly run: RunKey;
  readonly activityId: string;
  readonly event: NewEvent;
  readonly taskId: string;
  /** The activity's timer rows to delete with it; undefined: every timer it may own. */
  readonly timerIds?: readonly string[];
  /** Settled once the outcome is committed (or refused because the run moved on). */
  readonly ack?: { resolve(): void; reject(error: unknown): void };
}

/**
 * Runs attempts somewhere other than the in-process executor (remote workers). The
 * service does everything else: the attempt's info, lease renewal, retry decisions and
 * recording. `onDurable` is called once the outcome is durable (retry row written, or final
 * event committed or refused) — a remote worker is acknowledged only then.
 */
export interface AttemptRunner {
  execute(request: AttemptRequest): AttemptHandle & { onDurable?: () => void };
}

/** What the service tells the remote dispatcher (wake-ups for tasks it did not lease). */
export interface RemoteWakeups {
  wake(namespace: string, taskQueue: string, at: number): void;
  /**
   * Reserves a free remote-worker slot for a task about to be scheduled (synchronous, no
   * I/O); true means the task may be written pre-leased and handed over with `take`.
   */
  reserve(namespace: string, taskQueue: string, activityType: string, taskId: string): boolean;
  /** Hands a reserved, pre-leased task (committed; leased since `mark`) to a remote worker. */
  take(task: ActivityTask, mark: number | undefined): void;
  /** Whether a connected remote worker registered this queue and activity type. */
  serves(namespace: string, taskQueue: string, activityType: string): boolean;
}

/** What the service's parts share; built once by the service. */
export interface ServiceEnv {
  readonly store: Store;
  readonly clock: Clock;
  /** This engine's identity, the owner of the task leases it takes. */
  readonly owner: string;
  readonly converter: DataConverter;
  readonly metrics: EngineMetrics;
  /** Store writes that must not be lost (a retry's next attempt) wait out an outage with it. */
  readonly retry: StoreRetryEnv;
  readonly onArrival: (arrival: ActivityArrival) => void;
  /** Claims due tasks of the served queues at `at` (a retry becomes visible then). */
  schedulePoll(at: number): void;
  /** Tells the remote dispatcher (if attached) that a task becomes claimable at `at`. */
  wakeRemote(namespace: string, taskQueue: string, at: number): void;
}
