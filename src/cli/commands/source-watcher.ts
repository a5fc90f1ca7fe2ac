// Watches a source tree for edits to TypeScript/JavaScript files, including saves that
// replace the file by renaming a temporary one over it (vim, JetBrains safe write, sed -i).
import { readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const SOURCE = /\.[cm]?[jt]sx?$/;
/** Directories that never hold the workflow sources (dependencies, build output, data). */
const SKIPPED = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Calls `onChange` with the path of each changed source file (or of a directory whose
 * contents appeared at once). Several calls may follow one save; callers debounce.
 *
 * Each directory is watched on its own rather than with `fs.watch(root, { recursive: true })`:
 * on Linux, Node 20 emulates the recursive mode with a watch per file, and a file replaced
 * by a rename is no longer watched, so every save after the first such one went unseen. A
 * directory's watch outlives renames inside it. Subdirectories that appear or disappear
 * are picked up by re-scanning the tree after each rename event.
 */
export class SourceWatcher {
  readonly #root: string;
  readonly #onChange: (file: string) => void;
  readonly #watchers = new Map<string, FSWatcher>();
  #closed = false;

  constructor(root: string, onChange: (file: string) => void) {
    this.#root = path.resolve(root);
    this.#onChange = onChange;
    this.#rescan(true);
  }

  /** The directories watched now (tests). */
  get directories(): string[] {
    return [...this.#watchers.keys()].sort();
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }

  #rescan(initial = false): void {
    if (this.#closed) return;
    const dirs = new Set(directoriesUnder(this.#root));
    for (const [dir, w] of this.#watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      this.#watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue;
      // A directory that appeared may already hold files written before its watch existed.
      if (this.#arm(dir) && !initial) this.#onChange(dir);
    }
  }

  #arm(dir: string): boolean {
    let w: FSWatcher;
    try {
      w = watch(dir, (event, name) => this.#event(dir, event, name));
    } catch {
      return false; // removed between the scan and the watch
    }
    w.on('error', () => {
      w.close();
      this.#watchers.delete(dir);
      this.#rescan();
    });
    this.#watchers.set(dir, w);
    return true;
  }

  #event(dir: string, event: string, name: string | null): void {
    if (this.#closed) return;
    // A rename is how entries appear and disappear, directories included.
    if (event === 'rename') this.#rescan();
    if (name === null) this.#onChange(dir);
    else if (SOURCE.test(name)) this.#onChange(path.join(dir, name));
  }
}

/** `root` and every directory below it, except hidden and skipped ones; missing ones are left out. */
function directoriesUnder(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    out.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name))
        visit(path.join(dir, e.name));
    }
  };
  visit(root);
  return out;
}
