import { AionError, isAionError } from '../../core/index.js';

/** Fields of a `pg` DatabaseError (or a Node socket error) the mapping reads. */
interface PgErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly constraint?: unknown;
  readonly detail?: unknown;
  readonly table?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/** SQLSTATEs of transient failures: a retry of the whole transaction may succeed. */
export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function sqlState(error: unknown): string | undefined {
  const code = (error as PgErrorLike | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isConnectionFailure(code: string | undefined, message: string): boolean {
  if (code !== undefined) {
    if (CONNECTION_CODES.has(code)) return true;
    // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return true;
    // 53000 insufficient resources, 53100 disk full, 53200 out of memory, 53300 too many connections.
    if (code === '53000' || code === '53100' || code === '53200' || code === '53300') return true;
  }
  return /Connection terminated|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(
    message,
  );
}

/**
 * Maps a driver error to a typed Aion error. Errors that are already typed pass through;
 * anything the adapter did not expect becomes `internal` with the SQLSTATE and constraint in
 * `details`, so a bug report carries what is needed to find it.
 */
export function mapPgError(error: unknown, what: string): AionError {
  if (isAionError(error)) return error;
  const e = (error ?? {}) as PgErrorLike;
  const code = sqlState(error);
  const message = typeof e.message === 'string' ? e.message : String(error);
  const details: Record<string, unknown> = { operation: what };
  if (code !== undefined) details.sqlState = code;
  if (typeof e.constraint === 'string') details.constraint = e.constraint;
  if (typeof e.table === 'string') details.table = e.table;
  if (typeof e.detail === 'string') details.detail = e.detail;

  if (code === '53100') {
    return new AionError(
      'store_unavailable',
      `PostgreSQL is out of disk space during ${what}: ${message}; nothing was written — free space on the database server`,
      details,
      { cause: error },
    );
  }
  if (message === 'Query read timeout') {
    return new AionError(
      'store_unavailable',
      `PostgreSQL did not answer ${what} within the query timeout (queryTimeoutMs); the server may be overloaded, frozen or cut off — whether a write was applied is read back`,
      details,
      { cause: error },
    );
  }
  if (isConnectionFailure(code, message)) {
    return new AionError(
      'store_unavailable',
      `PostgreSQL is unreachable during ${what}: ${message}; check that the server is running and the connection string (host, port, database, user) is right`,
      details,
      { cause: error },
    );
  }
  if (code !== undefined && RETRYABLE_SQLSTATES.has(code)) {
    return new AionError(
      'store_unavailable',
      `PostgreSQL aborted ${what} (${code === '40P01' ? 'deadlock' : 'serialization failure'}); nothing was written, retry`,
      details,
      { cause: error },
    );
  }
  // 22021: NUL byte or invalid UTF-8 in a TEXT value; 22P05: untranslatable character.
  if (code === '22021' || code === '22P05') {
    return new AionError(
      'invalid_argument',
      `a text value in ${what} cannot be stored in PostgreSQL (${message}); NUL characters are only allowed inside JSON-encoded payloads`,
      details,
      { cause: error },
    );
  }
  if (code === '23505') {
    return new AionError(
      'internal',
      `unexpected unique violation during ${what}: ${message}`,
      details,
      {
        cause: error,
      },
    );
  }
  return new AionError('internal', `PostgreSQL error during ${what}: ${message}`, details, {
    cause: error,
  });
}

export function closedStoreError(): AionError {
  return new AionError(
    'store_unavailable',
    'the PostgreSQL store is closed; open a new one with openPostgresStore',
    { closed: true },
  );
}
