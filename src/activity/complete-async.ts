/**
 * Asynchronous completion: an activity hands its task token to another system and throws
 * {@link CompleteAsyncError}; that system later completes the activity by token.
 */
import { AionError } from '../core/index.js';

const COMPLETE_ASYNC_BRAND = Symbol.for('aion.completeAsync');

/**
 * Thrown by an activity to say "I will be completed later by task token". The attempt's
 * outcome is `async`: the executor stops its timers, and the engine keeps the activity open
 * until it is completed, failed or cancelled by token (or a timeout the engine enforces).
 *
 * @example
 * const { taskToken } = Context.current().info;
 * await queue.send({ taskToken, job });
 * throw new CompleteAsyncError();
 */
export class CompleteAsyncError extends Error {
  readonly [COMPLETE_ASYNC_BRAND] = true;
  constructor() {
    super('activity will be completed asynchronously by task token');
    this.name = 'CompleteAsyncError';
  }
}

/** Brand check (works across duplicated module instances, unlike `instanceof`). */
export function isCompleteAsyncError(value: unknown): value is CompleteAsyncError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[COMPLETE_ASYNC_BRAND] === true
  );
}

/** What a task token addresses: one attempt of one activity. */
export interface TaskTokenFields {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly activityId: string;
  readonly attempt: number;
}

const TOKEN_VERSION = 1;
const MAX_TOKEN_LENGTH = 8_192;
const BASE64URL = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/;
/** The version of a signed token (see token-signing.ts). */
export const SIGNED_VERSION = 2;

/** Encodes the token as base64url JSON (`{ v: 1, ns, wf, run, act, att }`). Not a secret. */
export function encodeTaskToken(fields: TaskTokenFields): string {
  checkFields(fields, 'encodeTaskToken');
  const json = JSON.stringify({
    v: TOKEN_VERSION,
    ns: fields.namespace,
    wf: fields.workflowId,
    run: fields.runId,
    act: fields.activityId,
    att: fields.attempt,
  });
  return Buffer.from(json, 'utf8').toString('base64url');
}

function badToken(reason: string): never {
  throw new AionError(
    'invalid_argument',
    `invalid task token: ${reason}; pass the exact string from Context.current().info.taskToken`,
    { field: 'taskToken' },
  );
}

/** Decodes and validates a token; throws `AionError('invalid_argument')` on anything else. */
export function decodeTaskToken(token: string): TaskTokenFields {
  if (typeof token !== 'string' || token.length === 0) badToken('expected a non-empty string');
  if (token.length > MAX_TOKEN_LENGTH) badToken(`longer than ${MAX_TOKEN_LENGTH} characters`);
  if (!BASE64URL.test(token)) badToken('not base64url text');
  const payload = token.split('.')[0]!;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    badToken('not an Aion task token (undecodable)');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    badToken('not an Aion task token (not an object)');
  }
  const o = raw as Record<string, unknown>;
  if (o.v !== TOKEN_VERSION && o.v !== SIGNED_VERSION)
    badToken(`unsupported token version ${JSON.stringify(o.v)}`);
  const fields = {
    namespace: o.ns,
    workflowId: o.wf,
    runId: o.run,
    activityId: o.act,
    attempt: o.att,
  };
  checkFields(fields, 'decodeTaskToken');
  return fields as TaskTokenFields;
}

export function checkFields(fields: Record<keyof TaskTokenFields, unknown>, where: string): void {
  for (const key of ['namespace', 'workflowId', 'runId', 'activityId'] as const) {
    const v = fields[key];
    if (typeof v !== 'string' || v.length === 0) {
      if (where === 'decodeTaskToken') badToken(`${key} is missing`);
      throw new AionError('invalid_argument', `${where}: ${key} must be a non-empty string`, {
        field: key,
      });
    }
  }
  const attempt = fields.attempt;
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1) {
    if (where === 'decodeTaskToken') badToken('attempt is missing or not a positive integer');
    throw new AionError('invalid_argument', `${where}: attempt must be an integer >= 1`, {
      field: 'attempt',
    });
  }
}
