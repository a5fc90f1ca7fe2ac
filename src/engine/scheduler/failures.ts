// Errors of a workflow task turned into recorded failures: the serialisable Failure of an
// error, and the cause a run that cannot be rebuilt is marked broken with.
import {
  errorToFailure,
  isAionError,
  JsonPayloadConverter,
  type Failure,
} from '../../core/index.js';
import { DeadlockError } from '../../runtime/index.js';
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

export function brokenFrom(err: unknown): TaskFailure {
  if (err instanceof DeadlockError) return { cause: 'deadlock', failure: toFailure(err) };
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
