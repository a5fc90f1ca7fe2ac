// What the scheduler is built from: the engine's services and settings it drives runs with,
// the callbacks it reports through, and the supervision policy for crashed tasks.
import type { ReplayThread } from './replay-thread.js';
import type { Clock, IdSource } from '../../clock/index.js';
import type {
  HistoryEvent,
  Limits,
  LogLine,
  SinkCall,
  RunKey,
  SearchAttributeType,
} from '../../core/index.js';
import type { WorkflowThread } from '../../runtime/index.js';
import type { OutboxRow, Store } from '../../store/index.js';
import type { ActivityService } from '../activity-service/index.js';
import type { RunLimits } from '../commands/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { PackageRegistry } from '../package-registry.js';
import type { Recorder } from '../recorder.js';
import type { StoreHealth } from '../store-health.js';
import type { StoreRetryEnv } from '../store-retry.js';
import type { TimerService } from '../timer-service.js';
import type { HistoryPolicy } from './history-policy.js';

export interface EngineLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface SchedulerDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Source of fresh ids (child run ids, continue-as-new successors). Default `randomIds`. */
  readonly ids?: IdSource;
  readonly recorder: Recorder;
  readonly registry: PackageRegistry;
  readonly thread: WorkflowThread;
  /** Replays that answer reads (closed-run queries, time travel) run here, not in `thread`. */
  readonly replays: ReplayThread;
  readonly activities: ActivityService;
  readonly timers: TimerService;
  readonly metrics: EngineMetrics;
  readonly limits: Limits;
  readonly logger: EngineLogger;
  /** Whether the store answers (senders waiting on a commit are given up only while it does not). */
  readonly health: StoreHealth;
  /** Waits, jitter, the store deadline and whether the engine is stopping, for store retries. */
  readonly retry: StoreRetryEnv;
  readonly maxResidentRuns: number;
  readonly supervision: SupervisionPolicy;
  /** History limits: the workflow's share, the headroom, the warning fraction. */
  readonly history: HistoryPolicy;
  /** Per-run limits a workflow task's commands are checked against. */
  readonly runLimits: RunLimits;
  /**
   * Called after a run's terminal event is committed — or, with `found`, when a rebuild finds
   * a run closed by a commit this engine did not make (one the store applied late).
   */
  readonly onClosed: (
    run: RunKey,
    terminal: HistoryEvent,
    workflowType: string,
    found?: boolean,
    /** The schedule that started the run, if one did. */
    scheduleId?: string,
  ) => void;
  /** An update's outcome was committed. */
  readonly onUpdateCompleted: (
    run: RunKey,
    event: HistoryEvent & { type: 'UpdateCompleted' },
  ) => void;
  /** The routed version of a workflow type (cached; undefined when unknown). */
  readonly routeFor: (namespace: string, workflowType: string) => string | undefined;
  /** The namespace's search-attribute schema (for upserts from workflow code). */
  readonly schemaFor: (namespace: string) => ReadonlyMap<string, SearchAttributeType>;
  /** Dispatches an outbox message committed by a run (e.g. a continue-as-new successor). */
  readonly onOutbox: (row: OutboxRow) => void;
  /** Workflow log lines (already replay-filtered). */
  readonly onWorkflowLog: (run: RunKey, line: LogLine) => void;
  /** Sink calls of an activation or a replay (the receiver drops replayed ones it does not want). */
  readonly onSinkCalls: (run: RunKey, calls: readonly SinkCall[]) => void;
}

/**
 * How task crashes are supervised: retried by replay with exponential backoff, at most
 * `maxRestarts` within `withinMs`; then the run is parked as stuck (or failed, for types
 * listed in `failTypes`).
 */
export interface SupervisionPolicy {
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly failTypes: ReadonlySet<string>;
}
