import type Database from 'better-sqlite3';
import { notAionStore } from './errors.js';

/** Tables every Aion store has from schema version 1 on. */
const CORE_TABLES = ['runs', 'events'] as const;

function names(list: readonly string[]): string {
  const shown = list.slice(0, 5).join(', ');
  return list.length > 5 ? `${shown}, …` : shown;
}

function storedVersion(db: Database.Database, location: string): string | undefined {
  try {
    return db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as
      string | undefined;
  } catch (err) {
    // A `meta` table without our columns belongs to someone else.
    if ((err as { code?: unknown }).code === 'SQLITE_ERROR') {
      throw notAionStore(location, 'its meta table is not the one of an Aion store');
    }
    throw err;
  }
}

/**
 * Checks, with reads only, that the database at `location` is an Aion store or still empty,
 * before anything writes to it: a SQLite file of another application must not get Aion's
 * tables (or WAL journaling) added to it. Returns the stored schema version (0: empty).
 * Driver errors (`SQLITE_NOTADB`, `SQLITE_CORRUPT`) propagate for the caller to map.
 */
export function checkStoreIdentity(db: Database.Database, location: string): number {
  const objects = db
    .prepare(`SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  const tables = new Set(objects);
  const foreign = objects.filter((n) => n !== 'meta');
  const version = tables.has('meta') ? storedVersion(db, location) : undefined;
  if (version === undefined) {
    // Empty, or an Aion store whose first migration never committed (only `meta` exists).
    if (foreign.length === 0) return 0;
    throw notAionStore(
      location,
      `it is a SQLite database of another application (it holds ${names(foreign)})`,
    );
  }
  if (!/^[1-9]\d*$/.test(version)) {
    throw notAionStore(location, `its schema_version ${JSON.stringify(version)} is not Aion's`);
  }
  const missing = CORE_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw notAionStore(location, `it has no ${missing.join(' or ')} table`);
  }
  return Number(version);
}
