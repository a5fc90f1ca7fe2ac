// Workflow handles of the in-process client: each call goes straight to the service that owns
// it (messages through the client interceptors, control, reads).
import {
  validateWorkflowId,
  type Headers,
  type MessageRef,
  type WorkflowHandle,
} from '../../core/index.js';
import type { RunControl } from '../control/index.js';
import type { ResultWaiters, RunDescriber, RunRef } from '../read/index.js';
import { badRequestId, requestIdIsValid } from '../start/index.js';
import type { InterceptedCalls } from './intercepted-calls.js';

export interface HandleDeps {
  readonly calls: InterceptedCalls;
  readonly control: RunControl;
  readonly results: ResultWaiters;
  readonly describer: RunDescriber;
}

export function makeHandle<R = unknown>(
  d: HandleDeps,
  ns: string,
  workflowId: string,
  runId: string | undefined,
): WorkflowHandle<R> {
  validateWorkflowId(workflowId);
  const ref: RunRef = { namespace: ns, workflowId, runId };
  return {
    workflowId,
    runId,
    result: () => d.results.result(ref) as Promise<R>,
    signal: (signal, ...args) => d.calls.signal(ref, signal, args),
    signalWithRequestId: (requestId, signal, ...args) =>
      requestIdIsValid(requestId)
        ? d.calls.signal(ref, signal, args, requestId)
        : Promise.reject(badRequestId()),
    signalWithOptions: (options, signal, ...args) => {
      const { requestId, headers } = options ?? {};
      if (requestId !== undefined && !requestIdIsValid(requestId)) {
        return Promise.reject(badRequestId());
      }
      return d.calls.signal(ref, signal, args, requestId, headers);
    },
    query: <T>(query: MessageRef, ...args: unknown[]) =>
      d.calls.query(ref, query, args) as Promise<T>,
    describe: () => d.describer.describe(ref),
    fetchHistory: () => d.describer.history(ref),
    cancel: (reason) => d.control.cancel(ref, reason),
    terminate: (reason) => d.control.terminate(ref, reason),
    pause: (reason) => d.control.pause(ref, reason),
    resume: () => d.control.resume(ref),
    executeUpdate: <T>(
      update: MessageRef,
      options: { args?: readonly unknown[]; updateId?: string; headers?: Headers } = {},
    ) => d.calls.update(ref, update, options) as Promise<T>,
  };
}
