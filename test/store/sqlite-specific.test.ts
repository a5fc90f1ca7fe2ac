import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isAionError, stampEvent, type SearchAttributes } from '../../src/core/index.js';
import type { RunInfo, VisibilityExpr } from '../../src/store/index.js';
import { evaluateExpr } from '../../src/store/shared/expr.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { sqliteFileEachTest } from './fixtures/sqlite-file.js';
import { batch, runKey, started } from './fixtures/sqlite-helpers.js';

const sqlite = sqliteFileEachTest();
const { open } = sqlite;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return isAionError(err) ? err.code : String(err);
  }
  return 'resolved';
}

describe('SQLite store: opening and migrations', () => {
  it('creates the schema at the current version in WAL mode, and reopening changes nothing', async () => {
    await (await open()).close();
    await (await open()).close();
    const db = new Database(sqlite.file, { readonly: true });
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all();
    expect(tables).toEqual([
      'api_keys',
      'audit_log',
      'batch_jobs',
      'events',
      'meta',
      'namespaces',
      'outbox',
      'owner',
      'packages',
      'routes',
      'run_search_attrs',
      'runs',
      'schedule_fires',
      'schedules',
      'search_attribute_defs',
      'sqlite_sequence',
      'tasks',
      'timers',
      'token_secrets',
    ]);
    db.close();
  });

  it('a later migration adds a table without touching existing data, each migration in its own transaction', async () => {
    const store = await open();
    await store.append(runKey(1), batch(0, 3, 'x'), 0);
    await store.close();
    const db = new Database(sqlite.file);
    const later = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: 'later table',
        sql: 'CREATE TABLE later_table (namespace TEXT, id TEXT)',
      },
      {
        version: SCHEMA_VERSION + 2,
        name: 'broken',
        sql: 'CREATE TABLE oops (a); SELECT * FROM no_such_table',
      },
    ];
    expect(() => migrate(db, sqlite.file, later)).toThrow(/no_such_table/);
    // The good migration stayed applied, the broken one rolled back entirely.
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION + 1),
    );
    expect(
      db
        .prepare(`SELECT name FROM sqlite_master WHERE name IN ('later_table', 'oops')`)
        .pluck()
        .all(),
    ).toEqual(['later_table']);
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(3);
    db.close();
    // Code that knows only the older schema now refuses the store.
    expect(await codeOf(openSqliteStore({ path: sqlite.file }))).toBe('store_schema_too_new');
  });

  it('upgrades a version-2 store to the namespace registry, keeping its data', async () => {
    const db = new Database(sqlite.file);
    migrate(
      db,
      sqlite.file,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    db.prepare(
      `INSERT INTO search_attribute_defs (namespace, name, type) VALUES ('default', 'Region', 'Keyword')`,
    ).run();
    db.close();

    const store = await open();
    expect(await store.listSearchAttributes('default')).toEqual([
      { name: 'Region', type: 'Keyword' },
    ]);
    expect(await store.listNamespaces()).toEqual([]);
    const record = {
      name: 'orders',
      description: 'upgraded',
      retentionMs: null,
      createdAt: 1,
      updatedAt: 1,
    };
    expect(await store.createNamespace(record)).toEqual({ created: true });
    await store.close();
    expect(await (await open()).getNamespace('orders')).toEqual(record);
    const check = new Database(sqlite.file, { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION),
    );
    check.close();
  });

  it('upgrades a version-5 store to schedules, keeping its runs and their timers', async () => {
    const store = await open();
    const run = runKey(1);
    const timer = { ...run, timerId: 't1', fireAt: 5_000, kind: 'user', data: 'd' };
    await store.commit([{ run, expectedSeq: 0, events: [started()], timers: { upsert: [timer] } }]);
    await store.close();
    const db = new Database(sqlite.file);
    db.exec(`DROP INDEX runs_stuck; DROP TABLE batch_jobs; DROP TABLE schedule_fires; DROP TABLE schedules;
      UPDATE meta SET value = '5' WHERE key = 'schema_version'`);
    db.close();

    const upgraded = await open();
    expect(await upgraded.listTimers(run)).toEqual([timer]);
    const record = {
      namespace: 'default',
      scheduleId: 'nightly',
      definition: { spec: { cron: ['0 0 * * *'] } },
      state: {},
      searchAttributes: {},
      nextFireAt: 6_000,
      createdAt: 1,
      updatedAt: 1,
      version: 1,
    };
    await upgraded.writeSchedule({
      namespace: 'default',
      scheduleId: 'nightly',
      expectedVersion: 0,
      record,
      timer: { fireAt: 6_000, data: 'v1' },
    });
    expect(await upgraded.getSchedule('default', 'nightly')).toEqual(record);
    const due = await upgraded.claimDueTimers({ owner: 'o', now: 10_000, leaseMs: 1, limit: 10 });
    expect(due.map((t) => [t.runId, t.kind])).toEqual([
      [run.runId, 'user'],
      ['schedule:nightly', 'schedule.fire'],
    ]);
    await upgraded.close();
    const check = new Database(sqlite.file, { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(
      String(SCHEMA_VERSION),
    );
    check.close();
  });

  it('validates options and works in memory', async () => {
    expect(await codeOf(openSqliteStore({ path: '' }))).toBe('invalid_argument');
    expect(await codeOf(openSqliteStore({ path: sqlite.file, synchronous: 'OFF' as 'FULL' }))).toBe(
      'invalid_argument',
    );
    expect(await codeOf(openSqliteStore({ path: sqlite.file, busyTimeoutMs: -1 }))).toBe(
      'invalid_argument',
    );
    expect(
      await codeOf(openSqliteStore({ path: sqlite.file, limits: { maxHistoryLength: 0 } })),
    ).toBe('invalid_argument');
    for (const cacheSizeMiB of [0, 1.5, -4, 65537, Number.NaN]) {
      expect(await codeOf(openSqliteStore({ path: sqlite.file, cacheSizeMiB }))).toBe(
        'invalid_argument',
      );
    }
    const cached = await open({ path: ':memory:', cacheSizeMiB: 64 });
    await cached.append(runKey(1), batch(0, 1, 'c'), 0);
    expect(await cached.headSeq(runKey(1))).toBe(1);
    const a = await open({ path: ':memory:' });
    const b = await open({ path: ':memory:' }); // private databases: no lock, no sharing
    await a.append(runKey(1), batch(0, 2, 'm'), 0);
    expect(await a.headSeq(runKey(1))).toBe(2);
    expect(await b.headSeq(runKey(1))).toBe(0);
  });

  it('a closed store rejects calls with store_unavailable; close is idempotent', async () => {
    const store = await openSqliteStore({ path: sqlite.file, synchronous: 'NORMAL' });
    await store.close();
    await store.close();
    expect(await codeOf(store.headSeq(runKey(1)))).toBe('store_unavailable');
    expect(await codeOf(store.commit([]))).toBe('store_unavailable');
  });

  it('a write that waits out the busy timeout is a retryable store_unavailable', async () => {
    const store = await open({ path: sqlite.file, exclusive: false, busyTimeoutMs: 50 });
    const blocker = new Database(sqlite.file);
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const err = await store.append(runKey(1), batch(0, 1, 'b'), 0).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAionError(err) && [err.code, err.retryable]).toEqual(['store_unavailable', true]);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    await store.append(runKey(1), batch(0, 1, 'b'), 0);
  });
});

