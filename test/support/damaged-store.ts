/** Damaging a SQLite file in place, as a failing disk would. */
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Overwrites one page of the SQLite database `file` with 0xff bytes: no valid b-tree page
 * type, and an overflow pointer past the end of the file. `at` places the page as a fraction
 * of the file (1: the last page).
 */
export function damagePage(file: string, at: number): void {
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  const pages = bytes.length / pageSize;
  const page = Math.min(pages - 1, Math.floor(pages * at));
  Buffer.alloc(pageSize, 0xff).copy(bytes, pageSize * page);
  writeFileSync(file, bytes);
}
