// JSON-lines files another process appends to while a test reads them.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The complete lines of a JSON-lines file (none if it does not exist yet). A line still being
 * written — the text after the last newline — is left for the next read: a reader can see an
 * append in part (a write that spans a page boundary becomes visible a page at a time).
 */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}
