// Values and helpers `@temporalio/workflow` exports beside its core API, so workflow code
// written for it runs unchanged: the policy and state names as values, `rootCause`,
// `inWorkflowContext`, `Trigger` and the child cancellation-type names.
import type { ParentClosePolicy as Policy, RetryState as State } from '../core/index.js';
import {
  errorToFailure,
  failureToError,
  isAionFailure,
  JsonPayloadConverter,
  type Failure,
  type PayloadConverter,
} from '../core/index.js';
import { CancellationScope } from './internal/scope.js';
import { getState } from './internal/run-state.js';

/**
 * The converter workflow code uses unless the package exports its own `payloadConverter`:
 * JSON (`json/plain`), `undefined` as `binary/null`. A custom converter falls back to it for
 * the values it does not handle itself.
 */
export const defaultPayloadConverter: PayloadConverter = new JsonPayloadConverter();

/** Turns errors into recorded failures and back (`defaultFailureConverter`'s shape). */
export interface FailureConverter {
  errorToFailure(error: unknown, payloadConverter?: PayloadConverter): Failure;
  failureToError(failure: Failure, payloadConverter?: PayloadConverter): Error;
}

/**
 * How Aion records errors: an error becomes a `Failure` (type, message, stack, retryable,
 * details encoded with the payload converter — JSON unless one is given — and its cause
 * chain), and a `Failure` becomes the matching `ApplicationFailure`, `ActivityFailure`,
 * `CancelledFailure`… error again. Unlike Temporal's, its failures are Aion's JSON form.
 *
 * @example const failure = defaultFailureConverter.errorToFailure(ApplicationFailure.nonRetryable('no'));
 */
export const defaultFailureConverter: FailureConverter = Object.freeze({
  errorToFailure: (error: unknown, payloadConverter: PayloadConverter = defaultPayloadConverter) =>
    errorToFailure(error, (v) => payloadConverter.toPayload(v)),
  failureToError: (
    failure: Failure,
    payloadConverter: PayloadConverter = defaultPayloadConverter,
  ) => failureToError(failure, (p) => payloadConverter.fromPayload(p)),
});

/** What happens to a child when its parent closes (`parentClosePolicy` of a child's options). */
export const ParentClosePolicy = {
  TERMINATE: 'TERMINATE',
  REQUEST_CANCEL: 'REQUEST_CANCEL',
  ABANDON: 'ABANDON',
  // The names of earlier Temporal SDKs.
  PARENT_CLOSE_POLICY_TERMINATE: 'TERMINATE',
  PARENT_CLOSE_POLICY_REQUEST_CANCEL: 'REQUEST_CANCEL',
  PARENT_CLOSE_POLICY_ABANDON: 'ABANDON',
} as const satisfies Record<string, Policy>;
export type ParentClosePolicy = Policy;

/** Why an activity or child stopped being retried (`ActivityFailure.retryState`). */
export const RetryState = {
  MAXIMUM_ATTEMPTS_REACHED: 'MAXIMUM_ATTEMPTS_REACHED',
  NON_RETRYABLE_FAILURE: 'NON_RETRYABLE_FAILURE',
  TIMEOUT: 'TIMEOUT',
  CANCEL_REQUESTED: 'CANCEL_REQUESTED',
  RETRY_POLICY_NOT_SET: 'RETRY_POLICY_NOT_SET',
} as const satisfies Record<string, State>;
export type RetryState = State;

/**
 * The message of the innermost cause of `error`: the end of an Aion failure's `cause` chain
 * (an activity's or a child's failure), else the error's own message.
 */
export function rootCause(error: unknown): string | undefined {
  if (isAionFailure(error)) {
    const cause = (error as Error).cause;
    return cause !== undefined ? rootCause(cause) : (error as Error).message;
  }
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : undefined;
}

/** True when called from workflow code of a running (or replaying) workflow. */
export function inWorkflowContext(): boolean {
  try {
    getState();
    return true;
  } catch {
    return false;
  }
}

/**
 * A promise whose `resolve` and `reject` are methods, for code that settles it from elsewhere
 * (a signal handler…). Created in a cancellable scope, it rejects when that scope is cancelled.
 */
export class Trigger<T> implements PromiseLike<T> {
  readonly resolve: (value: T | PromiseLike<T>) => void;
  readonly reject: (reason?: unknown) => void;
  readonly #promise: Promise<T>;

  constructor() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    this.#promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const scope = CancellationScope.current();
    if (scope.cancellable) scope.cancelRequested.catch(reject);
    // Nobody awaiting a trigger that is rejected is not an unhandled rejection.
    this.#promise.catch(() => undefined);
    this.resolve = resolve;
    this.reject = reject;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise.then(onfulfilled, onrejected);
  }
}

/** How a cancelled child's cancellation is awaited (`cancellationType` of child options). */
export const ChildWorkflowCancellationType = {
  ABANDON: 'ABANDON',
  TRY_CANCEL: 'TRY_CANCEL',
  WAIT_CANCELLATION_COMPLETED: 'WAIT_CANCELLATION_COMPLETED',
  WAIT_CANCELLATION_REQUESTED: 'WAIT_CANCELLATION_REQUESTED',
} as const;
export type ChildWorkflowCancellationType =
  (typeof ChildWorkflowCancellationType)[keyof typeof ChildWorkflowCancellationType];
