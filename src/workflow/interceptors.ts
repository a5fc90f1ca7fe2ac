/**
 * Workflow interceptors. They are workflow code: the workflow module exports a factory
 * named `interceptors`, called once per run inside the sandbox (on replay too), so they must
 * be as deterministic as the workflow itself — no I/O, only `aion/workflow` APIs.
 *
 * @example
 * // workflows/index.ts
 * import type { WorkflowInterceptorsFactory } from 'aion/workflow';
 * export const interceptors: WorkflowInterceptorsFactory = () => ({
 *   inbound: [{
 *     handleSignal: (input, next) => { log.info('signal', { tenant: input.headers.tenant }); return next(input); },
 *   }],
 *   outbound: [{
 *     scheduleActivity: (input, next) =>
 *       next({ ...input, headers: { ...input.headers, tenant: workflowInfo().headers.tenant! } }),
 *   }],
 * });
 */
import type { ActivationInput, Headers, WorkflowCommand } from '../core/index.js';
import type { SearchAttributeValueInput } from './search-attribute-input.js';
import type { ActivityOptions } from './activity-options.js';

export interface WorkflowExecuteInput {
  readonly args: readonly unknown[];
  /** Headers recorded with the start. */
  readonly headers: Headers;
}

export interface SignalInput {
  readonly signalName: string;
  readonly args: readonly unknown[];
  /** Headers recorded with the signal. */
  readonly headers: Headers;
}

export interface UpdateInput {
  readonly updateId: string;
  readonly updateName: string;
  readonly args: readonly unknown[];
  /** Headers recorded with the update. */
  readonly headers: Headers;
}

/** Queries are not recorded: no headers. Query interceptors must be synchronous. */
export interface QueryInput {
  readonly queryName: string;
  readonly args: readonly unknown[];
}

/**
 * Calls into the workflow. `handleSignal` runs when the signal is delivered: `next` hands
 * it to its handler (or buffers it until one is set).
 */
export interface WorkflowInboundCallsInterceptor {
  execute?(
    input: WorkflowExecuteInput,
    next: (input: WorkflowExecuteInput) => Promise<unknown>,
  ): Promise<unknown>;
  handleSignal?(input: SignalInput, next: (input: SignalInput) => void): void;
  handleUpdate?(
    input: UpdateInput,
    next: (input: UpdateInput) => Promise<unknown>,
  ): Promise<unknown>;
  handleQuery?(input: QueryInput, next: (input: QueryInput) => unknown): unknown;
}

export interface ScheduleActivityInput {
  readonly activityType: string;
  readonly args: readonly unknown[];
  readonly options: ActivityOptions;
  readonly local: boolean;
  /** Recorded with `ActivityScheduled`; the attempt sees them as `info.headers`. */
  readonly headers: Headers;
}

export interface StartChildWorkflowInput {
  readonly workflowType: string;
  readonly workflowId: string;
  readonly args: readonly unknown[];
  /** Recorded with the child's start. */
  readonly headers: Headers;
}

export interface ContinueAsNewInput {
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly args: readonly unknown[];
  /** Recorded with the successor's start. */
  readonly headers: Headers;
  /** The successor's memo and search attributes, when the caller set them (else this run's are carried). */
  readonly memo?: Readonly<Record<string, unknown>>;
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeValueInput>>;
}

/**
 * Calls out of the workflow. The trace context of the start (`_traceparent`) is carried to
 * activities, children and the successor by the engine whether or not an interceptor is set.
 */
export interface WorkflowOutboundCallsInterceptor {
  scheduleActivity?(
    input: ScheduleActivityInput,
    next: (input: ScheduleActivityInput) => Promise<unknown>,
  ): Promise<unknown>;
  startChildWorkflow?(
    input: StartChildWorkflowInput,
    next: (input: StartChildWorkflowInput) => Promise<unknown>,
  ): Promise<unknown>;
  continueAsNew?(
    input: ContinueAsNewInput,
    next: (input: ContinueAsNewInput) => Promise<never>,
  ): Promise<never>;
}

/**
 * Input of {@link WorkflowInternalsInterceptor.activate}: one activation of the run — the
 * jobs the engine delivers together (start, activity and timer outcomes, signals, updates,
 * cancellation), the workflow time and whether the run is replaying. Unlike Temporal's, the
 * activation is Aion's, and it is never split into batches (`batchIndex` is always 0).
 */
export interface ActivateInput {
  readonly activation: ActivationInput;
  readonly batchIndex: number;
}

/**
 * Input (and output) of {@link WorkflowInternalsInterceptor.concludeActivation}: the commands
 * the activation produced, in Aion's command form. Changes must be deterministic: on replay
 * the commands are matched against recorded history.
 */
export interface ConcludeActivationInput {
  readonly commands: readonly WorkflowCommand[];
}
export type ConcludeActivationOutput = ConcludeActivationInput;

/** Input of {@link WorkflowInternalsInterceptor.dispose} (empty, as in Temporal). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the shape `@temporalio/workflow` exports
export interface DisposeInput {}

/**
 * Hooks into the workflow runtime itself. `activate` runs around each activation (call
 * `next` to apply its jobs); `concludeActivation` sees (and may change) the commands of the
 * activation once its code has settled; `dispose` runs when the engine drops the run's
 * instance (it closed and left the cache, or was evicted, or is rebuilt by replay) — best
 * effort: an instance lost with its workflow thread is not disposed.
 */
export interface WorkflowInternalsInterceptor {
  activate?(input: ActivateInput, next: (input: ActivateInput) => void): void;
  concludeActivation?(
    input: ConcludeActivationInput,
    next: (input: ConcludeActivationInput) => ConcludeActivationOutput,
  ): ConcludeActivationOutput;
  dispose?(input: DisposeInput, next: (input: DisposeInput) => void): void;
}

export interface WorkflowInterceptors {
  /** The first of each list is the outermost. */
  readonly inbound?: readonly WorkflowInboundCallsInterceptor[];
  readonly outbound?: readonly WorkflowOutboundCallsInterceptor[];
  readonly internals?: readonly WorkflowInternalsInterceptor[];
}

/** What the workflow module exports as `interceptors` (called once per run). */
export type WorkflowInterceptorsFactory = () => WorkflowInterceptors;
