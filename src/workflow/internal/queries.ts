import {
  composeInterceptors,
  errorToFailure,
  type Payload,
  type QueryOutcome,
  type UpdateValidation,
} from '../../core/index.js';
import { fallbackQueryHandler } from '../query-fallbacks.js';
import { decodeArgs, inbound } from './inbound-common.js';
import { updateEntry } from './updates.js';
import { encode, setState, type RunState } from './run-state.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Answers a query from the run's handlers; a handler must not change workflow state. */
export function runQuery(s: RunState, name: string, args: readonly Payload[]): QueryOutcome {
  setState(s);
  const handler = s.queryHandlers.get(name) ?? fallbackQueryHandler(s, name);
  if (!handler) {
    const known = [...s.queryHandlers.keys(), '__stack_trace', '__enhanced_stack_trace'].join(', ');
    return {
      ok: false,
      code: 'unknown_query',
      failure: {
        type: 'UnknownQuery',
        message: `workflow has no handler for query ${JSON.stringify(name)}; known: ${known}`,
        retryable: false,
      },
    };
  }
  s.inQuery = true;
  try {
    const decoded = decodeArgs(s, args);
    const result =
      inbound(s).length === 0
        ? handler(...decoded)
        : composeInterceptors(inbound(s), 'handleQuery', (input) => handler(...input.args))({
            queryName: name,
            args: decoded,
          });
    if (isThenable(result)) {
      return {
        ok: false,
        code: 'query_failed',
        failure: {
          // Temporal's type and message: code ported from it may match on them.
          type: 'DeterminismViolationError',
          message: 'Query handlers should not return a Promise',
          retryable: false,
        },
      };
    }
    return { ok: true, result: encode(s, result) };
  } catch (err) {
    return { ok: false, code: 'query_failed', failure: errorToFailure(err, (v) => encode(s, v)) };
  } finally {
    s.inQuery = false;
  }
}

/** Runs an update's validator (read-only, like a query) before the update is accepted. */
export function validateUpdate(
  s: RunState,
  name: string,
  args: readonly Payload[],
): UpdateValidation {
  setState(s);
  const entry = updateEntry(s, name);
  if (!entry) {
    const known = [...s.updateHandlers.keys()].join(', ') || 'none';
    return {
      ok: false,
      code: 'unknown_update',
      failure: {
        type: 'UnknownUpdate',
        message: `workflow has no handler for update ${JSON.stringify(name)}; known: ${known}`,
        retryable: false,
      },
    };
  }
  if (!entry.validator) return { ok: true };
  s.inQuery = true;
  try {
    entry.validator(...decodeArgs(s, args));
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      code: 'update_rejected',
      failure: errorToFailure(err, (v) => encode(s, v)),
    };
  } finally {
    s.inQuery = false;
  }
}
