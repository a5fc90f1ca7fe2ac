/**
 * Online backups of a SQLite store: a consistent copy taken while an engine keeps using the
 * file, written aside (`<out>.partial`), synced, and renamed into place only when complete.
 * The copy's owner row is removed, so an engine can open the copy at once.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AionError, invalidArgument } from '../../core/index.js';
import { mapSqliteError, notAionStore } from './errors.js';
import { checkStoreIdentity } from './identity.js';

/** What a backup wrote. */
export interface BackupResult {
  /** The backup file (as given). */
  readonly path: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/** Options of {@link backupSqliteFile}. */
export interface SqliteBackupOptions {
  /** The store's database file (e.g. `.aion/aion.db`). */
  readonly path: string;
  /** The backup file to create; it must not exist yet. Parent directories are created. */
  readonly out: string;
}

function removePartial(partial: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm'])
    rmSync(`${partial}${suffix}`, { force: true });
}

/** Checks `out` and creates the empty file the copy is written into; returns its path. */
function prepareTarget(out: string, source: string): string {
  if (typeof out !== 'string' || out.length === 0) {
    throw invalidArgument('the backup file must be a non-empty path', { field: 'out' });
  }
  if (resolve(out) === resolve(source) || resolve(out).startsWith(`${resolve(source)}-`)) {
    throw invalidArgument(`the backup file ${out} is the store itself or one of its files`, {
      field: 'out',
    });
  }
  if (existsSync(out)) {
    throw invalidArgument(
      `${out} exists; a backup writes a new file — remove it or pick another name`,
      {
        field: 'out',
        path: out,
      },
    );
  }
  const partial = `${out}.partial`;
  try {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    removePartial(partial);
    closeSync(openSync(partial, 'w'));
  } catch (err) {
    throw invalidArgument(`cannot write the backup file ${out}: ${(err as Error).message}`, {
      field: 'out',
      path: out,
    });
  }
  return partial;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Drops the copied owner row, syncs the copy and moves it into place. */
function finish(partial: string, out: string): BackupResult {
  const copy = new Database(partial);
  try {
    const hasOwner = copy
      .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'owner'`)
      .get();
    if (hasOwner !== undefined) copy.exec(`DELETE FROM owner`);
  } finally {
    copy.close();
  }
  fsyncPath(partial);
  renameSync(partial, out);
  try {
    fsyncPath(dirname(resolve(out))); // the rename itself
  } catch {
    // directories cannot be synced on every platform
  }
  return { path: out, bytes: statSync(out).size };
}

/**
 * Copies an open store through its own connection with SQLite's online backup API: a few
 * pages per step, yielding to the event loop between steps, so the engine keeps working;
 * its writes during the copy are carried into the copy by SQLite.
 */
export async function backupConnection(
  db: Database.Database,
  location: string,
  out: string,
): Promise<BackupResult> {
  const partial = prepareTarget(out, location);
  try {
    await db.backup(partial);
    return finish(partial, out);
  } catch (err) {
    removePartial(partial);
    throw mapSqliteError(err, location);
  }
}

/**
 * Copies the SQLite store at `path` to the new file `out`, also while an engine owns it (it
 * neither takes the owner lock nor waits for it). The copy is one consistent snapshot
 * (`VACUUM INTO` in a single read transaction; in WAL mode the owner keeps writing
 * meanwhile), compacted, and every row is read on the way, so a damaged store fails the
 * backup with `store_corrupt` instead of copying the damage. What `aion backup` runs.
 */
export function backupSqliteFile(options: SqliteBackupOptions): Promise<BackupResult> {
  try {
    return Promise.resolve(backupFileSync(options));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function backupFileSync(options: SqliteBackupOptions): BackupResult {
  const { path, out } = options;
  if (typeof path !== 'string' || !existsSync(path)) {
    throw new AionError('not_found', `no SQLite store at ${String(path)}`, { path });
  }
  const partial = prepareTarget(out, path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    if (checkStoreIdentity(db, path) === 0) throw notAionStore(path, 'it holds no Aion data yet');
    db.prepare(`VACUUM INTO ?`).run(partial);
    db.close();
    return finish(partial, out);
  } catch (err) {
    removePartial(partial);
    throw mapSqliteError(err, path);
  } finally {
    if (db?.open) db.close();
  }
}
