/** Damaging a SQLite file in place, as a failing disk would. */
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Overwrites the root page of `table` in the SQLite database `file` with 0xff bytes: every
 * read of that table then fails, wherever the table's pages lie in the file.
 */
export function damageTable(file: string, table: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let root: number;
  try {
    const row = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as
      { rootpage: number } | undefined;
    if (row === undefined) throw new Error(`no table ${table} in ${file}`);
    root = row.rootpage;
  } finally {
    db.close();
  }
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  Buffer.alloc(pageSize, 0xff).copy(bytes, pageSize * (root - 1));
  writeFileSync(file, bytes);
}
