/**
 * The internal protocol between the engine (host) and the workflow runtime bundled into
 * each package (sandbox). Versioned: a package built for another protocol version is refused
 * with a clear message instead of misbehaving.
 */
import type { Failure } from './failure.js';
import type {
  ParentClosePolicy,
  Priority,
  RecordedActivityOptions,
  RetryPolicy,
} from './options.js';
import type { ScheduledBy } from './events.js';
import type { Headers } from './headers.js';
import type { Payload } from './payload.js';
import type { SearchAttributes } from './search-attributes.js';

export const ACTIVATION_PROTOCOL_VERSION = 1;

/** What a run learns about itself at instantiation. */
export interface WorkflowInitInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  /** Epoch ms of WorkflowStarted. */
  readonly startTime: number;
  readonly version: string;
  readonly firstRunId: string;
  readonly continuedFromRunId?: string;
  readonly parent?: {
    readonly workflowId: string;
    readonly runId: string;
    readonly namespace: string;
  };
  /** Seed of the run's deterministic randomness (derived from recorded ids). */
  readonly randomSeed: string;
  readonly attempt: number;
  /** Headers recorded with the start (absent when none). */
  readonly headers?: Headers;
  /** Search attributes recorded with the start (absent when none). */
  readonly searchAttributes?: SearchAttributes;
  /** The run's task priority (absent when none was given). */
  readonly priority?: Priority;
  /** The schedule fire that started the run (absent for other starts). */
  readonly scheduledBy?: ScheduledBy;
  readonly lastResult?: Payload;
  readonly lastFailure?: Failure;
}

/** Work delivered to a run in one activation. */
export type ActivationJob =
  | {
      readonly type: 'startWorkflow';
      readonly args: readonly Payload[];
      readonly headers?: Headers;
    }
  | { readonly type: 'resolveActivity'; readonly activityId: string; readonly result: Payload }
  | {
      readonly type: 'rejectActivity';
      readonly activityId: string;
      /** The final cause: the last attempt's failure, a timeout or a cancellation. */
      readonly failure: Failure;
      readonly attempt: number;
      readonly retryState?:
        'MAXIMUM_ATTEMPTS_REACHED' | 'NON_RETRYABLE_FAILURE' | 'TIMEOUT' | 'CANCEL_REQUESTED';
    }
  | { readonly type: 'fireTimer'; readonly timerId: string }
  | {
      readonly type: 'signalWorkflow';
      readonly signalName: string;
      readonly args: readonly Payload[];
      readonly headers?: Headers;
    }
  | { readonly type: 'cancelWorkflow'; readonly reason?: string }
  | { readonly type: 'resolveExternal'; readonly externalId: string }
  | { readonly type: 'rejectExternal'; readonly externalId: string; readonly failure: Failure }
  | { readonly type: 'resolveChildStart'; readonly childId: string; readonly runId: string }
  | { readonly type: 'failChildStart'; readonly childId: string; readonly failure: Failure }
  | { readonly type: 'resolveChild'; readonly childId: string; readonly result: Payload }
  | { readonly type: 'rejectChild'; readonly childId: string; readonly failure: Failure }
  | {
      readonly type: 'doUpdate';
      readonly updateId: string;
      readonly updateName: string;
      readonly args: readonly Payload[];
      readonly headers?: Headers;
      /**
       * The update was recorded before the run's first activation, with nothing to validate it
       * against: its validator runs when it is dispatched to a handler.
       */
      readonly validate?: true;
    };

export interface ActivationInput {
  /** Workflow time for this activation (epoch ms): `Date.now()` inside the sandbox. */
  readonly now: number;
  /** True while re-executing recorded history: logs are suppressed. */
  readonly replaying: boolean;
  readonly jobs: readonly ActivationJob[];
  readonly historyLength: number;
  readonly continueAsNewSuggested: boolean;
  /** While replaying: patch ids whose markers the history holds (`patched()` returns true for them). */
  readonly patches?: readonly string[] | undefined;
  /**
   * Whether to capture where this activation's activities, timers, children and external
   * requests start (shown by `__stack_trace` while they are pending). The engine's live
   * activations pass false: `__stack_trace` is answered from a replay of the history, which
   * passes true for the activations that started what is still pending. Absent: captured.
   */
  readonly captureStacks?: boolean;
  /**
   * Whether the conditions this activation starts waiting on record where they started.
   * History does not tell whether a condition still waits at its end, so a replay answering
   * `__stack_trace` records every one; the engine's live activations and its rebuilds pass
   * false. Absent: recorded.
   */
  readonly captureConditionStacks?: boolean;
}

