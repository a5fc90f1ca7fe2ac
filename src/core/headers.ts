import { AionError } from './errors.js';
import type { Payload } from './payload.js';

/**
 * Headers: named payloads that travel with a workflow start, a signal, an update, an
 * activity schedule or a child start, are recorded in history with it (so replay and
 * recovery see the same values) and reach workflow and activity interceptors. Set by
 * interceptors (tracing context, tenant ids, auth claims…), not by workflow arguments.
 */
export type Headers = Readonly<Record<string, Payload>>;

/** Header holding the W3C `traceparent` of the caller's span (a JSON string payload). */
export const TRACEPARENT_HEADER = '_traceparent';
/** Header holding the W3C `tracestate` that goes with {@link TRACEPARENT_HEADER}. */
export const TRACESTATE_HEADER = '_tracestate';

const MAX_HEADERS = 64;
const MAX_HEADER_NAME = 200;

/** True for an object with exactly the fields of a {@link Payload} (stricter than isPayload). */
export function isExactPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  if (typeof p.encoding !== 'string' || typeof p.data !== 'string') return false;
  for (const key of Object.keys(p)) {
    if (key !== 'encoding' && key !== 'data' && key !== 'metadata') return false;
  }
  if (p.metadata === undefined) return true;
  return (
    typeof p.metadata === 'object' &&
    p.metadata !== null &&
    Object.values(p.metadata).every((v) => typeof v === 'string')
  );
}

/**
 * Checks a headers map (at most 64 names of 1–200 characters, each value a payload) and
 * returns it, or undefined when it is empty. Throws `invalid_argument` naming the field.
 */
export function validateHeaders(value: unknown, field = 'headers'): Headers | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AionError('invalid_argument', `${field} must be an object of payloads`, { field });
  }
  const names = Object.keys(value);
  if (names.length > MAX_HEADERS) {
    throw new AionError('invalid_argument', `${field} has more than ${MAX_HEADERS} entries`, {
      field,
    });
  }
  for (const name of names) {
    if (name.length === 0 || name.length > MAX_HEADER_NAME) {
      throw new AionError(
        'invalid_argument',
        `${field} names must have 1 to ${MAX_HEADER_NAME} characters`,
        { field },
      );
    }
    if (!isExactPayload((value as Record<string, unknown>)[name])) {
      throw new AionError(
        'invalid_argument',
        `${field}.${name} must be a payload {encoding, data, metadata?}`,
        { field: `${field}.${name}` },
      );
    }
  }
  return names.length === 0 ? undefined : (value as Headers);
}

/** The trace-context headers of `from` (traceparent, tracestate), or undefined if none. */
export function traceHeaders(from: Headers | undefined): Headers | undefined {
  const parent = from?.[TRACEPARENT_HEADER];
  if (!parent) return undefined;
  const state = from[TRACESTATE_HEADER];
  return state
    ? { [TRACEPARENT_HEADER]: parent, [TRACESTATE_HEADER]: state }
    : { [TRACEPARENT_HEADER]: parent };
}

/**
 * `headers` plus the trace context of `inherited` where `headers` carries none: how the
 * caller's trace flows from a workflow's start to its activities, children and successor.
 */
export function withInheritedTrace(
  headers: Headers | undefined,
  inherited: Headers | undefined,
): Headers | undefined {
  if (inherited === undefined || headers?.[TRACEPARENT_HEADER] !== undefined) return headers;
  const trace = traceHeaders(inherited);
  if (!trace) return headers;
  return headers ? { ...trace, ...headers } : trace;
}

/** The trace id (32 hex digits) in a headers map's `_traceparent`, if well-formed. */
export function traceIdOf(headers: Headers | undefined): string | undefined {
  const p = headers?.[TRACEPARENT_HEADER];
  if (!p) return undefined;
  let text: unknown;
  try {
    text = JSON.parse(p.data);
  } catch {
    return undefined;
  }
  if (typeof text !== 'string') return undefined;
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(text);
  return m?.[1];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- inference helpers over method types */
type InputOf<F> = NonNullable<F> extends (input: infer I, next: any) => any ? I : never;
type OutputOf<F> = NonNullable<F> extends (input: any, next: any) => infer O ? O : never;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Chains the `method` of each interceptor around `terminal`: the first interceptor of the
 * list is the outermost, each calls `next(input)` to continue. Interceptors without the
 * method are skipped; with none, `terminal` itself is returned (nothing is allocated).
 */
export function composeInterceptors<T extends object, K extends keyof T & string>(
  interceptors: readonly T[] | undefined,
  method: K,
  terminal: (input: InputOf<T[K]>) => OutputOf<T[K]>,
): (input: InputOf<T[K]>) => OutputOf<T[K]> {
  type Fn = (input: InputOf<T[K]>) => OutputOf<T[K]>;
  let next: Fn = terminal;
  if (!interceptors) return next;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i]!;
    const fn = interceptor[method] as unknown;
    if (typeof fn !== 'function') continue;
    const inner = next;
    next = (input) =>
      (fn as (input: unknown, next: Fn) => OutputOf<T[K]>).call(interceptor, input, inner);
  }
  return next;
}
