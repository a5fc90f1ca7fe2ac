/** Messages between the engine (main thread) and its workflow thread. */
import type {
  ActivationInput,
  ActivationOutput,
  Failure,
  HistoryEvent,
  LogLine,
  Payload,
  QueryOutcome,
  RunKey,
  SinkCall,
  UpdateValidation,
  WorkflowInitInfo,
} from '../core/index.js';

export interface ActivateItem {
  /** Instance key (namespace + run id). */
  readonly key: string;
  /**
   * Present for a brand-new run: instantiate it before activating. A resident run needs
   * nothing else (its instance knows its module).
   */
  readonly init?: WorkflowInitInfo;
  /** The package version to instantiate `init` on, when not `init.version` (a re-pinned run). */
  readonly version?: string;
  readonly input: ActivationInput;
}

export type ReplayOutcome =
  | {
      readonly ok: true;
      readonly activations: number;
      /** Sink calls workflow code made while replaying (absent when none). */
      readonly sinkCalls?: readonly SinkCall[];
    }
  | {
      readonly ok: false;
      readonly cause: 'nondeterminism' | 'sandbox' | 'unhandled' | 'deadlock';
      readonly failure: Failure;
      readonly details?: Record<string, unknown>;
    };

/** One run to rebuild by replaying its history. */
export interface ReplayItem {
  readonly key: string;
  readonly version: string;
  readonly run: RunKey;
  /**
   * The history: its JSON text when the request crosses to a workflow thread (events are
   * JSON by nature — the stores keep them so — and a parsed history replays faster than a
   * structured clone of one: short strings come out shared, objects in fewer shapes), the
   * events themselves for the inline runtime.
   */
  readonly events: readonly HistoryEvent[] | string;
  /** Capture where pending operations started (replays that answer `__stack_trace`). */
  readonly stacks: boolean;
}

/** What the error of a failed request (or of one replay of several) carries back. */
export interface ErrorBody {
  readonly code?: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** The outcome of one replay of several: its own, or the error it threw. */
export type ReplayResult = { readonly replay: ReplayOutcome } | { readonly error: ErrorBody };

/**
 * A request to the workflow thread. Any request may carry `evict`: instances of closed runs the
 * thread drops (their `dispose` interceptors run) before it handles the request — evictions
 * made while the thread was idle ride on the next request instead of waking it on their own
 * (see DeferredEvictions).
 */
export type WorkerRequest = WorkerRequestBody & { readonly evict?: readonly string[] };

export type WorkerRequestBody =
  | {
      readonly id: number;
      readonly type: 'load';
      readonly version: string;
      readonly bundle: string;
    }
  | { readonly id: number; readonly type: 'activate'; readonly items: readonly ActivateItem[] }
  | ({ readonly id: number; readonly type: 'replay' } & ReplayItem)
  /** Several replays in one round trip (rebuilds queued together; see replay-batch.ts). */
  | { readonly id: number; readonly type: 'replays'; readonly items: readonly ReplayItem[] }
  | {
      readonly id: number;
      readonly type: 'query';
      readonly key: string;
      readonly name: string;
      readonly args: readonly Payload[];
    }
  | {
      readonly id: number;
      readonly type: 'validateUpdate';
      readonly key: string;
      readonly name: string;
      readonly args: readonly Payload[];
    }
  | { readonly id: number; readonly type: 'evict'; readonly keys: readonly string[] }
  | { readonly id: number; readonly type: 'unload'; readonly version: string }
  | { readonly id: number; readonly type: 'inspect'; readonly bundle: string };

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly outputs: readonly ActivationOutput[] }
  | { readonly id: number; readonly ok: true; readonly replay: ReplayOutcome }
  | { readonly id: number; readonly ok: true; readonly replays: readonly ReplayResult[] }
  | {
      readonly id: number;
      readonly ok: true;
      readonly query: QueryOutcome | { readonly ok: true; readonly stackTrace: string };
    }
  | {
      readonly id: number;
      readonly ok: true;
      readonly workflowTypes: readonly string[];
      readonly defaults?: string;
    }
  | { readonly id: number; readonly ok: true; readonly validation: UpdateValidation }
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: ErrorBody };

/**
 * Sent by the thread as workflow code writes a log line, before the request's response: the
 * host keeps the lines of the request in flight, to deliver them if the request never answers.
 */
export interface WorkerLogMessage {
  readonly log: LogLine;
}
