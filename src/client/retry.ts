// When and how the remote client retries a call: which failures are transient, which calls
// may be sent again, and how attempts are spaced (exponential backoff with jitter, bounded
// by attempts and total time, a server's Retry-After honoured).
import { AionError, ERROR_CODES } from '../core/index.js';

/** How the client retries calls that failed transiently. */
export interface ClientRetryOptions {
  /** Attempts of one call, the first included. Default 10. */
  readonly maxAttempts?: number;
  /** Pause before the first retry (ms). Default 100. */
  readonly initialIntervalMs?: number;
  /** Each pause is the previous one times this. Default 2. */
  readonly backoffCoefficient?: number;
  /** Longest pause between attempts (ms). Default 5000. */
  readonly maxIntervalMs?: number;
  /** No retry starts later than this after the call began (ms). Default 30 000. */
  readonly maxElapsedMs?: number;
}

export type RetryPolicy = Required<ClientRetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  initialIntervalMs: 100,
  backoffCoefficient: 2,
  maxIntervalMs: 5000,
  maxElapsedMs: 30_000,
};

/** The policy from the connection option (`false`: one attempt). */
export function retryPolicy(options: ClientRetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...DEFAULT_RETRY, maxAttempts: 1 };
  const policy = { ...DEFAULT_RETRY, ...options };
  for (const [key, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !(value >= 0) || (key === 'maxAttempts' && value < 1)) {
      throw new AionError('invalid_argument', `retry.${key} must be a non-negative number`, {
        field: `retry.${key}`,
      });
    }
  }
  return policy;
}

/**
 * A failed attempt, as the retry loop sees it: the error to throw, whether the server
 * certainly did not act on the request (`refused`: never sent, or turned away before any
 * work — `unavailable`, `rate_limited`), whether it is transient at all, and the pause the
 * server asked for (Retry-After).
 */
export interface AttemptFailure {
  readonly error: AionError;
  readonly transient: boolean;
  readonly refused: boolean;
  readonly retryAfterMs?: number;
}

/** Transport errors raised before the request left this process (nothing reached the server). */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Transport errors after the request may have reached the server: retried for safe calls only. */
const AMBIGUOUS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Classifies an error the HTTP layer threw (the server never answered). */
export function transportFailure(err: unknown, address: string): AttemptFailure {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  const reason = timedOut ? 'timed out' : (code ?? e.message);
  const error = new AionError(
    'unavailable',
    `cannot reach the Aion server at ${address}: ${reason}`,
    { address },
    { cause: err },
  );
  const refused = code !== undefined && NOT_SENT.has(code);
  return { error, refused, transient: refused || (code !== undefined && AMBIGUOUS.has(code)) };
}

/** Classifies an error response (`error` rebuilt from its body). */
export function responseFailure(
  status: number,
  error: AionError,
  retryAfter: string | string[] | undefined,
): AttemptFailure {
  // Both are answered before the server acts on the request: safe to send again.
  const refused = error.code === 'unavailable' || error.code === 'rate_limited';
  const transient =
    ERROR_CODES[error.code].retryable || status === 429 || status === 502 || status === 503;
  const after = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return {
    error,
    refused: refused || status === 429,
    transient,
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  };
}

/** `Retry-After`: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The pause before retry number `retry` (1 = the first): backoff with equal jitter. */
export function backoffMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const base = Math.min(
    policy.maxIntervalMs,
    policy.initialIntervalMs * policy.backoffCoefficient ** (retry - 1),
  );
  return base / 2 + (random() * base) / 2;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's budget is spent; the
 * last failure's error is thrown. `idempotent` calls are also retried after ambiguous
 * failures (the server may have acted); others only when the server certainly did not.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  idempotent: boolean,
  attempt: () => Promise<T | AttemptFailure>,
  isFailure: (value: T | AttemptFailure) => value is AttemptFailure,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    const out = await attempt();
    if (!isFailure(out)) return out;
    const retryable = out.transient && (idempotent || out.refused);
    if (!retryable || n >= policy.maxAttempts) throw out.error;
    const pause = out.retryAfterMs ?? backoffMs(policy, n);
    if (Date.now() - started + pause > policy.maxElapsedMs) throw out.error;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
