import type { Failure, RecordedActivityOptions, TimeoutType } from '../core/index.js';

/** What an activity knows about its current attempt (`Context.current().info`). */
export interface ActivityInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly activityId: string;
  readonly activityType: string;
  readonly taskQueue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Opaque token that addresses this attempt (for asynchronous completion). */
  readonly taskToken: string;
  /** Epoch ms when the activity was scheduled (first attempt). */
  readonly scheduledTime: number;
  /** Epoch ms when this attempt started. */
  readonly startedTime: number;
  /** Epoch ms by which this attempt must finish (start-to-close), if any. */
  readonly deadline: number | undefined;
  readonly heartbeatTimeoutMs: number | undefined;
  /** Details of the last heartbeat of the previous attempt, if any. */
  readonly heartbeatDetails: unknown;
  readonly isLocal: boolean;
}

/** One attempt to run. */
export interface AttemptRequest {
  readonly info: ActivityInfo;
  /** Decoded arguments. */
  readonly args: readonly unknown[];
  readonly options: RecordedActivityOptions;
}

/** How an attempt ended. */
export type AttemptOutcome =
  | { readonly type: 'completed'; readonly result: unknown }
  /** The activity threw; `failure` is its serialised error. */
  | { readonly type: 'failed'; readonly failure: Failure }
  | {
      readonly type: 'timed_out';
      readonly timeoutType: Extract<TimeoutType, 'START_TO_CLOSE' | 'HEARTBEAT'>;
      readonly failure: Failure;
    }
  /**
   * The attempt threw after its cancellation signal fired (or was cancelled before it
   * started). `shutdown` is true when the executor itself cancelled it because it was
   * shutting down, not because the workflow asked: do not record that as ActivityCancelled.
   */
  | { readonly type: 'cancelled'; readonly failure: Failure; readonly shutdown?: boolean }
  /** The activity threw CompleteAsyncError: the outcome arrives later by task token. */
  | { readonly type: 'async' };

/** Receives heartbeats of running attempts (the engine extends the lease and stores details). */
export type HeartbeatSink = (info: ActivityInfo, details: unknown) => void;

export type ActivityFunction = (...args: never[]) => unknown;
