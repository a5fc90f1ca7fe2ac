/**
 * Wire frames of the WebSocket event stream (server → client, JSON text). Shared by the
 * server plugin and the client SDK; see docs/events.md for the endpoints and semantics.
 */
import type { ErrorCode, HistoryEvent, WorkflowStatus } from '../core/index.js';

/** Path of the per-workflow history stream (WebSocket), relative to the server address. */
export const historyStreamPath = (namespace: string, workflowId: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/history/stream`;

/** Path of the filtered live feed of run changes (WebSocket). */
export const runFeedPath = (namespace: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/workflows/stream`;

/** WebSocket close codes the server uses (besides 1000 normal and 1001 going away). */
export const STREAM_CLOSE = {
  /** After an `error` frame for a client mistake (bad parameters, auth, not found). */
  refused: 1008,
  /** After an `error` frame for a server failure. */
  internal: 1011,
  /** After a `lagged` frame: the client was too slow; reconnect and resume. */
  lagged: 4000,
} as const;

/** First frame of a history stream: what is being streamed and from where. */
export interface HistorySubscribedFrame {
  readonly type: 'subscribed';
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly fromSeq: number;
  /** Head seq of the run when the subscription started. */
  readonly headSeq: number;
}

/** Consecutive events of one run (seqs strictly increasing by 1 across frames of a run). */
export interface HistoryEventsFrame {
  readonly type: 'events';
  readonly runId: string;
  readonly events: readonly HistoryEvent[];
}

/** The stored suffix has been sent; from now on events arrive as they are committed. */
export interface HistoryLiveFrame {
  readonly type: 'live';
  readonly runId: string;
  /** Last seq sent so far (fromSeq - 1 if none). */
  readonly lastSeq: number;
}

/** The run closed; its terminal event was the last `events` frame. */
export interface RunClosedFrame {
  readonly type: 'run_closed';
  readonly runId: string;
  readonly status: WorkflowStatus;
  readonly lastSeq: number;
  /** Set for CONTINUED_AS_NEW: the successor run. */
  readonly nextRunId?: string;
}

/** Following continue-as-new: events of `runId` follow, from seq 1. */
export interface RunContinuedFrame {
  readonly type: 'continued';
  readonly fromRunId: string;
  readonly runId: string;
}

/** A change of a run's lifecycle on the live run feed. */
export interface RunChangeFrame {
  readonly type: 'run';
  readonly change: 'started' | 'status' | 'closed';
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: WorkflowStatus;
  /** Seq of the event that caused the change. */
  readonly seq: number;
  /** `recordedAt` of that event (engine time, epoch ms). */
  readonly at: number;
}

/**
 * The server stopped sending because the client did not read fast enough (its socket buffer
 * passed the bound). Everything up to `lastSeq` of `runId` was sent before this frame; the
 * connection closes with {@link STREAM_CLOSE.lagged}. Resume with `fromSeq = lastSeq + 1`.
 * On the run feed, `runId`/`lastSeq` are absent: changes after the frame were not sent.
 */
export interface LaggedFrame {
  readonly type: 'lagged';
  readonly runId?: string;
  readonly lastSeq?: number;
}

/** A refused or failed subscription; the connection closes after it. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export type HistoryStreamFrame =
  | HistorySubscribedFrame
  | HistoryEventsFrame
  | HistoryLiveFrame
  | RunClosedFrame
  | RunContinuedFrame
  | LaggedFrame
  | ErrorFrame;

/** First frame of the run feed. */
export interface RunFeedSubscribedFrame {
  readonly type: 'subscribed';
  readonly namespace: string;
}

export type RunFeedFrame = RunFeedSubscribedFrame | RunChangeFrame | LaggedFrame | ErrorFrame;
