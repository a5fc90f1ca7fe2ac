/**
 * Files that are not a healthy Aion store — random bytes, another application's SQLite
 * database, a damaged Aion store — are refused with registry codes (`store_not_aion`,
 * `store_corrupt`) and left as they were, by the store, `createEngine` and the CLI.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import { main } from '../../src/cli/main.js';
import { createEngine } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { capture } from '../support/cli-io.js';
import { damageTable } from '../support/damaged-store.js';
import { errorOf } from '../support/errors.js';
import { batch, runKey, tempDir } from './fixtures/sqlite-helpers.js';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A data directory whose `aion.db` is written by `make`. */
function dataDir(name: string, make: (file: string) => void): { dir: string; file: string } {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'aion.db');
  make(file);
  return { dir, file };
}

const randomFile = (file: string): void => writeFileSync(file, randomBytes(64 * 1024));

function foreignDb(file: string): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
           CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
           INSERT INTO users (name) VALUES ('ada');
           INSERT INTO meta VALUES ('app', 'crm')`);
  db.close();
}

/** An Aion store with 40 runs, each of three events tagged with 4000 × `fill`. */
async function storeWithRuns(file: string, fill: string): Promise<void> {
  const store = await openSqliteStore({ path: file });
  for (let i = 0; i < 40; i++) await store.append(runKey(i), batch(0, 3, fill.repeat(4000)), 0);
  await store.close();
}

/** An Aion store with some runs, cut to half its size. */
async function truncatedStore(file: string): Promise<void> {
  await storeWithRuns(file, 'x');
  truncateSync(file, Math.floor(statSync(file).size / 2));
}

describe('files that are not a healthy Aion store', () => {
  it('random bytes: store_not_aion, the file untouched', async () => {
    const { file } = dataDir('random', randomFile);
    const before = digest(file);
    const err = await errorOf(openSqliteStore({ path: file }));
    expect(isAionError(err) && err.code, String(err)).toBe('store_not_aion');
    expect((err as Error).message).toContain('is not a SQLite database');
    expect(digest(file)).toBe(before);
    const tool = await errorOf(openSqliteStore({ path: file, exclusive: false }));
    expect(isAionError(tool) && tool.code).toBe('store_not_aion');
  });

  it("another application's SQLite database: store_not_aion, no Aion table or WAL added", async () => {
    const { dir, file } = dataDir('foreign', foreignDb);
    const before = digest(file);
    const err = await errorOf(openSqliteStore({ path: file }));
    expect(isAionError(err) && err.code, String(err)).toBe('store_not_aion');
    expect((err as Error).message).toContain('another application (it holds users)');
    const engineErr = await errorOf(createEngine({ dataDir: dir }));
    expect(isAionError(engineErr) && engineErr.code, String(engineErr)).toBe('store_not_aion');
    expect(digest(file)).toBe(before);
    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT name FROM sqlite_schema ORDER BY name`).pluck().all()).toEqual([
      'meta',
      'sqlite_autoindex_meta_1',
      'users',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
  });

  it('a damaged Aion store: store_corrupt', async () => {
    const { dir, file } = dataDir('truncated', () => undefined);
    await truncatedStore(file);
    const err = await errorOf(openSqliteStore({ path: file }));
    expect(isAionError(err) && err.code, String(err)).toBe('store_corrupt');
    expect((err as Error).message).toContain('is damaged');
    const engineErr = await errorOf(createEngine({ dataDir: dir }));
    expect(isAionError(engineErr) && engineErr.code, String(engineErr)).toBe('store_corrupt');
  });

  it('a damaged page met later surfaces as store_corrupt from the call that reads it', async () => {
    const file = path.join(tmp.dir, 'garbled.db');
    await storeWithRuns(file, 'y');
    // The history's pages.
    damageTable(file, 'events');
    const damaged = await openSqliteStore({ path: file });
    try {
      let failure: unknown;
      for (let i = 0; i < 40 && failure === undefined; i++) {
        failure = await damaged.readHistory(runKey(i)).then(
          () => undefined,
          (err: unknown) => err,
        );
      }
      expect(isAionError(failure) && failure.code, String(failure)).toBe('store_corrupt');
    } finally {
      await damaged.close();
    }
  });
});

describe('the CLI on such files', () => {
  const cases = [
    { name: 'random bytes', make: randomFile, code: 'store_not_aion' },
    { name: 'a foreign database', make: foreignDb, code: 'store_not_aion' },
  ] as const;

  for (const c of cases) {
    it(`aion server and aion history --data-dir with ${c.name}: error[${c.code}], a hint, exit 6, no stack trace`, async () => {
      const { dir } = dataDir('cli', c.make);
      for (const argv of [
        ['server', '--data-dir', dir, '--port', '0', '--no-auth', '--log-level', 'silent'],
        ['history', 'wf-1', '--data-dir', dir],
        ['backup', '--data-dir', dir, '--out', path.join(tmp.dir, 'copy.db')],
      ]) {
        const io = capture();
        expect(await main(argv, io), `${argv[0]}: ${io.err}`).toBe(6);
        expect(io.err).toContain(
          `error[${c.code}]: ${path.join(dir, 'aion.db')} is not an Aion store`,
        );
        expect(io.err).toContain('hint: point --data-dir at an Aion data directory');
        expect(io.err).not.toMatch(/^\s+at /m);
      }
    });
  }

  it('aion history and aion server --data-dir on a damaged store: error[store_corrupt], exit 6', async () => {
    const { dir } = dataDir('cli-damaged', () => undefined);
    await truncatedStore(path.join(dir, 'aion.db'));
    for (const argv of [
      ['server', '--data-dir', dir, '--port', '0', '--no-auth', '--log-level', 'silent'],
      ['history', 'wf-1', '--data-dir', dir],
    ]) {
      const io = capture();
      expect(await main(argv, io), io.err).toBe(6);
      expect(io.err).toContain('error[store_corrupt]: SQLite store');
      expect(io.err).toContain(
        'hint: stop the server and restore the data directory from a backup',
      );
      expect(io.err).not.toMatch(/^\s+at /m);
    }
  });
});
