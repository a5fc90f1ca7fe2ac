import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AionError, invalidArgument, resolveLimits } from '../../core/index.js';
import { mapSqliteError } from './errors.js';
import { checkStoreIdentity } from './identity.js';
import { OwnerLock } from './lock.js';
import { migrate } from './migrations.js';
import { Ownership } from './ownership.js';
import type { SqliteStoreOptions } from './options.js';
import { SqliteStore } from './sqlite-store.js';

const MEMORY = ':memory:';

/** Page cache of the store's connection, in MiB (see SqliteStoreOptions.cacheSizeMiB). */
const DEFAULT_CACHE_MIB = 4;

function checkOptions(options: SqliteStoreOptions): void {
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw invalidArgument('SQLite store path must be a non-empty file path or ":memory:"', {
      field: 'path',
    });
  }
  if (
    options.synchronous !== undefined &&
    options.synchronous !== 'FULL' &&
    options.synchronous !== 'NORMAL'
  ) {
    throw invalidArgument(
      `synchronous must be 'FULL' or 'NORMAL', got ${JSON.stringify(options.synchronous)}`,
      {
        field: 'synchronous',
      },
    );
  }
  const cache = options.cacheSizeMiB;
  if (cache !== undefined && (!Number.isSafeInteger(cache) || cache < 1 || cache > 65536)) {
    throw invalidArgument(`cacheSizeMiB must be an integer from 1 to 65536, got ${String(cache)}`, {
      field: 'cacheSizeMiB',
    });
  }
  const busy = options.busyTimeoutMs;
  if (busy !== undefined && (!Number.isSafeInteger(busy) || busy < 0)) {
    throw invalidArgument(`busyTimeoutMs must be a non-negative integer, got ${String(busy)}`, {
      field: 'busyTimeoutMs',
    });
  }
}

/** Journal and pragmas of a store connection (see docs/storage.md, "Pragmas and why"). */
function configure(db: Database.Database, options: SqliteStoreOptions, memory: boolean): void {
  const path = options.path;
  if (!memory) {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new AionError(
        'store_unavailable',
        `SQLite store ${path} cannot use WAL journaling (got ${String(mode)}); put the file on a local file system`,
        { path },
      );
    }
  }
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');
  db.pragma(`cache_size = -${(options.cacheSizeMiB ?? DEFAULT_CACHE_MIB) * 1024}`); // in KiB
  db.pragma('journal_size_limit = 67108864'); // truncate the WAL back to 64 MiB after checkpoints
}

function openSync(options: SqliteStoreOptions): SqliteStore {
  checkOptions(options);
  const limits = resolveLimits(options.limits);
  const path = options.path;
  const memory = path === MEMORY;
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  // The lock comes first: a second owner must not even run migrations on the file.
  const lock = options.exclusive !== false && !memory ? OwnerLock.acquire(path) : undefined;
  let db: Database.Database | undefined;
  let ownership: Ownership | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    // Reads only: a file that is not an Aion store is refused before anything writes to it.
    checkStoreIdentity(db, path);
    configure(db, options, memory);
    migrate(db, path);
    // The owner row covers what the lock file cannot: a lock file deleted under a live owner.
    ownership = lock ? Ownership.claim(db, path, lock) : undefined;
    return new SqliteStore(db, { lock, ownership }, limits, path);
  } catch (err) {
    ownership?.release();
    db?.close();
    lock?.release();
    throw mapSqliteError(err, path);
  }
}

/**
 * Opens (creating if needed) a SQLite store and brings its schema up to date.
 *
 * Fails with `store_locked` when another engine (in another process or in this one) owns
 * the file, with `store_schema_too_new` when the file was written by a newer Aion, with
 * `store_not_aion` when it is not an Aion store (not a SQLite database, or another
 * application's) and with `store_corrupt` when SQLite finds it damaged.
 *
 * @example
 * ```ts
 * const store = await openSqliteStore({ path: '.aion/aion.db' });
 * const engine = createEngine({ store });
 * ```
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  try {
    return Promise.resolve(openSync(options));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