/** Decisions a run makes; the engine turns them into events (live) or matches them (replay). */
export type WorkflowCommand =
  | {
      readonly type: 'scheduleActivity';
      readonly activityId: string;
      readonly activityType: string;
      readonly args: readonly Payload[];
      readonly options: RecordedActivityOptions;
      readonly local: boolean;
      /** Optional in the protocol: packages built before headers existed send none. */
      readonly headers?: Headers;
    }
  | { readonly type: 'requestCancelActivity'; readonly activityId: string }
  | { readonly type: 'startTimer'; readonly timerId: string; readonly durationMs: number }
  | { readonly type: 'cancelTimer'; readonly timerId: string }
  | { readonly type: 'completeWorkflow'; readonly result: Payload }
  | { readonly type: 'failWorkflow'; readonly failure: Failure }
  | { readonly type: 'cancelWorkflow' }
  | {
      readonly type: 'startChild';
      readonly childId: string;
      readonly workflowId: string;
      readonly workflowType: string;
      readonly args: readonly Payload[];
      readonly taskQueue: string;
      readonly parentClosePolicy: ParentClosePolicy;
      readonly executionTimeoutMs?: number;
      readonly runTimeoutMs?: number;
      readonly headers?: Headers;
      /** The child's workflow retry policy; absent in packages built before it existed. */
      readonly retryPolicy?: RetryPolicy;
      /** The child's task priority (the parent's unless the options gave one). */
      readonly priority?: Priority;
    }
  | {
      readonly type: 'signalExternal';
      readonly externalId: string;
      readonly workflowId: string;
      readonly runId?: string;
      readonly signalName: string;
      readonly args: readonly Payload[];
    }
  | {
      readonly type: 'cancelExternal';
      readonly externalId: string;
      readonly workflowId: string;
      readonly runId?: string;
    }
  | { readonly type: 'recordPatch'; readonly patchId: string; readonly deprecated: boolean }
  | {
      readonly type: 'completeUpdate';
      readonly updateId: string;
      readonly result?: Payload;
      readonly failure?: Failure;
    }
  /** Plain values by name (JSON payload); the engine types them with the namespace schema. */
  | { readonly type: 'upsertSearchAttributes'; readonly attributes: Payload }
  | { readonly type: 'upsertMemo'; readonly memo: Readonly<Record<string, Payload | null>> }
  | {
      readonly type: 'continueAsNew';
      readonly workflowType: string;
      readonly args: readonly Payload[];
      readonly taskQueue: string;
      readonly headers?: Headers;
      /** The successor's memo, replacing this run's (absent: this run's memo is carried). */
      readonly memo?: Readonly<Record<string, Payload>>;
      /** The successor's search attributes as plain values by name (JSON payload), replacing this run's. */
      readonly searchAttributes?: Payload;
    };

export type WorkflowCommandType = WorkflowCommand['type'];

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly at: number;
}

/**
 * A call workflow code made to a sink (`proxySinks`). Everything is text so nothing of the
 * sandbox's realm reaches the host: the arguments are payloads of the run's converter taken
 * at call time, the workflow info a JSON snapshot taken at call time.
 */
export interface SinkCall {
  readonly sink: string;
  readonly fn: string;
  readonly args: readonly Payload[];
  /** JSON of the caller's `workflowInfo()` (`startTime` in epoch ms, `unsafe` left out). */
  readonly info: string;
  /** Made while re-executing recorded history. */
  readonly replaying: boolean;
  /** Workflow time of the call (epoch ms). */
  readonly at: number;
}

export interface ActivationOutput {
  readonly commands: readonly WorkflowCommand[];
  readonly logs: readonly LogLine[];
  /** Sink calls of this activation, in call order (absent: none, or an older runtime). */
  readonly sinkCalls?: readonly SinkCall[];
  /**
   * Set when the activation crashed (a bug, not a workflow failure): the run stays open and
   * the engine retries the task. Commands are then discarded.
   */
  readonly taskFailure?: {
    readonly cause: 'sandbox' | 'unhandled' | 'deadlock';
    readonly failure: Failure;
  };
}

export type QueryOutcome =
  | { readonly ok: true; readonly result: Payload }
  | {
      readonly ok: false;
      readonly code: 'unknown_query' | 'query_failed';
      readonly failure: Failure;
    };

export type UpdateValidation =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: 'unknown_update' | 'update_rejected';
      readonly failure: Failure;
    };

/** The object the sandboxed runtime hands to the host for each run. */
export interface SandboxActivator {
  readonly protocolVersion: number;
  /** Applies jobs; commands are collected once the context's microtasks have drained. */
  activate(input: ActivationInput): void;
  /** Resolves `condition()` waiters whose predicate became true; returns true if any fired. */
  checkConditions(): boolean;
  /**
   * True when `condition()` waiters exist (else `checkConditions` has nothing to do); runs no
   * workflow code. Absent in older runtimes.
   */
  hasConditions?(): boolean;
  /** Takes the output collected since the last call. */
  takeOutput(): ActivationOutput;
  query(name: string, args: readonly Payload[]): QueryOutcome;
  /** Runs an update's validator (read-only, like a query); `ok` when the update may be accepted. */
  validateUpdate(name: string, args: readonly Payload[]): UpdateValidation;
  /** Where the run is waiting (for the built-in `__stack_trace` query). */
  stackTrace(): string;
  /** Names of the workflow types the bundle exports. */
  workflowTypes(): string[];
  /** The module's exported `workflowDefaults` (per-type default timeouts), as JSON text, if any. */
  workflowDefaults(): string | undefined;
  /** The run's instance is being dropped (absent in older runtimes). */
  dispose?(): void;
}
