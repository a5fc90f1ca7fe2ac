// Workflow handles of the in-process client: each call goes straight to the service that owns
// it (messages through the client interceptors, control, reads).
import {
  validateWorkflowId,
  type GetWorkflowHandleOptions,
  type Headers,
  type HistoryExport,
  type MessageRef,
  type TimeTravelOptions,
  type TimeTravelResult,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
  type WorkflowUpdateOptions,
  type WorkflowUpdateStage,
} from '../../core/index.js';
import type { RunControl } from '../control/index.js';
import type { TimeTravelService } from '../messages/index.js';
import type { ResultWaiters, RunDescriber, RunRef } from '../read/index.js';
import { badRequestId, requestIdIsValid } from '../start/index.js';
import { withinDeadline, type StoreRetryEnv } from '../store-retry.js';
import type { InterceptedCalls } from './intercepted-calls.js';

export interface HandleDeps {
  readonly calls: InterceptedCalls;
  readonly control: RunControl;
  readonly results: ResultWaiters;
  readonly describer: RunDescriber;
  readonly timeTravels: TimeTravelService;
  /** Client calls retry through a store outage for at most the store deadline. */
  readonly retry: StoreRetryEnv;
}

/**
 * A handle on `workflowId`: on run `runId`, or the current run when undefined. With
 * `firstExecutionRunId` (handles from a start), messages and control go to the latest run of
 * that run's chain (describe and history too), and `result()` follows the chain from it.
 */
export function makeHandle<R = unknown>(
  d: HandleDeps,
  ns: string,
  workflowId: string,
  runId: string | undefined,
  options: GetWorkflowHandleOptions = {},
): WorkflowHandle<R> {
  validateWorkflowId(workflowId);
  return new LocalHandle<R>(d, ns, workflowId, runId, options);
}

/**
 * The methods live on the prototype and the handle keeps only its ids and deps: a program
 * that holds a handle per started run (10,000 sleepers awaiting their results) held 17
 * closures and their scope per handle, ~1.3 KiB each.
 */
class LocalHandle<R> implements WorkflowHandle<R> {
  readonly #d: HandleDeps;
  readonly #ns: string;
  readonly #followRuns: boolean;
  readonly workflowId: string;
  readonly runId: string | undefined;
  declare readonly firstExecutionRunId?: string;

  constructor(
    d: HandleDeps,
    ns: string,
    workflowId: string,
    runId: string | undefined,
    options: GetWorkflowHandleOptions,
  ) {
    const first = options.firstExecutionRunId;
    this.#d = d;
    this.#ns = ns;
    this.#followRuns = options.followRuns ?? true;
    this.workflowId = workflowId;
    this.runId = runId ?? first;
    // Only handles from a start (or asked for) carry the field, as before.
    if (first !== undefined) (this as { firstExecutionRunId?: string }).firstExecutionRunId = first;
  }

  /** The run `result()` and update handles address: the given run, or the chain's first. */
  #pinned(): RunRef {
    return { namespace: this.#ns, workflowId: this.workflowId, runId: this.runId };
  }

  /** Where messages, control and reads go: the chain's latest run, or the given run. */
  #ref(): RunRef {
    const first = this.firstExecutionRunId;
    return first !== undefined
      ? { namespace: this.#ns, workflowId: this.workflowId, runId: undefined, chainOf: first }
      : { namespace: this.#ns, workflowId: this.workflowId, runId: this.runId };
  }

  #call<T>(fn: () => Promise<T>): Promise<T> {
    return withinDeadline(this.#d.retry, fn);
  }

  #updateHandle<T>(
    updateId: string,
    run: string | undefined,
    result: () => Promise<unknown>,
  ): WorkflowUpdateHandle<T> {
    return {
      updateId,
      workflowId: this.workflowId,
      workflowRunId: run,
      result: result as () => Promise<T>,
    };
  }

  // Waiting for a result is not bounded by the store deadline: it waits through outages.
  result(): Promise<R> {
    return this.#d.results.result(this.#pinned(), this.#followRuns) as Promise<R>;
  }

  signal(signal: MessageRef, ...args: unknown[]): Promise<void> {
    const ref = this.#ref();
    return this.#call(() => this.#d.calls.signal(ref, signal, args));
  }

  signalWithRequestId(requestId: string, signal: MessageRef, ...args: unknown[]): Promise<void> {
    if (!requestIdIsValid(requestId)) return Promise.reject(badRequestId());
    const ref = this.#ref();
    return this.#call(() => this.#d.calls.signal(ref, signal, args, requestId));
  }

  signalWithOptions(
    options: { readonly requestId?: string; readonly headers?: Headers },
    signal: MessageRef,
    ...args: unknown[]
  ): Promise<void> {
    const { requestId, headers } = options ?? {};
    if (requestId !== undefined && !requestIdIsValid(requestId)) {
      return Promise.reject(badRequestId());
    }
    const ref = this.#ref();
    return this.#call(() => this.#d.calls.signal(ref, signal, args, requestId, headers));
  }

  query<T = unknown>(query: MessageRef, ...args: unknown[]): Promise<T> {
    const ref = this.#ref();
    return this.#call(() => this.#d.calls.query(ref, query, args)) as Promise<T>;
  }

  describe(): Promise<WorkflowExecutionDescription> {
    const ref = this.#ref();
    return this.#call(() => this.#d.describer.describe(ref));
  }

  fetchHistory(): Promise<HistoryExport> {
    const ref = this.#ref();
    return this.#call(() => this.#d.describer.history(ref));
  }

  cancel(reason?: string): Promise<void> {
    const ref = this.#ref();
    return this.#call(() => this.#d.control.cancel(ref, reason));
  }

  terminate(reason?: string): Promise<void> {
    const ref = this.#ref();
    return this.#call(() => this.#d.control.terminate(ref, reason));
  }

  pause(reason?: string): Promise<void> {
    const ref = this.#ref();
    return this.#call(() => this.#d.control.pause(ref, reason));
  }

  resume(): Promise<void> {
    const ref = this.#ref();
    return this.#call(() => this.#d.control.resume(ref));
  }

  executeUpdate<T = unknown>(update: MessageRef, options: WorkflowUpdateOptions = {}): Promise<T> {
    const ref = this.#ref();
    return this.#call(() => this.#d.calls.update(ref, update, options)) as Promise<T>;
  }

  async startUpdate<T = unknown>(
    update: MessageRef,
    options: WorkflowUpdateOptions & { readonly waitForStage: WorkflowUpdateStage },
  ): Promise<WorkflowUpdateHandle<T>> {
    const { waitForStage: _stage, ...rest } = options;
    const ref = this.#ref();
    const started = await this.#call(() => this.#d.calls.startUpdate(ref, update, rest));
    return this.#updateHandle<T>(started.updateId, started.runId, started.result);
  }

  getUpdateHandle<T = unknown>(updateId: string): WorkflowUpdateHandle<T> {
    const ref = this.#ref();
    return this.#updateHandle<T>(updateId, this.runId, () =>
      this.#d.calls.updateResult(ref, updateId),
    );
  }

  timeTravel(options: TimeTravelOptions): Promise<TimeTravelResult> {
    const ref = this.#ref();
    return this.#call(() => this.#d.timeTravels.timeTravel(ref, options));
  }
}
