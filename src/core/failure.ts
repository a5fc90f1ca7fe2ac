import type { Payload } from './payload.js';

/**
 * A serialisable failure as recorded in history and sent on the wire. Distinct from engine
 * errors ({@link AionError}): a Failure describes what went wrong inside user code.
 */
export interface Failure {
  /** Failure type: an application-chosen type name, or an error class name. */
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
  /** Whether a retry may succeed. Defaults to true for unknown errors. */
  readonly retryable: boolean;
  /** Encoded details attached by the application (e.g. ApplicationFailure details). */
  readonly details?: readonly Payload[];
  readonly cause?: Failure;
  /** Which family produced this failure, when it is not an application failure. */
  readonly source?: FailureSource;
  /** Application failure category (`'BENIGN'`), when the application set one. */
  readonly category?: 'BENIGN';
}

export type FailureSource =
  'application' | 'activity' | 'child_workflow' | 'cancelled' | 'terminated' | 'timeout' | 'server';

const MAX_CAUSE_DEPTH = 20;

/** Turns any thrown value into a Failure (best effort, never throws). */
export function toFailure(error: unknown, depth = 0): Failure {
  if (
    error instanceof Error ||
    (typeof error === 'object' && error !== null && 'message' in error)
  ) {
    const e = error as Error & { type?: unknown; nonRetryable?: unknown; retryable?: unknown };
    const type =
      typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error';
    const retryable =
      typeof e.nonRetryable === 'boolean'
        ? !e.nonRetryable
        : typeof e.retryable === 'boolean'
          ? e.retryable
          : true;
    const failure: { -readonly [K in keyof Failure]: Failure[K] } = {
      type,
      message: String(e.message),
      retryable,
    };
    if (typeof e.stack === 'string') failure.stack = e.stack;
    if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH)
      failure.cause = toFailure(e.cause, depth + 1);
    return failure;
  }
  return {
    type: 'Error',
    message: typeof error === 'string' ? error : safeString(error),
    retryable: true,
  };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'unprintable thrown value';
  }
}

export function isFailure(value: unknown): value is Failure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Failure).type === 'string' &&
    typeof (value as Failure).message === 'string' &&
    typeof (value as Failure).retryable === 'boolean'
  );
}
