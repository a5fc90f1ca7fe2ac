import { ERROR_CODES, type ErrorCode } from './error-codes.js';

const AION_ERROR_BRAND = Symbol.for('aion.error');

/**
 * Base class of every engine error. Identity is checked with {@link isAionError} (a brand),
 * not `instanceof`, so errors keep their identity across the workflow sandbox boundary and
 * across duplicated module instances.
 */
export class AionError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [AION_ERROR_BRAND] = true;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AionError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: { ...this.details } };
  }
}

export function isAionError(value: unknown): value is AionError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[AION_ERROR_BRAND] === true
  );
}

/** An append expected history head `expected` but the run's head is `actual`; nothing was written. */
export class SequenceConflictError extends AionError {
  readonly expected: number;
  readonly actual: number;
  constructor(runId: string, expected: number, actual: number) {
    super(
      'sequence_conflict',
      `append to run ${runId} expected head seq ${expected} but the head is ${actual}; nothing was written — reload the history and retry`,
      { runId, expected, actual },
    );
    this.name = 'SequenceConflictError';
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A start was refused because of its workflow id: another run with the id is open (conflict
 * policy FAIL), or a closed one used it and the reuse policy forbids a new run. Temporal's
 * name and class, so `instanceof WorkflowExecutionAlreadyStartedError` in code ported from it
 * holds; `code` is `workflow_already_started`.
 */
export class WorkflowExecutionAlreadyStartedError extends AionError {
  readonly workflowId: string;
  /** The run that holds the id (the open one, or the closed one the reuse policy protects). */
  readonly runId: string;
  constructor(
    namespace: string,
    workflowId: string,
    runId: string,
    refusal?: { readonly message: string; readonly details?: Record<string, unknown> },
  ) {
    super(
      'workflow_already_started',
      refusal?.message ??
        `workflow ${JSON.stringify(workflowId)} in namespace ${JSON.stringify(namespace)} already has an open run ${runId}; wait for it to close or use another workflow id`,
      { namespace, workflowId, runId, ...refusal?.details },
    );
    this.name = 'WorkflowExecutionAlreadyStartedError';
    this.workflowId = workflowId;
    this.runId = runId;
  }
}

/** Aion's earlier name of {@link WorkflowExecutionAlreadyStartedError} (the same class). */
export const WorkflowAlreadyStartedError = WorkflowExecutionAlreadyStartedError;
export type WorkflowAlreadyStartedError = WorkflowExecutionAlreadyStartedError;

/**
 * `result()` of a handle with `followRuns: false` whose run continued as new (Temporal's
 * class): the run closed without a result of its own; `newExecutionRunId` is its successor.
 */
export class WorkflowContinuedAsNewError extends AionError {
  readonly newExecutionRunId: string;
  constructor(workflowId: string, runId: string, newExecutionRunId: string) {
    super(
      'workflow_closed',
      `Workflow execution continued as new: workflow ${workflowId} run ${runId} continued as run ${newExecutionRunId}`,
      { workflowId, runId, status: 'CONTINUED_AS_NEW', newExecutionRunId },
    );
    this.name = 'WorkflowContinuedAsNewError';
    this.newExecutionRunId = newExecutionRunId;
  }
}

export function invalidArgument(message: string, details: Record<string, unknown> = {}): AionError {
  return new AionError('invalid_argument', message, details);
}

/** A workflow ended unsuccessfully; `cause` is the rebuilt failure (ApplicationFailure, CancelledFailure…). */
export class WorkflowFailedError extends AionError {
  readonly status: string;
  constructor(workflowId: string, runId: string, status: string, message: string, cause: unknown) {
    super(
      'workflow_failed',
      `workflow ${workflowId} run ${runId} ended ${status}: ${message}`,
      { workflowId, runId, status },
      { cause },
    );
    this.name = 'WorkflowFailedError';
    this.status = status;
  }
}
