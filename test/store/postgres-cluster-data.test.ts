/**
 * The PostgreSQL cluster data plane (migration 7): the SQL shard function agrees with
 * shardOf, migration 7 fills the shard column of rows already there, and the inbox (send,
 * pending, finish, outcome woken by notification or by polling, forget, prune) with
 * `RunCommit.inboxDone` done in the same transaction as the run's commit, in both commit
 * paths, and left pending when the commit is refused.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/index.js';
import {
  makeRunKey,
  outboxRow,
  signalEvent,
  startRun,
  T0,
  taskRow,
  timerRow,
} from '../../src/store/conformance/fixtures.js';
import type { InboxOutcome, RunCommit } from '../../src/store/contract/index.js';
import { PgDriver } from '../../src/store/postgres/driver.js';
import { fastCommit } from '../../src/store/postgres/fast-commit.js';
import { PgInbox } from '../../src/store/postgres/inbox.js';
import { inboxChannels } from '../../src/store/postgres/inbox-channels.js';
import { listenClientFactory } from '../../src/store/postgres/listen-client.js';
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

/** A second inbox on `store`'s schema, with its own pool, poll interval and LISTEN choice. */
function inboxOf(store: PostgresStore, options: { listen: boolean; pollMs: number }): PgInbox {
  const driver = PgDriver.create({ connectionString: PG_URL, schema: store.schema, poolSize: 2 });
  const listen = options.listen
    ? listenClientFactory({ connectionString: PG_URL }, driver)
    : undefined;
  const inbox = new PgInbox(driver, `"${store.schema}"`, inboxChannels(store.schema), {
    listen,
    pollMs: options.pollMs,
  });
  closers.push(async () => {
    await inbox.close();
    await driver.close();
  });
  return inbox;
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

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the outcome, or with 'timeout' after `ms`. */
function within(p: Promise<InboxOutcome>, ms: number): Promise<InboxOutcome | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

async function doneAt(schema: string, id: string): Promise<unknown> {
  const { rows } = await sql(`SELECT done_at, outcome FROM "${schema}".inbox WHERE id = $1`, [id]);
  return rows[0];
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

describe.skipIf(SKIP_PG)('PostgreSQL inbox', () => {
  it('sends, lists pending by shard in id order, finishes once, and wakes the sender', async () => {
    const store = await open();
    const a = await store.inbox.send(3, 'start', { workflowId: 'w' });
    const b = await store.inbox.send(5, 'arrival', [1, 2]);
    const c = await store.inbox.send(3, 'query', null);
    expect(BigInt(a) < BigInt(b) && BigInt(b) < BigInt(c)).toBe(true);
    const pending = await store.inbox.pending({ shards: [3], limit: 10 });
    expect(pending.map((m) => [m.id, m.shard, m.kind, m.body])).toEqual([
      [a, 3, 'start', { workflowId: 'w' }],
      [c, 3, 'query', null],
    ]);
    expect(Math.abs(pending[0]!.sentAt - Date.now())).toBeLessThan(60_000);
    expect(
      (await store.inbox.pending({ shards: [3, 5], limit: 10, after: a })).map((m) => m.id),
    ).toEqual([b, c]);
    expect(await store.inbox.pending({ shards: [3, 5], limit: 1 })).toHaveLength(1);
    expect(await store.inbox.pending({ shards: [], limit: 10 })).toEqual([]);

    const waiting = store.inbox.outcome(a);
    await store.inbox.finish(a, { ok: true, value: 42 });
    await store.inbox.finish(a, { ok: false, error: { code: 'late', message: 'ignored' } });
    expect(await waiting).toEqual({ ok: true, value: 42 });
    expect(await store.inbox.outcome(a)).toEqual({ ok: true, value: 42 });
    expect((await store.inbox.pending({ shards: [3], limit: 10 })).map((m) => m.id)).toEqual([c]);
  });

  it('an outcome written elsewhere wakes the waiter by notification, long before a poll', async () => {
    const store = await open();
    const waiter = inboxOf(store, { listen: true, pollMs: 60_000 });
    const id = await store.inbox.send(1, 'start', {});
    const outcome = waiter.outcome(id);
    await until(() => waiter.listening);
    await store.inbox.finish(id, { ok: false, error: { code: 'not_found', message: 'gone' } });
    expect(await within(outcome, 5_000)).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'gone' },
    });
  });

  it('a waiter without a LISTEN connection is woken by polling, also when no NOTIFY is sent', async () => {
    const store = await open();
    const waiter = inboxOf(store, { listen: false, pollMs: 200 });
    const id = await store.inbox.send(1, 'start', {});
    const outcome = waiter.outcome(id);
    expect(await within(outcome, 300)).toBe('timeout');
    await sql(
      `UPDATE "${store.schema}".inbox SET done_at = now(), outcome = '{"ok":true,"value":"x"}' WHERE id = $1`,
      [id],
    );
    expect(await within(outcome, 5_000)).toEqual({ ok: true, value: 'x' });
    expect(waiter.listening).toBe(false);
  });

  it('listens again after its LISTEN connection is terminated, without crashing', async () => {
    const store = await open();
    const waiter = inboxOf(store, { listen: true, pollMs: 60_000 });
    const first = await store.inbox.send(1, 'start', {});
    const firstOutcome = waiter.outcome(first);
    await until(() => waiter.listening);
    const { rowCount } = await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE query LIKE 'LISTEN %' AND query LIKE '%' || $1 || '%'`,
      [store.schema],
    );
    expect(rowCount).toBe(1);
    await until(() => !waiter.listening);
    await until(() => waiter.listening);
    await store.inbox.finish(first, { ok: true, value: 'after reconnect' });
    expect(await within(firstOutcome, 5_000)).toEqual({ ok: true, value: 'after reconnect' });
  });

  it('onSent hears the shard of each message sent, until unsubscribed', async () => {
    const store = await open();
    const listener = inboxOf(store, { listen: true, pollMs: 200 });
    const heard: number[] = [];
    const stop = listener.onSent((shard) => heard.push(shard));
    await until(() => listener.listening);
    await store.inbox.send(7, 'arrival', {});
    await store.inbox.send(9, 'arrival', {});
    await until(() => heard.length === 2);
    expect(heard).toEqual([7, 9]);
    stop();
    await store.inbox.send(11, 'arrival', {});
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([7, 9]);
  });

  it('forget stops the wait and deletes the message; prune deletes old done messages only', async () => {
    const store = await open();
    const id = await store.inbox.send(2, 'start', {});
    const outcome = store.inbox.outcome(id);
    await store.inbox.forget(id);
    expect(await doneAt(store.schema, id)).toBeUndefined();
    expect(await within(outcome, 400)).toBe('timeout');

    const old = await store.inbox.send(2, 'start', {});
    const recent = await store.inbox.send(2, 'start', {});
    const open_ = await store.inbox.send(2, 'start', {});
    await store.inbox.finish(old, { ok: true });
    await store.inbox.finish(recent, { ok: true });
    await sql(
      `UPDATE "${store.schema}".inbox SET done_at = now() - interval '1 hour' WHERE id = $1`,
      [old],
    );
    expect(await store.inbox.prune(60_000)).toBe(1);
    expect(await doneAt(store.schema, old)).toBeUndefined();
    expect(await doneAt(store.schema, recent)).toBeDefined();
    expect((await store.inbox.pending({ shards: [2], limit: 10 })).map((m) => m.id)).toEqual([
      open_,
    ]);
  });
});

describe.skipIf(SKIP_PG)('PostgreSQL RunCommit.inboxDone', () => {
  // A commit with an outbox row takes the transactional path; one with events (and task or
  // timer rows) only, the single-statement one (checked below with fastCommit itself).
  const paths = [{ path: 'single-statement' }, { path: 'transactional' }];

  it.each(paths)(
    'is done with the commit and pending after a refusal ($path path)',
    async ({ path }) => {
      const store = await open();
      const waiter = inboxOf(store, { listen: true, pollMs: 60_000 });
      const { run } = await startRun(store);
      const withRun = (c: Omit<RunCommit, 'run'>): RunCommit => {
        const base: RunCommit = { run, ...c };
        return path === 'transactional'
          ? { ...base, outbox: { add: [outboxRow(run, `${run.runId}-o${c.expectedSeq}`)] } }
          : { ...base, timers: { upsert: [timerRow(run, `t${c.expectedSeq}`, T0)] } };
      };
      const refused = await store.inbox.send(0, 'arrival', {});
      const accepted = await store.inbox.send(0, 'arrival', {});
      const waiting = waiter.outcome(accepted);
      await until(() => waiter.listening);

      const stale = withRun({ expectedSeq: 5, events: [signalEvent(6, T0)], inboxDone: [refused] });
      const [no] = await store.commit([stale]);
      expect(no).toMatchObject({ ok: false, error: { code: 'sequence_conflict' } });
      expect(await doneAt(store.schema, refused)).toMatchObject({ done_at: null });

      const good = withRun({ expectedSeq: 1, events: [signalEvent(2, T0)], inboxDone: [accepted] });
      expect(fastCommit(`"${store.schema}"`, [good], 'c') !== undefined).toBe(
        path === 'single-statement',
      );
      expect(await store.commit([good])).toEqual([{ ok: true, headSeq: 2 }]);
      expect(await within(waiting, 5_000)).toEqual({ ok: true });
      expect(await doneAt(store.schema, refused)).toMatchObject({ done_at: null });

      // A conflicting commit beside a good one in one batch: only the good one's message.
      const other = (await startRun(store)).run;
      const again = await store.inbox.send(0, 'arrival', {});
      const outcomes = await store.commit([
        withRun({ expectedSeq: 2, events: [signalEvent(3, T0)], inboxDone: [again] }),
        { run: other, expectedSeq: 5, events: [signalEvent(6, T0)], inboxDone: [refused] },
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
      expect(await doneAt(store.schema, again)).toMatchObject({ outcome: { ok: true } });
      expect(await doneAt(store.schema, refused)).toMatchObject({ done_at: null });
    },
  );

  it('refuses inboxDone entries that are no inbox ids', async () => {
    const store = await open();
    const { run } = await startRun(store);
    await expect(
      store.commit([{ run, expectedSeq: 1, events: [signalEvent(2, T0)], inboxDone: ['x1'] }]),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