describe('SQLite store: projections', () => {
  it('a run that starts and closes in one commit cannot bypass an open run of its workflow id', async () => {
    const store = await open();
    await store.append(runKey(1, 'same'), [started()], 0);
    const done = stampEvent(
      { type: 'WorkflowCompleted', result: { encoding: 'json/plain', data: '1' } },
      2,
      2_000,
    );
    const [outcome] = await store.commit([
      { run: runKey(2, 'same'), expectedSeq: 0, events: [started(), done] },
    ]);
    expect(outcome?.ok === false && outcome.error.code).toBe('workflow_already_started');
    expect(await store.headSeq(runKey(2, 'same'))).toBe(0);
  });

  it('a side-effect-only commit to a closed run leaves it without timers or tasks', async () => {
    const store = await open();
    const run = runKey(5);
    const done = stampEvent(
      { type: 'WorkflowCompleted', result: { encoding: 'json/plain', data: '1' } },
      2,
      2_000,
    );
    await store.append(run, [started(), done], 0);
    const [outcome] = await store.commit([
      {
        run,
        expectedSeq: 2,
        events: [],
        timers: { upsert: [{ ...run, timerId: 't', fireAt: 1, kind: 'user' }] },
        outbox: { add: [{ ...run, id: 'after-close', kind: 'signal', data: '{}', createdAt: 1 }] },
        visibility: { stuck: { reason: 'late', since: 3 } },
      },
    ]);
    expect(outcome).toEqual({ ok: true, headSeq: 2 });
    expect(await store.listTimers(run)).toEqual([]);
    expect((await store.listOutbox({ limit: 10 })).map((o) => o.id)).toEqual(['after-close']);
    expect((await store.getRun(run))?.stuck).toBeUndefined();
  });

  it('search attribute rows follow upserts, and filters agree with the reference evaluator', async () => {
    const store = await open();
    const attrs: SearchAttributes[] = [];
    for (let i = 0; i < 24; i++) {
      const sa: Record<string, SearchAttributes[string]> = {};
      if (i % 2 === 0)
        sa.Customer = { type: 'Keyword', value: ['acme', 'globex', 'initech'][i % 3]! };
      if (i % 3 !== 0) sa.Amount = { type: 'Int', value: i * 10 };
      if (i % 4 === 1) sa.Tags = { type: 'KeywordList', value: i % 8 === 1 ? ['red', 'blue'] : [] };
      if (i % 5 !== 4)
        sa.Notes = { type: 'Text', value: i % 2 ? 'Rush order, fragile' : 'standard order' };
      if (i % 3 === 1) sa.Vip = { type: 'Bool', value: i % 2 === 0 };
      if (i % 4 === 0) sa.Due = { type: 'Datetime', value: 1_700_000_000_000 + i };
      attrs.push(sa);
      const run = runKey(i);
      const first = stampEvent(
        {
          type: 'WorkflowStarted',
          workflowType: 'Order',
          taskQueue: 'q',
          args: [],
          version: 'v1',
          searchAttributes: sa,
        },
        1,
        1_000 + i,
      );
      await store.append(run, [first], 0);
    }
    // Upserts rewrite the rows: the old value must no longer match.
    await store.append(
      runKey(0),
      [
        stampEvent(
          {
            type: 'SearchAttributesUpserted',
            searchAttributes: { Customer: { type: 'Keyword', value: 'hooli' }, Due: null },
          },
          2,
          5_000,
        ),
      ],
      1,
    );
    const kw = (name: string) => ({ kind: 'custom', name, type: 'Keyword' }) as const;
    const int = { kind: 'custom', name: 'Amount', type: 'Int' } as const;
    const text = { kind: 'custom', name: 'Notes', type: 'Text' } as const;
    const tags = { kind: 'custom', name: 'Tags', type: 'KeywordList' } as const;
    const filters: VisibilityExpr[] = [
      { op: 'cmp', field: kw('Customer'), cmp: '=', value: 'acme' },
      { op: 'cmp', field: kw('Customer'), cmp: '=', value: 'hooli' },
      { op: 'cmp', field: kw('Customer'), cmp: '!=', value: 'acme' },
      { op: 'not', arg: { op: 'cmp', field: kw('Customer'), cmp: '=', value: 'acme' } },
      { op: 'between', field: int, low: 40, high: 170 },
      {
        op: 'and',
        args: [
          { op: 'cmp', field: int, cmp: '>', value: 50 },
          { op: 'contains', field: text, value: 'RUSH' },
        ],
      },
      { op: 'contains', field: text, value: 'fragile rush' },
      { op: 'contains', field: tags, value: 'blue' },
      { op: 'exists', field: tags },
      { op: 'exists', field: { kind: 'custom', name: 'Due', type: 'Datetime' } },
      { op: 'cmp', field: { kind: 'custom', name: 'Vip', type: 'Bool' }, cmp: '=', value: true },
      { op: 'in', field: kw('Customer'), values: ['globex', 'initech'] },
      {
        op: 'or',
        args: [
          { op: 'cmp', field: int, cmp: '<', value: 30 },
          {
            op: 'cmp',
            field: { kind: 'builtin', name: 'RunId' },
            cmp: '=',
            value: runKey(3).runId,
          },
        ],
      },
    ];
    const infos: RunInfo[] = [];
    for (let i = 0; i < 24; i++) infos.push((await store.getRun(runKey(i)))!);
    expect(infos[0]?.searchAttributes).toEqual({
      ...attrs[0],
      Customer: { type: 'Keyword', value: 'hooli' },
      Due: undefined,
    });
    for (const where of filters) {
      const expected = infos
        .filter((info) => evaluateExpr(where, info))
        .map((info) => info.runId)
        .sort();
      const page = await store.listRuns({ namespace: 'default', where, pageSize: 1000 });
      expect(page.items.map((r) => r.runId).sort(), JSON.stringify(where)).toEqual(expected);
      expect(await store.countRuns('default', where), JSON.stringify(where)).toBe(expected.length);
    }
  });
});

