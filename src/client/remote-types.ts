// Public interfaces of the remote workflow API: the shared client and handle, plus the
// operator actions only the remote SDK offers (reset, reopen, retry, history streaming).
import type { GetWorkflowHandleOptions, HistoryEvent } from '../core/index.js';
import type { HistoryStream } from './stream.js';
import type {
  MessageRef,
  ResultOf,
  HistoryExport,
  WorkflowClient,
  WorkflowHandle,
  WorkflowStartOptions,
  WorkflowTypeRef,
} from './types.js';

/** A remote handle: the shared `WorkflowHandle` plus operator actions. */
export interface RemoteWorkflowHandle<R = unknown> extends WorkflowHandle<R> {
  /**
   * New run from a workflow-task boundary of this run (see docs/workflows.md#reset-and-reopen).
   * Signals received after that point are recorded again on the new run unless
   * `resetReapplyType` is `'NONE'` (or `resetReapplyExcludeTypes` holds `'SIGNAL'`).
   */
  reset(options?: {
    to?: number | 'firstWorkflowTask' | 'lastWorkflowTask';
    reason?: string;
    version?: string;
    resetReapplyType?: 'SIGNAL' | 'ALL_ELIGIBLE' | 'NONE';
    resetReapplyExcludeTypes?: readonly ('SIGNAL' | 'UPDATE')[];
  }): Promise<RemoteWorkflowHandle<R>>;
  /** Reopens a FAILED or CANCELLED run as a new run. */
  reopen(options?: { reason?: string; version?: string }): Promise<RemoteWorkflowHandle<R>>;
  /** Retries a stuck run now, optionally re-pinned to a version its history replays on. */
  retry(options?: { version?: string }): Promise<{ repinned: boolean }>;
  /**
   * The run's history as a live async iterable: stored events from `fromSeq`, then each event
   * as it is committed, until the run (or, with `follow`, its continue-as-new chain) closes.
   * Resumes by itself after disconnects; every event is yielded once, in order.
   */
  subscribe(options?: {
    fromSeq?: number;
    follow?: boolean;
    signal?: AbortSignal;
    /** Payloads decoded by the server (operator or admin role). Default false. */
    decode?: boolean;
  }): HistoryStream;
  /**
   * The run's whole history. With `decode`, the server decodes payloads with its codecs
   * (operator or admin role); otherwise they are as the server stores them (encrypted, when
   * it encrypts). See docs/data-protection.md.
   */
  fetchHistory(options?: { decode?: boolean }): Promise<HistoryExport>;
  /** One window of the run's history from `fromSeq`; `nextSeq` is null at the head. */
  fetchHistoryPage(options?: {
    fromSeq?: number;
    maxEvents?: number;
    maxBytes?: number;
    decode?: boolean;
  }): Promise<{
    events: HistoryEvent[];
    nextSeq: number | null;
    runId: string;
  }>;
}

/** The workflow client of the remote SDK: the shared API, with handles that also reset/reopen/retry. */
export interface RemoteWorkflowClient extends WorkflowClient {
  start<W extends WorkflowTypeRef>(
    workflow: W,
    options?: WorkflowStartOptions,
  ): Promise<RemoteWorkflowHandle<ResultOf<W>>>;
  signalWithStart<W extends WorkflowTypeRef>(
    workflow: W,
    options: WorkflowStartOptions & {
      workflowId: string;
      signal: MessageRef;
      signalArgs?: readonly unknown[];
    },
  ): Promise<RemoteWorkflowHandle<ResultOf<W>>>;
  getHandle<R = unknown>(
    workflowId: string,
    runId?: string,
    options?: GetWorkflowHandleOptions,
  ): RemoteWorkflowHandle<R>;
}

/** Resolves a handle through the owning client (reset and reopen answer with a new run's). */
export type GetRemoteHandle = <R = unknown>(
  workflowId: string,
  runId?: string,
  options?: GetWorkflowHandleOptions,
) => RemoteWorkflowHandle<R>;
