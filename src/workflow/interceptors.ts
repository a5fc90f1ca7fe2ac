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
import type { Headers } from '../core/index.js';
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

export interface WorkflowInterceptors {
  /** The first of each list is the outermost. */
  readonly inbound?: readonly WorkflowInboundCallsInterceptor[];
  readonly outbound?: readonly WorkflowOutboundCallsInterceptor[];
}

/** What the workflow module exports as `interceptors` (called once per run). */
export type WorkflowInterceptorsFactory = () => WorkflowInterceptors;
