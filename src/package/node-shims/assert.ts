// `assert` (and `node:assert`) for workflow code: Node's assertion functions, implemented in
// plain JavaScript so they behave the same in the sandbox on every host. `deepEqual` and
// `equal` are the legacy loose forms; prefer the strict ones (`assert/strict`).
import { isDeepStrictEqual } from './deep-equal.js';
import { inspect } from './inspect.js';

interface AssertionErrorOptions {
  readonly message?: string | Error | undefined;
  readonly actual?: unknown;
  readonly expected?: unknown;
  readonly operator?: string;
}

/** Thrown by a failed assertion (`code` 'ERR_ASSERTION', as Node's). */
export class AssertionError extends Error {
  readonly code = 'ERR_ASSERTION';
  readonly actual: unknown;
  readonly expected: unknown;
  readonly operator: string | undefined;
  readonly generatedMessage: boolean;

  constructor(options: AssertionErrorOptions) {
    const generated = options.message === undefined;
    super(
      generated
        ? `${inspect(options.actual)} ${options.operator ?? '=='} ${inspect(options.expected)}`
        : String(options.message instanceof Error ? options.message.message : options.message),
    );
    this.name = 'AssertionError';
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
    this.generatedMessage = generated;
  }
}

type Message = string | Error | undefined;

function check(pass: boolean, options: AssertionErrorOptions): void {
  if (pass) return;
  if (options.message instanceof Error) throw options.message;
  throw new AssertionError(options);
}

export function ok(value: unknown, message?: Message): asserts value {
  check(Boolean(value), {
    message:
      message ??
      (arguments.length === 0
        ? 'No value argument passed to `assert.ok()`'
        : 'The expression evaluated to a falsy value'),
    actual: value,
    expected: true,
    operator: '==',
  });
}

export function fail(message: Message = 'Failed'): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message, operator: 'fail' });
}

export function strictEqual(actual: unknown, expected: unknown, message?: Message): void {
  check(Object.is(actual, expected), { message, actual, expected, operator: 'strictEqual' });
}
export function notStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
  check(!Object.is(actual, expected), { message, actual, expected, operator: 'notStrictEqual' });
}
export function equal(actual: unknown, expected: unknown, message?: Message): void {
  // The legacy loose assertion (==).
  check(actual == expected || (actual !== actual && expected !== expected), {
    message,
    actual,
    expected,
    operator: '==',
  });
}
export function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  // The legacy loose assertion (==).
  check(actual != expected, { message, actual, expected, operator: '!=' });
}
export function deepStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
  check(isDeepStrictEqual(actual, expected), {
    message,
    actual,
    expected,
    operator: 'deepStrictEqual',
  });
}
export function notDeepStrictEqual(actual: unknown, expected: unknown, message?: Message): void {
  check(!isDeepStrictEqual(actual, expected), {
    message,
    actual,
    expected,
    operator: 'notDeepStrictEqual',
  });
}
// The loose deep forms compare strictly here: workflow code should not rely on coercion.
export const deepEqual = deepStrictEqual;
export const notDeepEqual = notDeepStrictEqual;

export function match(actual: string, expected: RegExp, message?: Message): void {
  check(typeof actual === 'string' && expected.test(actual), {
    message,
    actual,
    expected,
    operator: 'match',
  });
}
export function doesNotMatch(actual: string, expected: RegExp, message?: Message): void {
  check(typeof actual === 'string' && !expected.test(actual), {
    message,
    actual,
    expected,
    operator: 'doesNotMatch',
  });
}

type Expected = RegExp | (new (...args: never[]) => unknown) | ((err: unknown) => boolean) | object;

function matches(err: unknown, expected: Expected | undefined): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp)
    return expected.test(String(err instanceof Error ? err.message : err));
  if (typeof expected === 'function') {
    const proto = (expected as { prototype?: unknown }).prototype;
    if (proto !== undefined && err instanceof (expected as new () => unknown)) return true;
    if (proto !== undefined && Object.prototype.isPrototypeOf.call(Error, expected)) return false;
    return (expected as (e: unknown) => boolean)(err) === true;
  }
  return Object.entries(expected).every(([k, v]) => {
    const actual = (err as Record<string, unknown> | null)?.[k];
    return v instanceof RegExp && typeof actual === 'string'
      ? v.test(actual)
      : isDeepStrictEqual(actual, v);
  });
}

export function throws(fn: () => unknown, expected?: Expected | string, message?: Message): void {
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  try {
    fn();
  } catch (err) {
    check(matches(err, expected), {
      message: message ?? 'The error is not the expected one',
      actual: err,
      expected,
      operator: 'throws',
    });
    return;
  }
  throw new AssertionError({
    message: message ?? 'Missing expected exception.',
    operator: 'throws',
  });
}
export function doesNotThrow(fn: () => unknown, message?: Message): void {
  try {
    fn();
  } catch (err) {
    throw new AssertionError({
      message: message ?? `Got unwanted exception: ${inspect(err)}`,
      actual: err,
      operator: 'doesNotThrow',
    });
  }
}
export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  expected?: Expected | string,
  message?: Message,
): Promise<void> {
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    check(matches(err, expected), {
      message: message ?? 'The rejection is not the expected one',
      actual: err,
      expected,
      operator: 'rejects',
    });
    return;
  }
  throw new AssertionError({
    message: message ?? 'Missing expected rejection.',
    operator: 'rejects',
  });
}
export async function doesNotReject(
  promise: Promise<unknown> | (() => Promise<unknown>),
  message?: Message,
): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    throw new AssertionError({
      message: message ?? `Got unwanted rejection: ${inspect(err)}`,
      actual: err,
      operator: 'doesNotReject',
    });
  }
}
export function ifError(value: unknown): void {
  if (value !== null && value !== undefined)
    throw value instanceof Error
      ? value
      : new AssertionError({
          message: `ifError got unwanted exception: ${inspect(value)}`,
          actual: value,
          operator: 'ifError',
        });
}

const functions = {
  ok,
  fail,
  equal,
  notEqual,
  strictEqual,
  notStrictEqual,
  deepEqual,
  notDeepEqual,
  deepStrictEqual,
  notDeepStrictEqual,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  ifError,
  AssertionError,
};

/** The strict variant (`assert.strict`, `assert/strict`): equal/deepEqual compare strictly. */
export const strict: typeof ok & typeof functions & { strict: unknown } = Object.assign(
  function strict(value: unknown, message?: Message): asserts value {
    ok(value, message);
  },
  functions,
  { equal: strictEqual, notEqual: notStrictEqual, strict: undefined },
);
strict.strict = strict;

const assert: typeof ok & typeof functions & { strict: typeof strict } = Object.assign(
  function assert(value: unknown, message?: Message): asserts value {
    ok(value, message);
  },
  functions,
  { strict },
);

export default assert;
