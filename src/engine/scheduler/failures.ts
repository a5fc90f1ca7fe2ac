// Errors of a workflow task turned into recorded failures: the serialisable Failure of an
// error, and the cause a run that cannot be rebuilt is marked broken with.
import {
  errorToFailure,
  isAionError,
  JsonPayloadConverter,
  type Failure,
} from '../../core/index.js';
import { DeadlockError, ResourceExhaustedError } from '../../runtime/index.js';
import type { TaskFailure } from './plan.js';

const jsonConverter = new JsonPayloadConverter();

export function toFailure(err: unknown): Failure {
  return errorToFailure(err, (v) => jsonConverter.toPayload(v));
}

/** The task failure of an activation whose commands were refused (a limit, a payload size). */
export function commandFailure(err: unknown): TaskFailure {
  if (isAionError(err) && err.code === 'run_limit_exceeded') {
    const failure = toFailure(err);
    return { cause: 'limit', failure: { ...failure, message: `[${err.code}] ${failure.message}` } };
  }
  return { cause: 'unhandled', failure: toFailure(err) };
}

/** True when the thread was replaced because of the request: it overran or ran out of memory. */
export function isThreadFault(err: unknown): err is DeadlockError | ResourceExhaustedError {
  return err instanceof DeadlockError || err instanceof ResourceExhaustedError;
}

export function brokenFrom(err: unknown): TaskFailure {
  if (err instanceof DeadlockError) return { cause: 'deadlock', failure: toFailure(err) };
  if (err instanceof ResourceExhaustedError) {
    // The code in the stuck reason, as for engine refusals below.
    const failure = toFailure(err);
    return {
      cause: 'resource_exhausted',
      failure: { ...failure, message: `[${err.code}] ${failure.message}` },
    };
  }
  if (isAionError(err) && err.code === 'nondeterminism')
    return { cause: 'nondeterminism', failure: toFailure(err) };
  // An engine-side refusal (a missing package version…): keep its stable code visible.
  if (isAionError(err)) {
    const failure = toFailure(err);
    return {
      cause: 'unhandled',
      failure: { ...failure, message: `[${err.code}] ${failure.message}` },
    };
  }
  return { cause: 'unhandled', failure: toFailure(err) };
}
