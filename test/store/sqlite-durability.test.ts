import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isAionError, SequenceConflictError } from '../../src/core/index.js';
import { openSqliteStore, SCHEMA_VERSION } from '../../src/store/sqlite/index.js';
import { errorOf } from '../support/errors.js';
import { holdInChild, killHolder, openInChild } from './fixtures/sqlite-children.js';
import { sqliteFileEachTest } from './fixtures/sqlite-file.js';
import {
  batch,
  exited,
  LineReader,
  runKey,
  spawnFixture,
  tagOf,
} from './fixtures/sqlite-helpers.js';

const sqlite = sqliteFileEachTest('nested', 'dir', 'aion.db');
const { open } = sqlite;

describe('SQLite store durability', () => {
  it('keeps history, visibility and side-effect rows across close and reopen', async () => {
    const store = await open();
    const run = runKey(1);
    await store.commit([
      {
        run,
        expectedSeq: 0,
        events: batch(0, 3, 'a'),
        timers: { upsert: [{ ...run, timerId: 't1', fireAt: 5_000, kind: 'user' }] },
        outbox: { add: [{ ...run, id: 'o1', kind: 'signal', data: '{}', createdAt: 1 }] },
      },
    ]);
    await store.putPackage(
      {
        namespace: 'default',
        version: 'v1',
        archive: new Uint8Array([1, 2, 3]),
        manifest: '{}',
        deployedAt: 1,
      },
      ['Order'],
    );
    const before = await store.readHistory(run);
    await store.close();

    const again = await open();
    expect(await again.readHistory(run)).toEqual(before);
    expect(await again.headSeq(run)).toBe(3);
    expect((await again.getRun(run))?.status).toBe('RUNNING');
    expect(await again.listTimers(run)).toEqual([
      { ...run, timerId: 't1', fireAt: 5_000, kind: 'user' },
    ]);
    expect((await again.listOutbox({ limit: 10 })).map((o) => o.id)).toEqual(['o1']);
    expect((await again.getPackage('default', 'v1'))?.archive).toEqual(new Uint8Array([1, 2, 3]));
    expect(await again.listRoutes('default')).toEqual([
      { namespace: 'default', workflowType: 'Order', version: 'v1', updatedAt: 1 },
    ]);
  });

  it('refuses a store whose schema version is newer than the code, without touching it', async () => {
    await (await open()).close();
    const db = new Database(sqlite.file);
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(
      String(SCHEMA_VERSION + 1),
    );
    db.close();
    const err = await errorOf(openSqliteStore({ path: sqlite.file }));
    expect(isAionError(err) && err.code).toBe('store_schema_too_new');
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    const check = new Database(sqlite.file, { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION + 1),
    );
    check.close();
    // The refused open released the owner lock.
    const db2 = new Database(sqlite.file);
    db2
      .prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`)
      .run(String(SCHEMA_VERSION));
    db2.close();
    await open();
  });

  it('refuses a second exclusive open in the same process and frees the lock on close', async () => {
    const first = await open();
    const err = await errorOf(openSqliteStore({ path: sqlite.file }));
    expect(isAionError(err) && err.code).toBe('store_locked');
    expect((err as Error).message).toContain(`another process owns ${sqlite.file}`);
    // Tools may still open a second connection.
    const tool = await open({ exclusive: false });
    expect(await tool.headSeq(runKey(1))).toBe(0);
    await first.close();
    await open();
  });

  it('owner lock: another process gets store_locked; after the holder is killed with -9 the lock is free', async () => {
    const holder = await holdInChild(sqlite.file);
    try {
      expect(await openInChild(sqlite.file)).toEqual({ ok: false, code: 'store_locked' });
      const err = await errorOf(openSqliteStore({ path: sqlite.file }));
      expect(isAionError(err) && err.code).toBe('store_locked');
    } finally {
      await killHolder(holder);
    }
    const store = await open();
    expect(await store.headSeq(runKey(1))).toBe(0);
  });

  it('two connections appending at the same seq: exactly one wins, the loser writes nothing', async () => {
    const a = await open({ exclusive: false });
    const b = await open({ exclusive: false });
    const run = runKey(7);
    const results = await Promise.allSettled([
      a.append(run, batch(0, 3, 'A'), 0),
      b.append(run, batch(0, 2, 'B'), 0),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected');
    const err: unknown = loser?.reason;
    expect(err).toBeInstanceOf(SequenceConflictError);
    expect((err as SequenceConflictError).expected).toBe(0);
    const history = await b.readHistory(run);
    expect(history.length).toBe((err as SequenceConflictError).actual);
    expect(new Set(history.map(tagOf)).size).toBe(1);
  });

  it('two processes appending at the same seq: exactly one wins, the other gets sequence_conflict', async () => {
    await (await open()).close(); // create the schema first
    const run = runKey(9);
    const children = ['P', 'Q'].map((tag) =>
      spawnFixture('sqlite-child.ts', ['append', sqlite.file, '9', tag]),
    );
    const readers = children.map((c) => new LineReader(c));
    await Promise.all(readers.map((r) => r.waitFor((l) => l === '"ready"')));
    for (const child of children) child.stdin?.write('go\n');
    const outcomes = await Promise.all(
      readers.map(
        async (r) =>
          JSON.parse(await r.waitFor((l) => l.startsWith('{'))) as Record<string, unknown>,
      ),
    );
    await Promise.all(children.map(exited));
    const winners = outcomes.filter((o) => o.ok === true);
    const losers = outcomes.filter((o) => o.ok === false);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([{ ok: false, code: 'sequence_conflict', expected: 0, actual: 3 }]);
    const store = await open();
    const history = await store.readHistory(run);
    expect(history.map((e) => e.seq)).toEqual([1, 2, 3]);
    const winnerTag = outcomes[0]!.ok === true ? 'P' : 'Q';
    expect(history.map(tagOf)).toEqual([winnerTag, winnerTag, winnerTag]);
  });
});