describe('SQLite store: events written by someone else', () => {
  /** Inserts an event row behind the store's back, through a second raw connection. */
  function insertRaw(seq: number, type: string, data: unknown, index: number): void {
    const db = new Database(sqlite.file);
    try {
      const run = runKey(index);
      db.prepare(
        'INSERT INTO events (namespace, run_id, seq, type, recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(run.namespace, run.runId, seq, type, 2_000, JSON.stringify(data));
      db.prepare('UPDATE runs SET head_seq = ? WHERE namespace = ? AND run_id = ?').run(
        seq,
        run.namespace,
        run.runId,
      );
    } finally {
      db.close();
    }
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  }

  it('an unknown event type or a newer schema version read back is unknown_event_type', async () => {
    const store = await open();
    await store.append(runKey(1), [started()], 0);
    await store.append(runKey(2), [started()], 0);
    insertRaw(
      2,
      'WorkflowTeleported',
      { seq: 2, recordedAt: 2_000, type: 'WorkflowTeleported', v: 1 },
      1,
    );
    insertRaw(
      2,
      'SignalReceived',
      { seq: 2, recordedAt: 2_000, type: 'SignalReceived', v: 99, signalName: 's', args: [] },
      2,
    );

    const unknownType = await rejection(store.readHistory(runKey(1)));
    expect(isAionError(unknownType) && unknownType.code).toBe('unknown_event_type');
    expect(isAionError(unknownType) && unknownType.details).toMatchObject({
      runId: runKey(1).runId,
      seq: 2,
      eventType: 'WorkflowTeleported',
    });
    const newerVersion = await rejection(store.readHistory(runKey(2)));
    expect(isAionError(newerVersion) && newerVersion.code).toBe('unknown_event_type');
    expect(isAionError(newerVersion) && newerVersion.details).toMatchObject({
      runId: runKey(2).runId,
      seq: 2,
      version: 99,
    });
    // The events before the unreadable one still read.
    expect((await store.readHistory(runKey(1), { toSeq: 1 })).map((e) => e.type)).toEqual([
      'WorkflowStarted',
    ]);
  });
});
