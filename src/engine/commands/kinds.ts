// Kinds of the timer and outbox rows that a run's commits write, and the data each row carries.
// The engine reads them back when the timer fires or the outbox row is dispatched.
import type {
  Failure,
  Headers,
  NewEvent,
  ParentRef,
  Payload,
  Priority,
  RetryPolicy,
  SearchAttributes,
} from '../../core/index.js';

export const USER_TIMER_KIND = 'timer';
export const CONTINUE_AS_NEW_KIND = 'continue-as-new';
/** The next attempt of a failed run under its workflow retry policy (a successor, like CAN). */
export const WORKFLOW_RETRY_KIND = 'workflow-retry';
export const WORKFLOW_TIMEOUT_KIND = 'workflow-timeout';
/** The next run of a cron workflow (a successor, like CAN, created when a run closes). */
export const WORKFLOW_CRON_KIND = 'workflow-cron';
/** A run's delayed first workflow task (cron, `startDelay`): the timer that releases it. */
export const FIRST_TASK_KIND = 'workflow-first-task';
export const FIRST_TASK_TIMER_ID = 'workflow/first-task';
export const CHILD_START_KIND = 'child-start';
export const CHILD_RESULT_KIND = 'child-result';
export const CLOSE_POLICY_KIND = 'parent-close-policy';
export const EXTERNAL_KIND = 'external';
export const ACTIVITY_TIMEOUT_KIND = 'activity-timeout';

/** What an external signal/cancel outbox row carries. */
export interface ExternalData {
  readonly initiatedSeq: number;
  readonly action: 'signal' | 'cancel';
  readonly workflowId: string;
  readonly runId?: string;
  readonly signalName?: string;
  readonly args?: readonly Payload[];
}

/** What a child-result outbox row carries to the parent. */
export interface ChildResultData {
  readonly parent: ParentRef;
  readonly event: NewEvent;
}

/** What a parent-close-policy outbox row asks for. */
export interface ClosePolicyData {
  readonly workflowId: string;
  readonly runId: string;
  readonly action: 'TERMINATE' | 'REQUEST_CANCEL';
  readonly reason: string;
}

/** What a child-start outbox row carries. */
export interface ChildStartData {
  readonly initiatedSeq: number;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly args: readonly Payload[];
  readonly taskQueue: string;
  readonly version: string;
  readonly executionTimeoutMs?: number;
  readonly runTimeoutMs?: number;
  readonly headers?: Headers;
  readonly retryPolicy?: RetryPolicy;
  readonly priority?: Priority;
}

/**
 * What the outbox row of a continue-as-new (or of a workflow retry) carries to start the
 * successor.
 */
export interface ContinueAsNewData {
  readonly newRunId: string;
  readonly workflowType: string;
  readonly args: readonly Payload[];
  readonly taskQueue: string;
  readonly firstRunId: string;
  readonly executionDeadline?: number;
  readonly executionTimeoutMs?: number;
  readonly runTimeoutMs?: number;
  readonly searchAttributes?: SearchAttributes;
  readonly memo?: Readonly<Record<string, Payload>>;
  readonly parent?: ParentRef;
  readonly headers?: Headers;
  /** The workflow retry policy, carried to every run of the chain. */
  readonly retryPolicy?: RetryPolicy;
  /** The chain's task priority. */
  readonly priority?: Priority;
  /** Attempt of the retry policy the successor is (absent: 1). */
  readonly attempt?: number;
  /** Epoch ms before which the successor must not start (a retry's backoff). */
  readonly notBefore?: number;
  /** A cron successor: its cron expression, first task time and what the last run left. */
  readonly cronSchedule?: string;
  readonly firstTaskAt?: number;
  readonly lastResult?: Payload;
  readonly lastFailure?: Failure;
}
