/**
 * Failure classes thrown and caught by workflow and activity code (the names Temporal users
 * know). They convert to and from serialisable {@link Failure} records. Identity across the
 * sandbox boundary uses a brand (`Symbol.for`, shared by all realms), not `instanceof`.
 */
import type { Failure, FailureSource } from './failure.js';
import type { Payload } from './payload.js';
import type { TimeoutType } from './options.js';

const FAILURE_BRAND = Symbol.for('aion.failure');

export abstract class AionFailure extends Error {
  readonly [FAILURE_BRAND] = true;
  abstract readonly source: FailureSource;
  /** Encoded details carried along (set when the failure came from a record). */
  encodedDetails?: readonly Payload[];
}

export function isAionFailure(value: unknown): value is AionFailure {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[FAILURE_BRAND] === true
  );
}

/**
 * How an application failure is treated by logging and metrics (Temporal's names).
 * `BENIGN` marks an expected failure (a service that is polled until it is ready, say): a
 * benign activity failure is logged at debug level instead of warn and is counted as
 * `failed_benign`, not `failed`, in `aion_activity_outcomes_total`. Retries are unchanged.
 */
export const ApplicationFailureCategory = {
  BENIGN: 'BENIGN',
} as const;
export type ApplicationFailureCategory =
  (typeof ApplicationFailureCategory)[keyof typeof ApplicationFailureCategory];

export interface ApplicationFailureOptions {
  readonly message?: string;
  readonly type?: string;
  readonly nonRetryable?: boolean;
  readonly details?: readonly unknown[];
  readonly cause?: Error;
  /** {@link ApplicationFailureCategory}; none means an ordinary failure. */
  readonly category?: ApplicationFailureCategory;
}

/** A failure raised on purpose by application code: fails the workflow (or the activity attempt). */
export class ApplicationFailure extends AionFailure {
  readonly source = 'application' as const;
  readonly type: string;
  readonly nonRetryable: boolean;
  readonly details: readonly unknown[];
  /** {@link ApplicationFailureCategory} (`BENIGN`), or undefined for an ordinary failure. */
  readonly category: ApplicationFailureCategory | undefined;

  constructor(
    message = '',
    type = 'Error',
    nonRetryable = false,
    details: readonly unknown[] = [],
    cause?: Error,
    category?: ApplicationFailureCategory,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApplicationFailure';
    this.type = type;
    this.nonRetryable = nonRetryable;
    this.details = details;
    this.category = category;
  }

  static create(options: ApplicationFailureOptions): ApplicationFailure {
    return new ApplicationFailure(
      options.message,
      options.type,
      options.nonRetryable ?? false,
      options.details,
      options.cause,
      options.category,
    );
  }

  static retryable(message: string, type = 'Error', ...details: unknown[]): ApplicationFailure {
    return new ApplicationFailure(message, type, false, details);
  }

  static nonRetryable(message: string, type = 'Error', ...details: unknown[]): ApplicationFailure {
    return new ApplicationFailure(message, type, true, details);
  }

  /** Wraps any error as a retryable ApplicationFailure keeping its name as type. */
  static fromError(error: unknown): ApplicationFailure {
    if (
      error instanceof ApplicationFailure ||
      (isAionFailure(error) && error.source === 'application')
    ) {
      return error as ApplicationFailure;
    }
    const e = error instanceof Error ? error : new Error(String(error));
    const f = new ApplicationFailure(e.message, e.name, false, [], e);
    if (e.stack !== undefined) f.stack = e.stack;
    return f;
  }
}

export type RetryState =
  | 'MAXIMUM_ATTEMPTS_REACHED'
  | 'NON_RETRYABLE_FAILURE'
  | 'TIMEOUT'
  | 'CANCEL_REQUESTED'
  | 'RETRY_POLICY_NOT_SET';

/** An activity failed for good; `cause` holds the last failure (application, timeout or cancellation). */
export class ActivityFailure extends AionFailure {
  readonly source = 'activity' as const;
  constructor(
    message: string,
    readonly activityType: string,
    readonly activityId: string,
    readonly attempt: number,
    readonly retryState: RetryState | undefined,
    cause?: Error,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ActivityFailure';
  }
}

/** The workflow or an operation in it was cancelled. */
export class CancelledFailure extends AionFailure {
  readonly source = 'cancelled' as const;
  constructor(
    message = 'cancelled',
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
    this.name = 'CancelledFailure';
  }
}

/** An operation timed out. */
export class TimeoutFailure extends AionFailure {
  readonly source = 'timeout' as const;
  constructor(
    message: string,
    readonly timeoutType: TimeoutType | 'EXECUTION' | 'RUN',
    readonly lastHeartbeatDetails?: unknown,
  ) {
    super(message);
    this.name = 'TimeoutFailure';
  }
}

/** The workflow was terminated. */
export class TerminatedFailure extends AionFailure {
  readonly source = 'terminated' as const;
  constructor(message = 'terminated') {
    super(message);
    this.name = 'TerminatedFailure';
  }
}

/** A child workflow ended unsuccessfully (or could not start); `cause` says how. */
export class ChildWorkflowFailure extends AionFailure {
  readonly source = 'child_workflow' as const;
  constructor(
    message: string,
    readonly workflowType: string,
    readonly workflowId: string,
    readonly runId: string | undefined,
    cause?: Error,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ChildWorkflowFailure';
  }
}

/** True for a cancellation, also when wrapped in an ActivityFailure (or child failure). */
export function isCancellation(error: unknown): boolean {
  if (!isAionFailure(error)) return false;
  if (error.source === 'cancelled') return true;
  if (error.source === 'activity' || error.source === 'child_workflow')
    return isCancellation(error.cause);
  return false;
}

