/**
 * Client interceptors: code that runs around each client call (start, signal, update,
 * query) of the in-process engine (`createEngine({ interceptors: { client } })`) and of the
 * remote SDK (`new Client({ interceptors })`). An interceptor may read and add headers —
 * recorded in history with the start, signal or update — observe the call, or refuse it.
 *
 * @example
 * const tenant: WorkflowClientInterceptor = {
 *   start: (input, next) =>
 *     next({ ...input, headers: { ...input.headers, tenant: { encoding: 'json/plain', data: '"acme"' } } }),
 * };
 */
import type { Headers } from './headers.js';
import type { WorkflowStartOptions } from './client-api.js';

/** Continues the call with (possibly changed) input. */
export type Next<I, O> = (input: I) => Promise<O>;

export interface WorkflowStartInput {
  readonly workflowType: string;
  /** The start options, headers aside. */
  readonly options: Omit<WorkflowStartOptions, 'headers'>;
  /** Recorded in `WorkflowStarted.headers`. */
  readonly headers: Headers;
}

export interface WorkflowStartOutput {
  readonly workflowId: string;
  readonly runId: string;
}

export interface WorkflowSignalWithStartInput extends WorkflowStartInput {
  readonly signalName: string;
  readonly signalArgs: readonly unknown[];
}

export interface WorkflowSignalInput {
  readonly workflowId: string;
  readonly runId: string | undefined;
  readonly signalName: string;
  readonly args: readonly unknown[];
  readonly requestId?: string;
  /** Recorded in `SignalReceived.headers`. */
  readonly headers: Headers;
}

export interface WorkflowUpdateInput {
  readonly workflowId: string;
  readonly runId: string | undefined;
  readonly updateName: string;
  readonly args: readonly unknown[];
  readonly updateId?: string;
  /** Recorded in `UpdateAccepted.headers`. */
  readonly headers: Headers;
}

/** `startUpdate`: the update input and the stage the caller waits for. */
export interface WorkflowStartUpdateInput extends WorkflowUpdateInput {
  readonly waitForStage: 'ACCEPTED';
}

export interface WorkflowStartUpdateOutput {
  readonly updateId: string;
  /** The run that accepted the update. */
  readonly workflowRunId: string;
}

/** Queries are not recorded, so they carry no headers. */
export interface WorkflowQueryInput {
  readonly workflowId: string;
  readonly runId: string | undefined;
  readonly queryName: string;
  readonly args: readonly unknown[];
}

/**
 * Intercepts client calls. Every method is optional; each receives the call's input and
 * `next`, and must return what `next` returns (or throw). With several interceptors the
 * first in the list is the outermost.
 */
export interface WorkflowClientInterceptor {
  start?(
    input: WorkflowStartInput,
    next: Next<WorkflowStartInput, WorkflowStartOutput>,
  ): Promise<WorkflowStartOutput>;
  signalWithStart?(
    input: WorkflowSignalWithStartInput,
    next: Next<WorkflowSignalWithStartInput, WorkflowStartOutput>,
  ): Promise<WorkflowStartOutput>;
  signal?(input: WorkflowSignalInput, next: Next<WorkflowSignalInput, void>): Promise<void>;
  update?(input: WorkflowUpdateInput, next: Next<WorkflowUpdateInput, unknown>): Promise<unknown>;
  /** `startUpdate` and update-with-start (the start itself goes through `start`). */
  startUpdate?(
    input: WorkflowStartUpdateInput,
    next: Next<WorkflowStartUpdateInput, WorkflowStartUpdateOutput>,
  ): Promise<WorkflowStartUpdateOutput>;
  query?(input: WorkflowQueryInput, next: Next<WorkflowQueryInput, unknown>): Promise<unknown>;
}
