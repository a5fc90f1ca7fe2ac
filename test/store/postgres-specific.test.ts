// PostgreSQL-only behaviour the shared conformance suite cannot express: several pools
// (processes) racing on one database, the group commit's single statement, driver-level
// encoding, pools and failures. Each test uses fresh schemas (migrations: postgres-migrations).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  isAionError,
  SequenceConflictError,
  WorkflowAlreadyStartedError,
  type HistoryEvent,
} from '../../src/core/index.js';
import type { CommitOutcome, Store } from '../../src/store/index.js';
import {
  event,
  eventsFor,
  makeRunKey,
  startedEvent,
  startRun,
  T0,
  taskRow,
  terminalEvent,
  timerRow,
} from '../../src/store/conformance/fixtures.js';
import { fastCommit } from '../../src/store/postgres/fast-commit.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { codeOf } from '../support/errors.js';
import { PG_URL as URL, usePostgresSchemas } from './fixtures/postgres-schemas.js';

const { admin, freshSchema, open, twoPools } = usePostgresSchemas();

describe('postgres: concurrency across pools', () => {
  it('two commits at one seq from two pools: exactly one wins, the loser writes nothing', async () => {
    const [a, b] = await twoPools();
    for (let round = 0; round < 20; round++) {
      const run = makeRunKey();
      // Race the first append (seq 0), then a later one (seq 3).
      for (const head of [0, 3]) {
        const mine = head === 0 ? eventsFor(run, 1, 3) : eventsFor(run, 4, 2);
        const theirs =
          head === 0 ? eventsFor(run, 1, 3, T0 + 1000) : eventsFor(run, 4, 2, T0 + 1000);
        const results = await Promise.allSettled([
          a.append(run, mine, head),
          b.append(run, theirs, head),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected')!.reason as unknown;
        expect(lost).toBeInstanceOf(SequenceConflictError);
        const winnerEvents = results[0].status === 'fulfilled' ? mine : theirs;
        const conflict = lost as SequenceConflictError;
        expect([conflict.expected, conflict.actual]).toEqual([head, head + winnerEvents.length]);
        expect((await a.readHistory(run, { fromSeq: head + 1 })).map((e) => e.recordedAt)).toEqual(
          winnerEvents.map((e) => e.recordedAt),
        );
      }
      expect(await b.headSeq(run)).toBe(5);
    }
  });

  it('two concurrent starts of one workflow id from two pools: exactly one wins', async () => {
    const [a, b] = await twoPools();
    for (let round = 0; round < 20; round++) {
      const workflowId = `race-${round}`;
      const runA = makeRunKey({ workflowId });
      const runB = makeRunKey({ workflowId });
      const [ra, rb] = await Promise.all([
        a.commit([{ run: runA, expectedSeq: 0, events: [startedEvent()] }]),
        b.commit([{ run: runB, expectedSeq: 0, events: [startedEvent()] }]),
      ]);
      const outcomes = [ra[0]!, rb[0]!];
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      const winner = outcomes[0]!.ok ? runA : runB;
      const loser = outcomes[0]!.ok ? runB : runA;
      const failed = outcomes.find((o) => !o.ok) as Extract<CommitOutcome, { ok: false }>;
      expect(failed.error).toBeInstanceOf(WorkflowAlreadyStartedError);
      expect((failed.error as WorkflowAlreadyStartedError).runId).toBe(winner.runId);
      expect(await a.readHistory(loser)).toEqual([]);
      expect((await b.getRunChain(winner.namespace, workflowId)).map((r) => r.runId)).toEqual([
        winner.runId,
      ]);
    }
  });

  it('batches over the same runs in opposite orders from two pools neither deadlock nor lose writes', async () => {
    const [a, b] = await twoPools();
    const runs = Array.from({ length: 30 }, () => makeRunKey());
    await a.commit(runs.map((run) => ({ run, expectedSeq: 0, events: eventsFor(run, 1, 1) })));
    const heads = new Map(runs.map((r) => [r.runId, 1]));
    for (let round = 0; round < 10; round++) {
      const batch = (store: Store, order: typeof runs, base: number) =>
        store.commit(
          order.map((run) => ({
            run,
            expectedSeq: heads.get(run.runId)!,
            events: eventsFor(run, heads.get(run.runId)! + 1, 1, base),
          })),
        );
      const [oa, ob] = await Promise.all([
        batch(a, runs, T0),
        batch(b, [...runs].reverse(), T0 + 1),
      ]);
      // Per run exactly one of the two batches won.
      runs.forEach((run, i) => {
        const wins = [oa[i]!.ok, ob[runs.length - 1 - i]!.ok].filter(Boolean).length;
        expect(wins, run.runId).toBe(1);
        heads.set(run.runId, heads.get(run.runId)! + 1);
      });
    }
    for (const run of runs) expect(await a.headSeq(run)).toBe(11);
  });

  it('task claims from two pools in parallel never overlap', async () => {
    const [a, b] = await twoPools();
    const { run } = await startRun(a);
    const tasks = Array.from({ length: 400 }, (_, i) =>
      taskRow(run, `t${String(i).padStart(3, '0')}`, { visibleAt: T0 + (i % 7) }),
    );
    await a.commit([{ run, expectedSeq: 1, events: [], tasks: { enqueue: tasks } }]);
    const claimed: string[][] = Array.from({ length: 8 }, () => []);
    await Promise.all(
      claimed.map(async (mine, i) => {
        const store = i % 2 === 0 ? a : b;
        for (;;) {
          const got = await store.claimTasks({
            namespace: run.namespace,
            taskQueue: 'main',
            owner: `w${i}`,
            now: T0 + 10,
            leaseMs: 60_000,
            limit: 7,
          });
          if (got.length === 0) return;
          for (const t of got) {
            expect(t.leaseOwner).toBe(`w${i}`);
            expect(t.deliveries).toBe(1);
            mine.push(t.taskId);
          }
        }
      }),
    );
    const all = claimed.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(tasks.map((t) => t.taskId).sort());
    expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
  });

  it('timer claims from two pools in parallel never overlap', async () => {
    const [a, b] = await twoPools();
    const runs = await Promise.all(Array.from({ length: 20 }, () => startRun(a)));
    await a.commit(
      runs.map(({ run }) => ({
        run,
        expectedSeq: 1,
        events: [],
        timers: { upsert: Array.from({ length: 20 }, (_, i) => timerRow(run, `t${i}`, T0 + i)) },
      })),
    );
    const claimed: string[][] = Array.from({ length: 8 }, () => []);
    await Promise.all(
      claimed.map(async (mine, i) => {
        const store = i % 2 === 0 ? a : b;
        for (;;) {
          const got = await store.claimDueTimers({
            owner: `n${i}`,
            now: T0 + 100,
            leaseMs: 60_000,
            limit: 9,
          });
          if (got.length === 0) return;
          for (let j = 1; j < got.length; j++)
            expect(got[j]!.fireAt).toBeGreaterThanOrEqual(got[j - 1]!.fireAt);
          for (const t of got) mine.push(`${t.runId}/${t.timerId}`);
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    expect(
      await b.claimDueTimers({ owner: 'late', now: T0 + 60_099, leaseMs: 1, limit: 1000 }),
    ).toEqual([]);
    expect(
      await b.claimDueTimers({ owner: 'late', now: T0 + 60_100, leaseMs: 1, limit: 1000 }),
    ).toHaveLength(400);
  });
});

describe('postgres: group commit', () => {
  it('closes a run and starts its successor under the same workflow id in one batch', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const { run } = await startRun(store);
    const next = makeRunKey({ workflowId: run.workflowId });
    await store.commit([
      { run, expectedSeq: 1, events: [], timers: { upsert: [timerRow(run, 'x', T0)] } },
    ]);
    const outcomes = await store.commit([
      { run, expectedSeq: 1, events: [terminalEvent(2, T0 + 5, 'WorkflowContinuedAsNew')] },
      {
        run: next,
        expectedSeq: 0,
        events: [startedEvent({ at: T0 + 5, continuedFromRunId: run.runId })],
      },
    ]);
    expect(outcomes).toEqual([
      { ok: true, headSeq: 2 },
      { ok: true, headSeq: 1 },
    ]);
    expect(
      (await store.getRunChain(run.namespace, run.workflowId)).map((r) => [r.runId, r.status]),
    ).toEqual([
      [run.runId, 'CONTINUED_AS_NEW'],
      [next.runId, 'RUNNING'],
    ]);
    expect(await store.listTimers(run)).toEqual([]);
  });

  it('closes runs and writes task and timer rows in the single statement', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const closing = (await startRun(store)).run;
    const advancing = (await startRun(store)).run;
    await store.commit([
      {
        run: closing,
        expectedSeq: 1,
        events: eventsFor(closing, 2, 1),
        tasks: { enqueue: [taskRow(closing, 'a1'), taskRow(closing, 'a2')] },
        timers: { upsert: [timerRow(closing, 't1', T0 + 60_000)] },
        visibility: { stuck: { reason: 'x', since: T0 } },
      },
    ]);
    const batch = [
      {
        run: closing,
        expectedSeq: 2,
        events: [terminalEvent(3, T0 + 5)],
        tasks: { remove: [`${closing.runId}/a1`] },
      },
      {
        run: advancing,
        expectedSeq: 1,
        events: eventsFor(advancing, 2, 1),
        tasks: { enqueue: [taskRow(advancing, 'b1')] },
        timers: { upsert: [timerRow(advancing, 't2', T0 + 60_000)] },
      },
    ];
    expect(fastCommit(`"${schema}"`, batch, 'c')).toBeDefined();
    expect(await store.commit(batch)).toEqual([
      { ok: true, headSeq: 3 },
      { ok: true, headSeq: 2 },
    ]);
    const row = async (sql: string, runId: string): Promise<unknown> =>
      (await admin.query(sql.replaceAll('$s', `"${schema}"`), [runId])).rows[0];
    expect(
      await row(
        'SELECT status, close_time, stuck_reason, stuck_since FROM $s.runs WHERE run_id = $1',
        closing.runId,
      ),
    ).toEqual({
      status: 'COMPLETED',
      close_time: String(T0 + 5),
      stuck_reason: null,
      stuck_since: null,
    });
    for (const table of ['tasks', 'timers']) {
      expect(
        await row(`SELECT count(*)::int AS n FROM $s.${table} WHERE run_id = $1`, closing.runId),
      ).toEqual({ n: 0 });
      expect(
        await row(`SELECT count(*)::int AS n FROM $s.${table} WHERE run_id = $1`, advancing.runId),
      ).toEqual({ n: 1 });
    }
    expect(await store.headSeq(advancing)).toBe(2);
  });

  it('reports a conflicting run and commits the others, in input order', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const runs = await Promise.all(Array.from({ length: 5 }, () => startRun(store)));
    const outcomes = await store.commit(
      runs.map(({ run }, i) => ({
        run,
        expectedSeq: i === 2 ? 0 : 1,
        events: i === 2 ? [startedEvent()] : eventsFor(run, 2, 2),
      })),
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
    expect(await store.headSeq(runs[2]!.run)).toBe(1);
    expect(await store.headSeq(runs[3]!.run)).toBe(3);
  });
});

describe('postgres: encoding', () => {
  it('round-trips big numbers and NUL characters in payloads exactly (TEXT, not jsonb)', async () => {
    const store = await open(freshSchema());
    const run = makeRunKey();
    const big = '{"n":123456789012345678901234567890,"f":1.00000000000000000001}';
    const nul = { encoding: 'json/plain', data: JSON.stringify('a\u0000b\\u0000c') };
    const weird = {
      encoding: 'binary/custom',
      data: 'raw\u0000bytes\u0001',
      metadata: { k: '\u0000' },
    };
    const events: HistoryEvent[] = [
      startedEvent({ args: [{ encoding: 'json/plain', data: big }, nul], memo: { m: weird } }),
      event(2, T0 + 1, { type: 'SignalReceived', signalName: 'sig\u0000nal', args: [weird] }),
    ];
    await store.append(run, events, 0);
    const back = await store.readHistory(run);
    expect(back).toEqual(events);
    expect(JSON.stringify(back)).toBe(JSON.stringify(events));
    expect((await store.getRun(run))?.memo).toEqual({ m: weird });
  });

  it('refuses a raw NUL in an indexed text column with invalid_argument and writes nothing', async () => {
    const store = await open(freshSchema());
    const run = makeRunKey();
    const bad = startedEvent({
      searchAttributes: { Customer: { type: 'Keyword', value: 'a\u0000b' } },
    });
    expect(await codeOf(() => store.append(run, [bad], 0))).toBe('invalid_argument');
    expect(await store.headSeq(run)).toBe(0);
    expect(await store.getCurrentRun(run.namespace, run.workflowId)).toBeUndefined();
  });

  it('returns BIGINT columns as numbers', async () => {
    const store = await open(freshSchema());
    const at = Number.MAX_SAFE_INTEGER - 10;
    const { run } = await startRun(store, { at });
    const info = await store.getRun(run);
    expect(info?.startTime).toBe(at);
    expect(typeof info?.headSeq).toBe('number');
    expect(await store.countRuns(run.namespace)).toBe(1);
  });
});

describe('postgres: pools and failures', () => {
  it('works on a caller-owned pool without touching its search_path, and leaves it open on close', async () => {
    const schema = freshSchema();
    const pool = new pg.Pool({ connectionString: URL, max: 2 });
    try {
      const store = await openPostgresStore({ pool, schema });
      const { run } = await startRun(store);
      expect(
        (await store.listRuns({ namespace: run.namespace })).items.map((r) => r.runId),
      ).toEqual([run.runId]);
      expect(await store.countRuns(run.namespace)).toBe(1);
      await store.close();
      const { rows } = await pool.query<{ search_path: string }>('SHOW search_path');
      expect(rows[0]!.search_path).not.toContain(schema);
      expect(await codeOf(() => store.headSeq(run))).toBe('store_unavailable');
    } finally {
      await pool.end();
    }
  });

  it('maps an unreachable server to store_unavailable', async () => {
    const error: unknown = await openPostgresStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      schema: freshSchema(),
    }).catch((e: unknown) => e);
    expect(isAionError(error) && error.code).toBe('store_unavailable');
    expect(isAionError(error) && error.retryable).toBe(true);
  });

  it('fails calls on a closed store with store_unavailable', async () => {
    const store = await openPostgresStore({ connectionString: URL, schema: freshSchema() });
    await store.close();
    expect(await codeOf(() => store.append(makeRunKey(), [startedEvent()], 0))).toBe(
      'store_unavailable',
    );
    expect(await codeOf(() => store.readHistory(makeRunKey({ runId: randomUUID() })))).toBe(
      'store_unavailable',
    );
  });
});

describe('postgres: events written by someone else', () => {
  it('an unknown event type or a newer schema version read back is unknown_event_type', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const { run: a } = await startRun(store);
    const { run: b } = await startRun(store);
    const raw = new pg.Client({ connectionString: URL });
    await raw.connect();
    try {
      const insert = async (run: typeof a, type: string, data: unknown): Promise<void> => {
        await raw.query(
          `INSERT INTO "${schema}".events (namespace, run_id, seq, type, recorded_at, data)
           VALUES ($1, $2, 2, $3, $4, $5)`,
          [run.namespace, run.runId, type, T0 + 1, JSON.stringify(data)],
        );
        await raw.query(
          `UPDATE "${schema}".runs SET head_seq = 2 WHERE namespace = $1 AND run_id = $2`,
          [run.namespace, run.runId],
        );
      };
      await insert(a, 'WorkflowTeleported', {
        seq: 2,
        recordedAt: T0 + 1,
        type: 'WorkflowTeleported',
        v: 1,
      });
      await insert(b, 'SignalReceived', {
        seq: 2,
        recordedAt: T0 + 1,
        type: 'SignalReceived',
        v: 99,
        signalName: 's',
        args: [],
      });
    } finally {
      await raw.end();
    }

    const unknownType: unknown = await store.readHistory(a).catch((e: unknown) => e);
    expect(isAionError(unknownType) && unknownType.code).toBe('unknown_event_type');
    expect(isAionError(unknownType) && unknownType.details).toMatchObject({
      runId: a.runId,
      seq: 2,
      eventType: 'WorkflowTeleported',
    });
    const newerVersion: unknown = await store.readHistory(b).catch((e: unknown) => e);
    expect(isAionError(newerVersion) && newerVersion.code).toBe('unknown_event_type');
    expect(isAionError(newerVersion) && newerVersion.details).toMatchObject({
      runId: b.runId,
      seq: 2,
      version: 99,
    });
    // The events before the unreadable one still read.
    expect((await store.readHistory(a, { toSeq: 1 })).map((e) => e.type)).toEqual([
      'WorkflowStarted',
    ]);
  });
});
