// How PostgreSQL plans the adapter's hot statements once a namespace holds many runs: a
// statement whose cost grows with the table instead of with its batch is a latency bug that
// no small test shows. The plans are read, not timed: EXPLAIN ANALYZE says which index a
// lookup used and how many rows it visited to find its own.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { eventsFor, makeRunKey, startedEvent } from '../../src/store/conformance/fixtures.js';
import { fastCommit } from '../../src/store/postgres/fast-commit.js';
import { usePostgresSchemas } from './fixtures/postgres-schemas.js';

const { admin, freshSchema, open: openStore } = usePostgresSchemas();

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

/** A statement's parameter as an SQL literal (for EXECUTE of a prepared statement). */
function literal(client: pg.PoolClient, v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new Error(`unexpected parameter ${typeof v}`);
  return client.escapeLiteral(String(v));
}

/**
 * The plan PostgreSQL uses for `text` as a prepared statement after its first executions (the
 * generic plan, which is what the adapter's named statements run with), executed with `values`
 * and rolled back.
 */
async function genericPlan(text: string, values: readonly unknown[]): Promise<PlanNode> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE probe AS ${text}`);
    const args = values.map((v) => literal(client, v)).join(', ');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE probe(${args})`,
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('ROLLBACK');
    await client.query('DEALLOCATE ALL');
    client.release();
  }
}

describe('postgres: plans with many open runs', () => {
  it("a run's commit finds its own row by key, not by walking the namespace's open runs", async () => {
    const schema = freshSchema();
    const store = await openStore(schema);
    const open = 3_000;
    const runs = Array.from({ length: open }, () => makeRunKey());
    for (let i = 0; i < open; i += 500) {
      const batch = runs.slice(i, i + 500);
      await store.commit(batch.map((run) => ({ run, expectedSeq: 0, events: [startedEvent()] })));
    }
    // No ANALYZE: like a fresh schema's first minutes, before autovacuum has looked at the
    // table; the planner then takes the partial index of open runs to be tiny.

    // The common single-statement commit of one run advancing (what each step of a run makes).
    const run = runs[open - 1]!;
    const commit = fastCommit(
      `"${schema}"`,
      [{ run, expectedSeq: 1, events: eventsFor(run, 2, 2) }],
      'c',
    );
    expect(commit).toBeDefined();
    const plan = await genericPlan(commit!.text, commit!.values);
    const all = [...nodes(plan)];
    const scans = all.filter(
      (n) => n['Relation Name'] === 'runs' && n['Node Type'].endsWith('Scan'),
    );
    const lookups = all.filter((n) => n['Index Name']?.startsWith('runs_'));
    expect(scans.length).toBeGreaterThan(0);
    expect(lookups.length).toBeGreaterThan(0);
    // Found by key: each index lookup on runs names the run (or its workflow id), and nothing
    // else of the namespace is visited and thrown away.
    for (const lookup of lookups) expect(lookup['Index Cond']).toMatch(/run_id|workflow_id/);
    for (const scan of scans) {
      expect(scan['Node Type']).not.toBe('Seq Scan');
      expect(scan['Rows Removed by Filter'] ?? 0).toBeLessThanOrEqual(1);
      expect(scan['Rows Removed by Index Recheck'] ?? 0).toBe(0);
    }
    // And the commit itself goes through.
    expect(await store.commit([{ run, expectedSeq: 1, events: eventsFor(run, 2, 2) }])).toEqual([
      { ok: true, headSeq: 3 },
    ]);
  });
});
