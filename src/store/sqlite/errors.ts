import { AionError, isAionError } from '../../core/index.js';

/** better-sqlite3 raises `SqliteError` with a string `code` such as `SQLITE_BUSY`. */
function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** `store_not_aion`: `location` is not a file this store may open; it was left as it was. */
export function notAionStore(
  location: string,
  why: string,
  options?: { cause?: unknown },
): AionError {
  return new AionError(
    'store_not_aion',
    `${location} is not an Aion store: ${why}; Aion left the file as it was`,
    { path: location },
    options,
  );
}

/**
 * Maps driver errors to engine errors: a write that waited out the busy timeout is a
 * retryable `store_unavailable`; disk-level failures likewise; a malformed database is
 * `store_corrupt` and a file that is no database at all `store_not_aion`. Engine errors pass
 * through.
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
    if (code.startsWith('SQLITE_CORRUPT')) {
      return new AionError(
        'store_corrupt',
        `SQLite store ${location} is damaged (${(err as Error).message}); restore it from a backup`,
        { path: location, sqliteCode: code },
        { cause: err },
      );
    }
    if (code.startsWith('SQLITE_FULL')) {
      return new AionError(
        'store_unavailable',
        `SQLite store ${location} is full (${(err as Error).message}); nothing was written — free disk space`,
        { path: location, sqliteCode: code },
        { cause: err },
      );
    }
    if (code.startsWith('SQLITE_NOTADB')) {
      return notAionStore(
        location,
        'it is not a SQLite database (it is damaged, encrypted, or another kind of file)',
        { cause: err },
      );
    }
    if (
      code.startsWith('SQLITE_IOERR') ||
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
    closed: true,
  });
}
