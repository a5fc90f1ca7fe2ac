// Store faults as inputs: which store errors are transient (retry later) and how long to wait
// between attempts (capped exponential backoff with jitter). Pure: randomness is passed in.
import { isAionError } from './errors.js';

/** Capped exponential backoff: `initialMs · multiplier^(attempt-1)`, at most `maxMs`, jittered. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
  /** Fraction of the delay drawn at random (0: none, 1: anywhere in [0, delay]). Default 0.5. */
  readonly jitter?: number;
}

/** Background store work: 100 ms, doubling, capped at 5 s. */
export const STORE_RETRY_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5000 };

/** The wait before attempt `attempt + 1` (attempt counts from 1); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const n = Math.max(1, Math.min(attempt, 64));
  const base = Math.min(policy.maxMs, policy.initialMs * (policy.multiplier ?? 2) ** (n - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  return Math.max(1, Math.round(base * (1 - jitter * random())));
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // SQLSTATEs: admin/crash shutdown, cannot connect now, connection exceptions, disk full,
  // out of memory, too many connections, serialization failure, deadlock.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53000',
  '53100',
  '53200',
  '53300',
  '40001',
  '40P01',
]);

const TRANSIENT_MESSAGE =
  /Connection terminated|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect/i;

/**
 * True for a store failure that may go away by itself: a typed `store_unavailable` (database
 * unreachable, connection lost, busy, disk full) — except a store closed by its owner — or a
 * raw driver error with such a code. Everything else is a refusal that repeating will not fix.
 */
export function isTransientStoreError(err: unknown): boolean {
  if (isAionError(err)) return err.code === 'store_unavailable' && err.details.closed !== true;
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code)) return true;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_FULL')) return true;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && TRANSIENT_MESSAGE.test(message);
}

/** The most specific code of a store error (SQLSTATE, SQLite or socket code, else Aion code). */
export function storeErrorCode(err: unknown): string {
  if (isAionError(err)) {
    const d = err.details;
    const specific = d.sqlState ?? d.sqliteCode ?? d.driverCode;
    return typeof specific === 'string' ? specific : err.code;
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

/**
 * A cluster node's write refused because the run's shard is held by another node (or no
 * longer by this one): nothing was written, and the run's owner is elsewhere.
 */
export function isShardMoved(err: unknown): boolean {
  return (
    isAionError(err) &&
    err.code === 'store_locked' &&
    (err.details as { reason?: unknown }).reason === 'shard_moved'
  );
}
