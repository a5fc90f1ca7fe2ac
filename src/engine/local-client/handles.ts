// Workflow handles of the in-process client: each call goes straight to the service that owns
// it (messages through the client interceptors, control, reads).
import {
  validateWorkflowId,
  type GetWorkflowHandleOptions,
  type MessageRef,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
  type WorkflowUpdateOptions,
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
  const first = options.firstExecutionRunId;
  const pinned: RunRef = { namespace: ns, workflowId, runId: runId ?? first };
  const ref: RunRef =
    first !== undefined
      ? { namespace: ns, workflowId, runId: undefined, chainOf: first }
      : { namespace: ns, workflowId, runId };
  const call = <T>(fn: () => Promise<T>): Promise<T> => withinDeadline(d.retry, fn);
  const updateHandle = <T>(
    updateId: string,
    run: string | undefined,
    result: () => Promise<unknown>,
  ): WorkflowUpdateHandle<T> => ({
    updateId,
    workflowId,
    workflowRunId: run,
    result: result as () => Promise<T>,
  });
  return {
    workflowId,
    runId: runId ?? first,
    ...(first !== undefined ? { firstExecutionRunId: first } : {}),
    // Waiting for a result is not bounded by the store deadline: it waits through outages.
    result: () => d.results.result(pinned, options.followRuns ?? true) as Promise<R>,
    signal: (signal, ...args) => call(() => d.calls.signal(ref, signal, args)),
    signalWithRequestId: (requestId, signal, ...args) =>
      requestIdIsValid(requestId)
        ? call(() => d.calls.signal(ref, signal, args, requestId))
        : Promise.reject(badRequestId()),
    signalWithOptions: (options, signal, ...args) => {
      const { requestId, headers } = options ?? {};
      if (requestId !== undefined && !requestIdIsValid(requestId)) {
        return Promise.reject(badRequestId());
      }
      return call(() => d.calls.signal(ref, signal, args, requestId, headers));
    },
    query: <T>(query: MessageRef, ...args: unknown[]) =>
      call(() => d.calls.query(ref, query, args)) as Promise<T>,
    describe: () => call(() => d.describer.describe(ref)),
    fetchHistory: () => call(() => d.describer.history(ref)),
    cancel: (reason) => call(() => d.control.cancel(ref, reason)),
    terminate: (reason) => call(() => d.control.terminate(ref, reason)),
    pause: (reason) => call(() => d.control.pause(ref, reason)),
    resume: () => call(() => d.control.resume(ref)),
    executeUpdate: <T>(update: MessageRef, options: WorkflowUpdateOptions = {}) =>
      call(() => d.calls.update(ref, update, options)) as Promise<T>,
    startUpdate: async <T>(update: MessageRef, options: WorkflowUpdateOptions) => {
      const { waitForStage: _stage, ...rest } = options as WorkflowUpdateOptions & {
        waitForStage?: unknown;
      };
      const started = await call(() => d.calls.startUpdate(ref, update, rest));
      return updateHandle<T>(started.updateId, started.runId, started.result);
    },
    getUpdateHandle: <T>(updateId: string) =>
      updateHandle<T>(updateId, pinned.runId, () => d.calls.updateResult(ref, updateId)),
    timeTravel: (options) => call(() => d.timeTravels.timeTravel(ref, options)),
  };
}
