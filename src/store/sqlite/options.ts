import type { Limits } from '../../core/index.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; parent directories are created. `':memory:'` gives a private in-memory store. */
  readonly path: string;
  /**
   * `FULL` (default) syncs the WAL on every commit: a commit survives power loss. `NORMAL`
   * syncs only at checkpoints: a commit survives a process crash (also `kill -9`) but the last
   * commits may be lost on power loss or an OS crash — faster on slow disks.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * Take the process-level owner lock (default `true`), so a second engine on the same file
   * fails fast with `store_locked`. `false` is for tools and tests that open a second
   * connection next to an owner.
   */
  readonly exclusive?: boolean;
  /** Limits enforced on append/commit (default {@link DEFAULT_LIMITS}). */
  readonly limits?: Partial<Limits>;
  /** How long a write waits for another connection's write transaction, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's page cache for the store's connection, in MiB (default 4). The engine's writes
   * append (new runs, new events), which a small cache serves as well as a large one; the
   * operating system's file cache holds the rest of the file. A larger cache speeds up
   * visibility listings and history reads of a large store, for that much more memory.
   */
  readonly cacheSizeMiB?: number;
}
