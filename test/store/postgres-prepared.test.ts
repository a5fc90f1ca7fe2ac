// The PostgreSQL adapter's named (prepared) statements: small group commits use one by
// default, none on request, and a statement whose result columns change under it (a newer
// node migrating the schema) keeps working.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import { startRun } from '../../src/store/conformance/fixtures.js';
import { PgDriver } from '../../src/store/postgres/driver.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { StatementNames } from '../../src/store/postgres/statement-names.js';

const URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: URL, max: 2 });
const schemas: string[] = [];

function freshSchema(): string {
  const schema = `aion_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

/** Names of the statements prepared on the one connection of `pool`. */
async function prepared(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    'SELECT name FROM pg_prepared_statements ORDER BY name',
  );
  return rows.map((r) => r.name);
}

describe('PostgreSQL named statements', () => {
  it('name statements with parameters by a digest of their text, up to a bound', () => {
    const names = new StatementNames(true, 2);
    const a = names.nameOf('SELECT $1::int', [1]);
    expect(a).toMatch(/^aion_[0-9a-f]{24}$/);
    expect(names.nameOf('SELECT $1::int', [2])).toBe(a);
    expect(names.nameOf('SELECT 1', [])).toBeUndefined(); // simple protocol: may hold several
    expect(names.nameOf('SELECT $1::text', ['x'])).toMatch(/^aion_/);
    expect(names.nameOf('SELECT $1::bigint', [1])).toBeUndefined(); // past the bound
    names.forget('SELECT $1::int');
    expect(names.nameOf('SELECT $1::int', [1])).toBeUndefined();
    expect(new StatementNames(false).nameOf('SELECT $1::int', [1])).toBeUndefined();
  });

  it('rename every statement after the set numbers of named executions, so it is planned again', () => {
    const names = new StatementNames(true, 10, [3, 5]);
    const first = names.nameOf('SELECT $1::int', [1]);
    expect(names.nameOf('SELECT $1::int', [1])).toBe(first);
    const second = names.nameOf('SELECT $1::int', [1]); // the third named execution
    expect(second).toBe(`${first}_1`);
    expect(names.nameOf('SELECT $1::text', ['x'])).toMatch(/^aion_[0-9a-f]{24}_1$/);
    expect(names.nameOf('SELECT $1::int', [1])).toBe(`${first}_2`); // the fifth
    for (let i = 0; i < 20; i++) expect(names.nameOf('SELECT $1::int', [1])).toBe(`${first}_2`);
    expect(names.nameOf('SELECT 1', [])).toBeUndefined(); // unnamed texts do not count
  });

  it('commit a single run through a prepared statement by default, and through none when turned off', async () => {
    for (const preparedStatements of [undefined, false]) {
      const pool = new pg.Pool({ connectionString: URL, max: 1 });
      const store = await openPostgresStore({
        pool,
        schema: freshSchema(),
        ...(preparedStatements === undefined ? {} : { preparedStatements }),
      });
      try {
        const { run, events } = await startRun(store);
        expect(await store.readHistory(run)).toEqual(events);
        const names = await prepared(pool);
        if (preparedStatements === false) expect(names).toEqual([]);
        else expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(name).toMatch(/^aion_[0-9a-f]{24}$/);
      } finally {
        await store.close();
        await pool.end();
      }
    }
  });

  it('refuse a preparedStatements option that is not a boolean', async () => {
    const err = await openPostgresStore({
      connectionString: URL,
      schema: freshSchema(),
      preparedStatements: 'yes' as unknown as boolean,
    }).catch((e: unknown) => e);
    expect(isAionError(err) && err.code).toBe('invalid_argument');
    expect((err as Error).message).toContain('preparedStatements must be true or false');
  });

  it('run the statement unnamed once its result columns changed under its prepared form', async () => {
    const schema = freshSchema();
    const driver = PgDriver.create({ connectionString: URL, poolSize: 1, schema });
    try {
      await driver.query(`CREATE SCHEMA "${schema}"`);
      await driver.query(`CREATE TABLE "${schema}".t (id INT PRIMARY KEY)`);
      // A statement whose result is a row of the table: ADD COLUMN changes its result type.
      const touch = `UPDATE "${schema}".t SET id = id WHERE id = $1 RETURNING *`;
      const run = (): Promise<boolean> => driver.tryStatement(touch, [1], new Set(), 'test', true);
      await driver.query(`INSERT INTO "${schema}".t VALUES (1)`);
      expect(await run()).toBe(true);
      // What a newer node's migration does: the prepared statement now has another result type.
      await driver.query(`ALTER TABLE "${schema}".t ADD COLUMN extra TEXT DEFAULT 'x'`);
      expect(await run()).toBe(true);
      await driver.query(`ALTER TABLE "${schema}".t ADD COLUMN more TEXT DEFAULT 'y'`);
      expect(await run()).toBe(true);
      // The pool dropped the connection the failure came on; the text has run unnamed since.
      expect(await driver.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).toEqual([
        { n: 0 },
      ]);
    } finally {
      await driver.close();
    }
  });

  it('prepare only what is asked to be', async () => {
    const schema = freshSchema();
    const driver = PgDriver.create({ connectionString: URL, poolSize: 1, schema });
    try {
      expect(await driver.tryStatement('SELECT $1::int', [1], new Set(), 'test')).toBe(true);
      expect(await driver.query('SELECT name FROM pg_prepared_statements')).toEqual([]);
      expect(await driver.tryStatement('SELECT $1::int', [1], new Set(), 'test', true)).toBe(true);
      expect(await driver.query('SELECT name FROM pg_prepared_statements')).toHaveLength(1);
    } finally {
      await driver.close();
    }
  });
});
