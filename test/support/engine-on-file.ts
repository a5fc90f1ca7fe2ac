// One engine at a time on a SQLite store in a fresh temporary directory per test: the engine
// is shut down, its store closed and the directory removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

export interface EngineOnFile {
  /** This test's temporary directory. */
  readonly dir: string;
  /** The store file in it (`aion.db`). */
  readonly db: string;
  /** Opens an engine on a store on `db` (the one engine of the test until `close`). */
  readonly open: (options?: Omit<EngineOptions, 'store'>) => Promise<Engine>;
  /** Shuts the engine down and closes its store (the file stays for the next `open`). */
  readonly close: () => Promise<void>;
}

/** Registers the hooks; `prefix` names the temporary directories. */
export function engineOnFileEachTest(prefix: string): EngineOnFile {
  let dir: string | undefined;
  let engine: Engine | undefined;
  const fixture: EngineOnFile = {
    get dir(): string {
      if (dir === undefined) throw new Error('no test is running');
      return dir;
    },
    get db(): string {
      return path.join(fixture.dir, 'aion.db');
    },
    open: async (options = {}) => {
      const store = await openSqliteStore({ path: fixture.db });
      engine = await createEngine({ ...options, store });
      return engine;
    },
    close: async () => {
      await engine?.shutdown();
      await engine?.store.close();
      engine = undefined;
    },
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await fixture.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return fixture;
}