type Encode = (value: unknown) => Payload;
type Decode = (payload: Payload) => unknown;

const MAX_DEPTH = 20;

/** Converts any thrown value to a Failure record (details encoded with `encode`). */
export function errorToFailure(error: unknown, encode: Encode, depth = 0): Failure {
  const base: { -readonly [K in keyof Failure]: Failure[K] } = {
    type: 'Error',
    message: '',
    retryable: true,
  };
  if (isAionFailure(error)) {
    base.source = error.source;
    base.message = error.message;
    if (error.stack !== undefined) base.stack = error.stack;
    if (error instanceof ApplicationFailure || error.source === 'application') {
      const a = error as ApplicationFailure;
      base.type = a.type;
      base.retryable = !a.nonRetryable;
      if (a.details.length > 0) base.details = a.details.map((d) => encode(d));
      if (isApplicationFailureCategory(a.category)) base.category = a.category;
    } else {
      base.type = error.name;
      base.retryable = error.source !== 'cancelled' && error.source !== 'terminated';
      if (error.source === 'timeout') {
        const t = error as TimeoutFailure;
        base.details = [
          encode({ timeoutType: t.timeoutType, lastHeartbeatDetails: t.lastHeartbeatDetails }),
        ];
      }
      if (error.source === 'child_workflow') {
        const c = error as ChildWorkflowFailure;
        base.details = [
          encode({ workflowType: c.workflowType, workflowId: c.workflowId, runId: c.runId }),
        ];
      }
      if (error.source === 'activity') {
        const a = error as ActivityFailure;
        base.details = [
          encode({
            activityType: a.activityType,
            activityId: a.activityId,
            attempt: a.attempt,
            retryState: a.retryState,
          }),
        ];
      }
      if (error.source === 'cancelled' && (error as CancelledFailure).details.length > 0) {
        base.details = (error as CancelledFailure).details.map((d) => encode(d));
      }
    }
  } else if (
    error instanceof Error ||
    (typeof error === 'object' && error !== null && 'message' in error)
  ) {
    const e = error as Error;
    base.type = errorTypeName(e);
    base.message = String(e.message);
    if (typeof e.stack === 'string') base.stack = e.stack;
  } else {
    base.message = typeof error === 'string' ? error : safeString(error);
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== null && depth < MAX_DEPTH)
    base.cause = errorToFailure(cause, encode, depth + 1);
  return base;
}

/**
 * The failure type of a thrown error: its `name` when the error sets one, else its class's
 * name (as Temporal does, so a bare `class CustomError extends Error {}` is `CustomError`),
 * else `Error`. A set `name` wins so a bundler renaming a class does not change the type.
 */
function errorTypeName(e: Error): string {
  if (typeof e.name === 'string' && e.name.length > 0 && e.name !== 'Error') return e.name;
  const ctor = (e as { constructor?: unknown }).constructor;
  const className = typeof ctor === 'function' ? (ctor as { name?: unknown }).name : undefined;
  if (typeof className === 'string' && className.length > 0 && className !== 'Object')
    return className;
  return 'Error';
}

function isApplicationFailureCategory(value: unknown): value is ApplicationFailureCategory {
  return value === ApplicationFailureCategory.BENIGN;
}

/** Whether a failure record is a benign application failure (logged at debug, not counted as failed). */
export function isBenignFailure(failure: Failure | undefined): boolean {
  return failure?.category === ApplicationFailureCategory.BENIGN;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'unprintable thrown value';
  }
}

/** Rebuilds a throwable failure object from a record. */
export function failureToError(failure: Failure, decode: Decode, depth = 0): AionFailure {
  const cause =
    failure.cause !== undefined && depth < MAX_DEPTH
      ? failureToError(failure.cause, decode, depth + 1)
      : undefined;
  const firstDetail = (): Record<string, unknown> => {
    const d = failure.details?.[0];
    const v = d === undefined ? undefined : decode(d);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  };
  let error: AionFailure;
  switch (failure.source) {
    case 'cancelled':
      error = new CancelledFailure(
        failure.message,
        (failure.details ?? []).map((d) => decode(d)),
      );
      break;
    case 'timeout': {
      const d = firstDetail();
      error = new TimeoutFailure(
        failure.message,
        (d.timeoutType as TimeoutType | undefined) ?? 'START_TO_CLOSE',
        d.lastHeartbeatDetails,
      );
      break;
    }
    case 'terminated':
      error = new TerminatedFailure(failure.message);
      break;
    case 'child_workflow': {
      const d = firstDetail();
      error = new ChildWorkflowFailure(
        failure.message,
        typeof d.workflowType === 'string' ? d.workflowType : '',
        typeof d.workflowId === 'string' ? d.workflowId : '',
        typeof d.runId === 'string' ? d.runId : undefined,
        cause,
      );
      break;
    }
    case 'activity': {
      const d = firstDetail();
      error = new ActivityFailure(
        failure.message,
        typeof d.activityType === 'string' ? d.activityType : '',
        typeof d.activityId === 'string' ? d.activityId : '',
        Number(d.attempt ?? 0),
        d.retryState as RetryState | undefined,
        cause,
      );
      break;
    }
    default:
      error = new ApplicationFailure(
        failure.message,
        failure.type,
        !failure.retryable,
        (failure.details ?? []).map((d) => decode(d)),
        cause,
        isApplicationFailureCategory(failure.category) ? failure.category : undefined,
      );
  }
  if (failure.stack !== undefined) error.stack = failure.stack;
  if (failure.details !== undefined) error.encodedDetails = failure.details;
  return error;
}
