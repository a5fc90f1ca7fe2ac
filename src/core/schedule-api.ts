// The schedules part of the client API contract (`client.schedule`), shared by the engine's
// in-process client and the remote SDK. Names follow Temporal's schedule client.
import type { Duration } from './duration.js';
import type { Headers } from './headers.js';
import type { WorkflowRetryPolicy } from './options.js';
import type { ScheduleSpec } from './schedule-spec.js';
import type { SearchAttributes } from './search-attributes.js';

/** What a fire does while an action this schedule started is still running. */
export const ScheduleOverlapPolicy = {
  /** Do not start; the fire is recorded as skipped (default). */
  SKIP: 'SKIP',
  /** Start once the running action closes; at most one fire waits. */
  BUFFER_ONE: 'BUFFER_ONE',
  /** Start each fire in order once the previous closes (at most 1,000 wait). */
  BUFFER_ALL: 'BUFFER_ALL',
  /** Cancel the running action, start when it has closed. */
  CANCEL_OTHER: 'CANCEL_OTHER',
  /** Terminate the running action, start when it has closed. */
  TERMINATE_OTHER: 'TERMINATE_OTHER',
  /** Start regardless. */
  ALLOW_ALL: 'ALLOW_ALL',
} as const;
export type ScheduleOverlapPolicy =
  (typeof ScheduleOverlapPolicy)[keyof typeof ScheduleOverlapPolicy];

/** The action of a schedule: start a workflow. */
export interface ScheduleStartWorkflowAction {
  readonly type: 'startWorkflow';
  /** A registered workflow type (a name, or the workflow function). */
  readonly workflowType: string | ((...args: never[]) => Promise<unknown>);
  readonly args?: readonly unknown[];
  readonly taskQueue?: string;
  /**
   * The base of each started workflow's id: `<workflowId>-<nominal time ISO>`. Default: the
   * schedule id.
   */
  readonly workflowId?: string;
  readonly workflowExecutionTimeout?: Duration;
  readonly workflowRunTimeout?: Duration;
  readonly workflowTaskTimeout?: Duration;
  readonly retry?: WorkflowRetryPolicy;
  readonly memo?: Readonly<Record<string, unknown>>;
  readonly searchAttributes?: Readonly<Record<string, unknown>> | SearchAttributes;
  readonly headers?: Headers;
}

export interface SchedulePolicies {
  /** Default `SKIP`. */
  readonly overlap?: ScheduleOverlapPolicy;
  /**
   * How late a fire may still start (after the engine was down or busy); older fires are
   * counted as missed. Default 1 minute (Temporal's server: 1 year); minimum 10 seconds.
   */
  readonly catchupWindow?: Duration;
  /** Pause the schedule when an action it started fails, times out or is terminated. */
  readonly pauseOnFailure?: boolean;
}

export interface ScheduleOptions {
  readonly scheduleId: string;
  readonly spec: ScheduleSpec;
  readonly action: ScheduleStartWorkflowAction;
  readonly policies?: SchedulePolicies;
  readonly state?: {
    readonly paused?: boolean;
    readonly note?: string;
    /** Take this many actions, then stop firing (the schedule stays until deleted). */
    readonly remainingActions?: number;
    /** Fire once right away, as `trigger()` does. */
    readonly triggerImmediately?: boolean;
    /** Backfills to run right after creation. */
    readonly backfill?: readonly ScheduleBackfill[];
  };
  readonly memo?: Readonly<Record<string, unknown>>;
  readonly searchAttributes?: Readonly<Record<string, unknown>> | SearchAttributes;
}

/** The fields an update replaces (the id is fixed). */
export type ScheduleUpdateOptions = Omit<ScheduleOptions, 'scheduleId' | 'state'> & {
  readonly state?: {
    readonly paused?: boolean;
    readonly note?: string;
    readonly remainingActions?: number;
  };
};

/** Apply the nominal times in `[start, end]` now, as if they had fired. */
export interface ScheduleBackfill {
  readonly start: Date | string | number;
  readonly end: Date | string | number;
  /** Default: the schedule's policy. */
  readonly overlap?: ScheduleOverlapPolicy;
}

/** A workflow a schedule started. */
export interface ScheduleActionWorkflow {
  readonly workflowId: string;
  readonly firstExecutionRunId: string;
}

