// What a new run is recorded with: the inputs of every kind of start (client, child,
// continue-as-new successor), resolved to payloads and deadlines.
import type {
  Failure,
  Headers,
  ParentRef,
  Payload,
  Priority,
  RetryPolicy,
  ScheduledBy,
  SearchAttributes,
} from '../../core/index.js';
import type { ScheduleWrite } from '../../store/index.js';
import type { Arrival, PendingStart } from '../run-actor.js';

export interface StartRunParams {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  args: readonly Payload[];
  firstRunId: string;
  continuedFromRunId?: string;
  searchAttributes?: SearchAttributes;
  memo?: Readonly<Record<string, Payload>>;
  executionTimeoutMs?: number;
  executionDeadline?: number;
  runTimeoutMs?: number;
  removeOutbox?: readonly string[];
  requestId?: string;
  signals?: readonly Arrival[];
  /** A recorded version to start on (child starts); default: the type's routed version. */
  version?: string;
  parent?: ParentRef;
  headers?: Headers;
  /** The workflow retry policy (recorded on every run of the chain it applies to). */
  retryPolicy?: RetryPolicy;
  /** Task priority recorded with the run. */
  priority?: Priority;
  /** Attempt of the retry policy this run is (default 1). */
  attempt?: number;
  onCommitted?: () => void;
  /** The schedule fire starting this run: recorded on it, its write committed with the start. */
  scheduledBy?: ScheduledBy;
  lastResult?: Payload;
  lastFailure?: Failure;
  /** Cron workflow: the expression every run of the chain follows. */
  cronSchedule?: string;
  /** The first workflow task waits until then (epoch ms). */
  firstTaskAt?: number;
  schedule?: ScheduleWrite;
  /** Audit entries written with the start's commit (see START_AUDIT). */
  audit?: PendingStart['audit'];
}
