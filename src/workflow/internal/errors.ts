import { errorToFailure, isAionFailure, isCancellation } from '../../core/index.js';
import { encode, getState, hasState, pushCommand, type RunState } from './run-state.js';
import { isContinueAsNew } from '../continue-as-new.js';

/**
 * Decides what an error escaping workflow code means: a failure (ApplicationFailure etc.)
 * fails the run, a cancellation after a cancel request ends it cancelled, anything else is a
 * task crash the engine retries.
 */
export function reportWorkflowError(s: RunState, err: unknown): void {
  if (s.closed) return;
  if (isContinueAsNew(err)) {
    pushCommand(s, {
      type: 'continueAsNew',
      workflowType: err.workflowType,
      args: err.args,
      taskQueue: err.taskQueue,
      ...(err.headers ? { headers: err.headers } : {}),
      ...(err.memo ? { memo: err.memo } : {}),
      ...(err.searchAttributes ? { searchAttributes: err.searchAttributes } : {}),
    });
    return;
  }
  if (isCancellation(err) && s.cancelRequested) {
    pushCommand(s, { type: 'cancelWorkflow' });
  } else if (isAionFailure(err)) {
    pushCommand(s, { type: 'failWorkflow', failure: errorToFailure(err, (v) => encode(s, v)) });
  } else {
    s.taskFailure ??= { cause: isSandboxViolation(err) ? 'sandbox' : 'unhandled', error: err };
  }
}

/** Errors in signal handlers follow the same rules as errors of the workflow function. */
export function reportHandlerError(s: RunState, err: unknown): void {
  reportWorkflowError(s, err);
}

export function isSandboxViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = (err as { name?: unknown }).name;
  const raw = (err as { message?: unknown }).message;
  const message = typeof raw === 'string' ? raw : '';
  return (
    name === 'WorkflowSandboxViolation' ||
    name === 'QueryViolation' ||
    (name === 'ReferenceError' &&
      /\b(process|require|module|Buffer|global|__dirname|__filename|fetch|setTimeout|setInterval|setImmediate|clearTimeout|queueMicrotask)\b/.test(
        message,
      ))
  );
}

/**
 * Records a sandbox violation (a forbidden API was called) for the running activation, which
 * then fails as a task crash even if workflow code caught the error. Violations while
 * answering a query fail only that query.
 */
export function reportViolation(err: unknown): void {
  if (!hasState()) return;
  const s = getState();
  if (!s.inQuery) s.violation ??= err;
}
