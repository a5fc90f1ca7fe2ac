// PostgreSQL store benchmark: adapter group-commit throughput against raw `pg` multi-row inserts
// of the same rows into a bare events table, plus single-commit latency. Needs the server of
// AION_TEST_PG (default postgres://postgres@127.0.0.1:5432/test); every trial uses a fresh schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { encodeEvent } from '../src/core/index.js';
import type { RunCommit } from '../src/store/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { nowMs, percentile, round, type Emit } from './lib.js';
import {
  EVENTS_PER_COMMIT,
  EVENTS_PER_RUN,
  LATENCY_COMMITS,
  median,
  RUNS,
  RUNS_PER_CALL,
  runKey,
  historyOf,
  workload,
} from './store-workload.js';

const URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const TRIALS = 9;
/** PostgreSQL's bind-parameter limit per statement. */
const MAX_PARAMS = 65_535;

/** Commit calls in order (the shared workload's calls). */
function workloadCalls(): RunCommit[][] {
  return workload().calls;
}

const freshSchema = (): string => `aion_bench_${randomBytes(5).toString('hex')}`;

/** The raw side's statements: the same rows, serialised before timing, one multi-row INSERT per call. */
function rawStatements(
  schema: string,
  call: readonly RunCommit[],
): { text: string; values: unknown[] }[] {
  const rows = call.flatMap((c) =>
    c.events.map((e) => [
      c.run.namespace,
      c.run.runId,
      e.seq,
      e.type,
      e.recordedAt,
      encodeEvent(e),
    ]),
  );
  const perStatement = Math.floor(MAX_PARAMS / 6);
  const out: { text: string; values: unknown[] }[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const tuples = chunk.map(
      (_, r) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${r * 6 + c}`).join(', ')})`,
    );
    out.push({
      text: `INSERT INTO "${schema}".events (namespace, run_id, seq, type, recorded_at, data) VALUES ${tuples.join(', ')}`,
      values: chunk.flat(),
    });
  }
  return out;
}

/**
 * One trial: the adapter (fresh schema) and raw inserts (bare events table with the same
 * primary key, fresh schema) take turns call by call, so both see the same machine noise.
 * Returns events/s of each side.
 */
async function trial(
  admin: pg.Pool,
  calls: readonly RunCommit[][],
): Promise<{ adapter: number; raw: number }> {
  const storeSchema = freshSchema();
  const rawSchema = freshSchema();
  const store = await openPostgresStore({
    connectionString: URL,
    schema: storeSchema,
    poolSize: 1,
  });
  await admin.query(`CREATE SCHEMA "${rawSchema}"`);
  await admin.query(`CREATE TABLE "${rawSchema}".events (namespace TEXT NOT NULL, run_id TEXT NOT NULL, seq BIGINT NOT NULL,
    type TEXT NOT NULL, recorded_at BIGINT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (namespace, run_id, seq))`);
  const raw = calls.map((call) => rawStatements(rawSchema, call));
  const client = await admin.connect();
  let adapterMs = 0;
  let rawMs = 0;
  try {
    for (let i = 0; i < calls.length; i++) {
      let start = nowMs();
      const outcomes = await store.commit(calls[i]!);
      adapterMs += nowMs() - start;
      if (!outcomes.every((o) => o.ok)) throw new Error('benchmark commit was refused');
      start = nowMs();
      for (const statement of raw[i]!) await client.query(statement);
      rawMs += nowMs() - start;
    }
  } finally {
    client.release();
    await store.close();
    await admin.query(`DROP SCHEMA "${storeSchema}" CASCADE`);
    await admin.query(`DROP SCHEMA "${rawSchema}" CASCADE`);
  }
  const events = RUNS * EVENTS_PER_RUN;
  return { adapter: events / (adapterMs / 1000), raw: events / (rawMs / 1000) };
}

async function latency(admin: pg.Pool): Promise<number[]> {
  const schema = freshSchema();
  const store = await openPostgresStore({ connectionString: URL, schema, poolSize: 2 });
  try {
    const runs = Array.from({ length: 50 }, (_, i) => runKey(10_000 + i));
    const histories = runs.map((_, i) =>
      historyOf(1 + 2 * Math.ceil(LATENCY_COMMITS / runs.length), 1_700_000_000_000 + i),
    );
    await store.commit(
      runs.map((run, i) => ({ run, expectedSeq: 0, events: histories[i]!.slice(0, 1) })),
    );
    const heads = runs.map(() => 1);
    const samples: number[] = [];
    for (let n = 0; n < LATENCY_COMMITS; n++) {
      const i = n % runs.length;
      const head = heads[i]!;
      const commit: RunCommit = {
        run: runs[i]!,
        expectedSeq: head,
        events: histories[i]!.slice(head, head + 2),
      };
      const start = nowMs();
      const [outcome] = await store.commit([commit]);
      samples.push(nowMs() - start);
      if (!outcome?.ok) throw new Error('latency commit was refused');
      heads[i] = head + 2;
    }
    return samples;
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  }
}

export default async function storePostgres(emit: Emit): Promise<void> {
  const admin = new pg.Pool({ connectionString: URL, max: 2 });
  try {
    const calls = workloadCalls();
    const adapter: number[] = [];
    const raw: number[] = [];
    const ratios: number[] = [];
    await trial(admin, calls); // warm-up: JIT, buffers, catalog caches
    for (let t = 0; t < TRIALS; t++) {
      const result = await trial(admin, calls);
      adapter.push(result.adapter);
      raw.push(result.raw);
      ratios.push(result.adapter / result.raw);
    }
    const shape = {
      runs: RUNS,
      eventsPerRun: EVENTS_PER_RUN,
      eventsPerCommit: EVENTS_PER_COMMIT,
      runsPerCall: RUNS_PER_CALL,
      trials: TRIALS,
    };
    emit({
      suite: 'store',
      name: 'postgres.group_commit',
      unit: 'events/s',
      value: round(median(adapter), 0),
      trialValues: adapter.map((v) => round(v, 0)),
      ...shape,
    });
    emit({
      suite: 'store',
      name: 'postgres.raw_insert',
      unit: 'events/s',
      value: round(median(raw), 0),
      trialValues: raw.map((v) => round(v, 0)),
      ...shape,
    });
    // Median of per-trial ratios: each trial interleaves both sides call by call.
    emit({
      suite: 'store',
      name: 'postgres.group_commit_ratio',
      unit: 'adapter/raw',
      value: round(median(ratios), 3),
      trialValues: ratios.map((v) => round(v, 3)),
      target: 0.6,
    });
    const samples = await latency(admin);
    emit({
      suite: 'store',
      name: 'postgres.commit_latency',
      unit: 'ms',
      p50: round(percentile(samples, 50), 3),
      p99: round(percentile(samples, 99), 3),
      commits: samples.length,
      eventsPerCommit: 2,
    });
  } finally {
    await admin.end();
  }
}
