import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AionError } from '../../core/index.js';

/**
 * The process-level owner lock of a SQLite store: an exclusive SQLite transaction held on a
 * sibling file `<path>-lock` for the life of the store. SQLite takes a POSIX advisory lock on
 * that file, which the OS releases when the process dies (also on `kill -9`), so a crashed
 * owner never blocks a restart. SQLite also tracks locks per inode inside one process, so a
 * second exclusive open in the same process is refused as well. A lock file deleted under a
 * live owner defeats it; the owner row (ownership.ts) covers that case.
 */
export class OwnerLock {
  readonly #db: Database.Database;
  readonly path: string;
  /**
   * `<device>:<inode>` of the lock file this lock holds. While a process holds a lock file
   * open, its inode cannot be reused, so a later owner that locks a file with the same
   * identity knows the earlier holder has let go of it (see ownership.ts).
   */
  readonly fileId: string;

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
    const stat = statSync(path, { bigint: true });
    this.fileId = `${stat.dev}:${stat.ino}`;
  }

  static acquire(storePath: string): OwnerLock {
    const path = `${storePath}-lock`;
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') {
        throw new AionError(
          'store_locked',
          `another process owns ${storePath} (lock file ${path}); only one engine may own a SQLite store — stop the other process, or open with exclusive: false for read-only tooling`,
          { path: storePath, lockPath: path },
        );
      }
      throw err;
    }
    try {
      return new OwnerLock(db, path);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  release(): void {
    if (this.#db.open) this.#db.close();
  }
}
