/**
 * The PostgreSQL cluster data plane (migration 7): the SQL shard function agrees with
 * shardOf, and migration 7 fills the shard column of rows already there.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.js';
import {
  makeRunKey,
  outboxRow,
  startRun,
  T0,
  taskRow,
  timerRow,
} from '../../src/store/conformance/fixtures.js';
import { PgDriver } from '../../src/store/postgres/driver.js';
import { migrate, MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore, PostgresStore } from '../../src/store/postgres/index.js';
import { shardOf } from '../../src/store/shared/index.js';
import { PG_URL, SKIP_PG } from './harnesses.js';

const schemas: string[] = [];
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

function freshSchema(): string {
  const schema = `aion_cd_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  schemas.push(schema);
  return schema;
}

async function open(schema = freshSchema()): Promise<PostgresStore> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 3 });
  closers.push(() => store.close());
  return store;
}

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = i % 4;
    const cp =
      kind === 0
        ? 0x20 + Math.floor(Math.random() * 0x5f)
        : kind === 1
          ? 0x80 + Math.floor(Math.random() * 0x780)
          : kind === 2
            ? 0x800 + Math.floor(Math.random() * 0xd000)
            : 0x10000 + Math.floor(Math.random() * 0xfffff);
    out += String.fromCodePoint(cp);
  }
  return out;
}

describe.skipIf(SKIP_PG)('PostgreSQL shard column and function', () => {
  it('aion_shard equals shardOf for ASCII, empty, multi-byte, 4-byte and long ids', async () => {
    const store = await open();
    const pairs: [string, string][] = [
      ['default', 'order-1'],
      ['default', ''],
      ['', ''],
      ['ns', 'é'],
      ['naïve', '日本語のワークフロー'],
      ['emoji', '😀🎉 workflow'],
      ['quotes', `it's "quoted" \\ back`],
      ['long', 'x'.repeat(5000)],
      ['long-mb', '€'.repeat(2000) + '𝄞'.repeat(500)],
    ];
    for (let i = 0; i < 300; i++) pairs.push([randomText(i % 7), randomText(i % 53)]);
    const { rows } = await sql(
      `SELECT "${store.schema}".aion_shard(ns, wf) AS shard
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(ns, wf, n) ORDER BY n`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    expect(rows.map((r) => r.shard as number)).toEqual(
      pairs.map(([ns, wf]) => shardOf(ns, wf, 64)),
    );
  });

  it('migration 7 fills the shard of rows written at version 6', async () => {
    const schema = freshSchema();
    const driver = PgDriver.create({ connectionString: PG_URL, schema, poolSize: 2 });
    await migrate(driver, schema, `"${schema}"`, MIGRATIONS.slice(0, 6));
    const old = new PostgresStore(driver, schema, DEFAULT_LIMITS);
    closers.push(() => old.close());
    const runs = Array.from({ length: 6 }, (_, i) => makeRunKey({ namespace: `ns-${i % 2}` }));
    for (const run of runs) {
      await startRun(old, { run });
      await old.commit([
        {
          run,
          expectedSeq: 1,
          events: [],
          timers: { upsert: [timerRow(run, 't', T0)] },
          tasks: { enqueue: [taskRow(run, 'a')] },
          outbox: { add: [outboxRow(run, `${run.runId}-o`)] },
        },
      ]);
    }
    await migrate(driver, schema, `"${schema}"`);
    for (const table of ['runs', 'timers', 'tasks', 'outbox']) {
      const { rows } = await sql(`SELECT namespace, workflow_id, shard FROM "${schema}".${table}`);
      expect(rows).toHaveLength(runs.length);
      for (const r of rows as { namespace: string; workflow_id: string; shard: number }[])
        expect(r.shard).toBe(shardOf(r.namespace, r.workflow_id, 64));
    }
  });
});