/** One decided fire: when it was due, when it was taken, what became of it. */
export interface ScheduleActionResult {
  readonly scheduledAt: Date;
  readonly takenAt: Date;
  /** `scheduled`, `trigger` or `backfill`. */
  readonly kind: 'scheduled' | 'trigger' | 'backfill';
  readonly outcome: 'started' | 'skipped' | 'buffered' | 'missed' | 'dropped' | 'failed';
  /** The started workflow (outcome `started`). */
  readonly action?: { readonly type: 'startWorkflow'; readonly workflow: ScheduleActionWorkflow };
  readonly reason?: string;
}

export interface ScheduleInfo {
  /** The next nominal fire times, in order (time-zone aware, jitter not applied). */
  readonly nextActionTimes: readonly Date[];
  readonly recentActions: readonly ScheduleActionResult[];
  readonly runningActions: readonly {
    readonly type: 'startWorkflow';
    readonly workflow: ScheduleActionWorkflow;
  }[];
  /** Fires waiting for a running action to close (buffer policies). */
  readonly bufferedActions: number;
  readonly numActionsTaken: number;
  readonly numActionsMissedCatchupWindow: number;
  readonly numActionsSkippedOverlap: number;
  /** Buffered fires dropped because the buffer was full. */
  readonly numActionsDropped: number;
  /** Fires that could not start (for example an unknown workflow type). */
  readonly numActionsFailed: number;
  readonly createdAt: Date;
  readonly lastUpdatedAt?: Date;
}

export interface ScheduleDescription {
  readonly scheduleId: string;
  readonly spec: ScheduleSpec;
  readonly action: ScheduleStartWorkflowAction & { readonly workflowType: string };
  readonly policies: Required<Pick<SchedulePolicies, 'overlap' | 'pauseOnFailure'>> & {
    /** Milliseconds. */
    readonly catchupWindow: number;
  };
  readonly state: {
    readonly paused: boolean;
    readonly note?: string;
    /** Actions left before the schedule stops firing; absent when unlimited. */
    readonly remainingActions?: number;
  };
  readonly info: ScheduleInfo;
  readonly memo?: Readonly<Record<string, unknown>>;
  readonly searchAttributes: SearchAttributes;
  /** Changes with every write; `update` uses it to refuse lost updates. */
  readonly conflictToken: number;
}

export interface ScheduleSummary {
  readonly scheduleId: string;
  readonly spec: ScheduleSpec;
  readonly action: { readonly type: 'startWorkflow'; readonly workflowType: string };
  readonly state: { readonly paused: boolean; readonly note?: string };
  readonly info: Pick<ScheduleInfo, 'nextActionTimes' | 'recentActions'>;
  readonly memo?: Readonly<Record<string, unknown>>;
  readonly searchAttributes: SearchAttributes;
}

export interface ScheduleListOptions {
  /** Schedules per page fetched underneath (default 100). */
  readonly pageSize?: number;
  /**
   * A filter in the workflow list query language over the schedules' own search attributes
   * (`Team = 'billing'`); `WorkflowId` is the schedule id, `WorkflowType` the action's type,
   * `ExecutionStatus` is `'Paused'` or `'Running'`.
   */
  readonly query?: string;
}

export interface ScheduleHandle {
  readonly scheduleId: string;
  describe(): Promise<ScheduleDescription>;
  /**
   * Read–modify–write: `fn` gets the current description and returns the new definition. When
   * the schedule changed in between, the update is retried with the new description.
   */
  update(fn: (previous: ScheduleDescription) => ScheduleUpdateOptions): Promise<void>;
  pause(note?: string): Promise<void>;
  unpause(note?: string): Promise<void>;
  /** Fire once now; `overlap` overrides the schedule's policy for this fire. */
  trigger(overlap?: ScheduleOverlapPolicy): Promise<void>;
  backfill(backfill: ScheduleBackfill | readonly ScheduleBackfill[]): Promise<void>;
  delete(): Promise<void>;
}

export interface ScheduleClient {
  create(options: ScheduleOptions): Promise<ScheduleHandle>;
  getHandle(scheduleId: string): ScheduleHandle;
  list(options?: ScheduleListOptions): AsyncIterable<ScheduleSummary>;
}
