// Visibility benchmark: count, grouped count (by status, by type) and the first list page
// (as the engine answers it) over 100,000 runs in SQLite and PostgreSQL, with and without a
// filter. Runs, each with two search attributes, are written through the store, 1,000 per
// commit.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SearchAttributeSchemas } from '../src/engine/namespaces/index.js';
import { RunLister } from '../src/engine/read/index.js';
import type { RunCommit, Store, VisibilityExpr } from '../src/store/index.js';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { storeFixtures } from '../src/testing/index.js';
import { nowMs, percentile, round, type Emit } from './lib.js';

const RUNS = Number(process.env.AION_BENCH_VISIBILITY_RUNS ?? 100_000);
const PER_COMMIT = 1000;
const SAMPLES = 15;
const TYPES = ['order', 'refund', 'invoice', 'shipment', 'payout'];
const CLOSES = ['WorkflowCompleted', 'WorkflowFailed', 'WorkflowTerminated'] as const;

/** Run `i`: one of five types; a quarter open, the rest completed, failed or terminated. */
function commitOf(i: number): RunCommit {
  const run = { namespace: 'default', workflowId: `wf-${i}`, runId: randomUUID() };
  const at = storeFixtures.T0 + i;
  const started = storeFixtures.startedEvent({
    at,
    workflowType: TYPES[i % TYPES.length]!,
    searchAttributes: {
      CustomerId: { type: 'Keyword', value: `c-${i % 1000}` },
      Amount: { type: 'Int', value: i },
    },
  });
  const close = i % 4 === 0 ? [] : [storeFixtures.terminalEvent(2, at + 1, CLOSES[i % 3])];
  return { run, expectedSeq: 0, events: [started, ...close] };
}

async function seed(store: Store): Promise<number> {
  const start = nowMs();
  await store.registerSearchAttributes('default', [
    { name: 'CustomerId', type: 'Keyword' },
    { name: 'Amount', type: 'Int' },
  ]);
  for (let from = 0; from < RUNS; from += PER_COMMIT) {
    const batch: RunCommit[] = [];
    for (let i = from; i < Math.min(RUNS, from + PER_COMMIT); i++) batch.push(commitOf(i));
    const outcomes = await store.commit(batch);
    if (!outcomes.every((o) => o.ok)) throw new Error('benchmark commit was refused');
  }
  return nowMs() - start;
}

async function timed(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm: statement prepared, pages cached
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = nowMs();
    await fn();
    ms.push(nowMs() - start);
  }
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

const PG_URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

async function measure(emit: Emit, name: 'sqlite' | 'postgres', store: Store): Promise<void> {
  const seedMs = await seed(store);
  emit({ suite: 'visibility', name: 'seed', store: name, runs: RUNS, ms: round(seedMs) });
  const order: VisibilityExpr = {
    op: 'cmp',
    field: { kind: 'builtin', name: 'WorkflowType' },
    cmp: '=',
    value: 'order',
  };
  const lister = new RunLister(store, new SearchAttributeSchemas(store));
  const cases: [string, () => Promise<unknown>][] = [
    ['count', () => store.countRuns('default')],
    ['count grouped by ExecutionStatus', () => store.countRunGroups('default', 'ExecutionStatus')],
    ['count grouped by WorkflowType', () => store.countRunGroups('default', 'WorkflowType')],
    [
      "count grouped by ExecutionStatus where WorkflowType = 'order'",
      () => store.countRunGroups('default', 'ExecutionStatus', order),
    ],
    ['list first page (100)', () => lister.list('default', { pageSize: 100 })],
    [
      "list first page (100) where WorkflowType = 'order'",
      () => lister.list('default', { pageSize: 100, query: "WorkflowType = 'order'" }),
    ],
  ];
  for (const [what, fn] of cases) {
    emit({
      suite: 'visibility',
      name: what,
      store: name,
      runs: RUNS,
      ...(await timed(fn)),
      unit: 'ms',
    });
  }
}

/** SQLite always; PostgreSQL (a fresh schema, dropped after) unless AION_SKIP_PG=1. */
export default async function visibility(emit: Emit): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-visibility-'));
  const sqlite = await openSqliteStore({ path: path.join(dir, 'aion.db') });
  try {
    await measure(emit, 'sqlite', sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.AION_SKIP_PG === '1') return;
  const schema = `aion_bench_vis_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const postgres = await openPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
  try {
    await measure(emit, 'postgres', postgres);
  } finally {
    await postgres.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
