import { AionError, isAionError } from '../../core/index.js';

/** better-sqlite3 raises `SqliteError` with a string `code` such as `SQLITE_BUSY`. */
function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Maps driver errors to engine errors: a write that waited out the busy timeout is a
 * retryable `store_unavailable`; disk-level failures likewise. Engine errors pass through.
 */
export function mapSqliteError(err: unknown, location: string): Error {
  if (isAionError(err)) return err;
  const code = sqliteCode(err);
  if (code !== undefined) {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new AionError(
        'store_unavailable',
        `SQLite store ${location} stayed locked by another connection past the busy timeout; retry, or raise busyTimeoutMs`,
        { path: location, sqliteCode: code },
        { cause: err },
      );
    }
    if (
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_FULL') ||
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_READONLY')
    ) {
      return new AionError(
        'store_unavailable',
        `SQLite store ${location} failed: ${(err as Error).message}`,
        { path: location, sqliteCode: code },
        { cause: err },
      );
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

export function closedError(location: string): AionError {
  return new AionError('store_unavailable', `SQLite store ${location} is closed`, {
    path: location,
  });
}
