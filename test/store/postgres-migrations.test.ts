// PostgreSQL schema migrations: idempotent, serialised across openers, applied to schemas of
// earlier versions with their data kept, refused from a newer Aion. Each test uses fresh schemas.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import { startRun, T0 } from '../../src/store/conformance/fixtures.js';
import { PgDriver } from '../../src/store/postgres/driver.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { codeOf } from '../support/errors.js';
import { PG_URL as URL, usePostgresSchemas } from './fixtures/postgres-schemas.js';

const { admin, freshSchema, open, versions } = usePostgresSchemas();

/** Runs `migrations` on `schema` (twice at once with `racing`) through a driver of its own. */
async function migrateWith(
  schema: string,
  migrations: Parameters<typeof migrate>[3],
  racing = false,
): Promise<void> {
  const driver = PgDriver.create({ connectionString: URL, poolSize: 2, schema });
  try {
    const once = (): Promise<unknown> => migrate(driver, schema, `"${schema}"`, migrations);
    await (racing ? Promise.all([once(), once()]) : once());
  } finally {
    await driver.close();
  }
}

describe('postgres: migrations', () => {
  it('are idempotent: reopening applies nothing twice and keeps data', async () => {
    const schema = freshSchema();
    const first = await open(schema);
    const { run, events } = await startRun(first, { extra: 2 });
    await first.close();
    const second = await open(schema);
    expect(await versions(schema)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await second.readHistory(run)).toEqual(events);
  });

  it('serialise concurrent openers of a fresh schema', async () => {
    const schema = freshSchema();
    const opened = await Promise.all(
      Array.from({ length: 6 }, () => open(schema, { poolSize: 2 })),
    );
    expect(opened).toHaveLength(6);
    expect(await versions(schema)).toEqual(MIGRATIONS.map((m) => m.version));
    await startRun(opened[5]!);
  });

  it('apply a later migration that adds a table without touching data', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const { run, events } = await startRun(store);
    const next = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'extra',
      up: (s: string) => [`CREATE TABLE ${s}.extra (k TEXT PRIMARY KEY)`],
    };
    await migrateWith(schema, [...MIGRATIONS, next], true);
    expect(await versions(schema)).toEqual([
      ...MIGRATIONS.map((m) => m.version),
      LATEST_SCHEMA_VERSION + 1,
    ]);
    expect(await store.readHistory(run)).toEqual(events);
  });

  it('upgrade a version-2 schema to the namespace registry, keeping its data', async () => {
    const schema = freshSchema();
    await migrateWith(
      schema,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    await admin.query(
      `INSERT INTO "${schema}".search_attribute_defs (namespace, name, type) VALUES ('default', 'Region', 'Keyword')`,
    );
    expect(await versions(schema)).toEqual([1, 2]);

    const store = await open(schema);
    expect(await versions(schema)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await store.listSearchAttributes('default')).toEqual([
      { name: 'Region', type: 'Keyword' },
    ]);
    expect(await store.listNamespaces()).toEqual([]);
    const record = {
      name: 'orders',
      description: 'upgraded',
      retentionMs: 86_400_000,
      createdAt: T0,
      updatedAt: T0,
    };
    expect(await store.createNamespace(record)).toEqual({ created: true });
    expect(await store.getNamespace('orders')).toEqual(record);
  });

  it('upgrade a version-4 schema to schedules, keeping its timers', async () => {
    const schema = freshSchema();
    await migrateWith(
      schema,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    const runId = randomUUID();
    await admin.query(
      `INSERT INTO "${schema}".timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data)
       VALUES ('default', $1, 't1', 'wf', $2, 'user', 'd')`,
      [runId, T0],
    );
    const store = await open(schema);
    expect(await versions(schema)).toEqual(MIGRATIONS.map((m) => m.version));
    await store.writeSchedule({
      namespace: 'default',
      scheduleId: 'nightly',
      expectedVersion: 0,
      record: {
        namespace: 'default',
        scheduleId: 'nightly',
        definition: { spec: { cron: ['0 0 * * *'] } },
        state: {},
        searchAttributes: {},
        nextFireAt: T0 + 1,
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      },
      timer: { fireAt: T0 + 1, data: 'v1' },
    });
    const due = await store.claimDueTimers({ owner: 'o', now: T0 + 10, leaseMs: 1, limit: 10 });
    expect(due.map((t) => [t.runId, t.kind])).toEqual([
      [runId, 'user'],
      ['schedule:nightly', 'schedule.fire'],
    ]);
  });

  it('refuse a schema written by a newer Aion with store_schema_too_new', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await admin.query(
      `INSERT INTO "${schema}".schema_version (version, name) VALUES ($1, 'future')`,
      [LATEST_SCHEMA_VERSION + 1],
    );
    const error: unknown = await openPostgresStore({ connectionString: URL, schema }).catch(
      (e: unknown) => e,
    );
    expect(isAionError(error) && error.code).toBe('store_schema_too_new');
    expect(isAionError(error) && error.details).toMatchObject({
      version: LATEST_SCHEMA_VERSION + 1,
      supported: LATEST_SCHEMA_VERSION,
    });
  });

  it('reject a schema name that is not a plain identifier before touching the database', async () => {
    for (const schema of ['Aion', 'a-b', 'x"; DROP SCHEMA public; --', '', 'pg_catalog']) {
      expect(await codeOf(() => openPostgresStore({ connectionString: URL, schema }))).toBe(
        'invalid_argument',
      );
    }
  });
});
