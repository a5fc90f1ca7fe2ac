/**
 * `GET …/workflows-count?groupBy=…` (and Temporal's `… GROUP BY ExecutionStatus`): one count
 * per status or type, over a real server on every store. Closed runs are written through the
 * store; open ones are real workflows waiting for a signal.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import type { TerminalEventType } from '../../src/core/index.js';
import type { RunCommit, Store } from '../../src/store/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { storeFixtures } from '../../src/testing/index.js';
import { capture } from '../support/cli-io.js';
import { codeOf } from '../support/errors.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

const STORES: { name: string; skip: boolean; open?: () => Promise<Store> }[] = [
  { name: 'sqlite', skip: false },
  { name: 'memory', skip: false, open: () => Promise.resolve(createMemoryStore()) },
  {
    name: 'postgres',
    skip: SKIP_PG,
    open: () => {
      const schema = `aion_cg_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      schemas.push(schema);
      return openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
    },
  },
];

/** Closed runs: [workflow type, how it closed, how many]. */
const CLOSED: [string, TerminalEventType, number][] = [
  ['order', 'WorkflowCompleted', 3],
  ['order', 'WorkflowFailed', 2],
  ['refund', 'WorkflowCompleted', 1],
  ['refund', 'WorkflowTerminated', 4],
];

async function seedClosed(store: Store): Promise<void> {
  const commits: RunCommit[] = [];
  for (const [workflowType, close, n] of CLOSED) {
    for (let i = 0; i < n; i++) {
      const at = storeFixtures.T0 + commits.length;
      commits.push({
        run: storeFixtures.makeRunKey(),
        expectedSeq: 0,
        events: [
          storeFixtures.startedEvent({ at, workflowType }),
          storeFixtures.terminalEvent(2, at + 1, close),
        ],
      });
    }
  }
  expect((await store.commit(commits)).every((o) => o.ok)).toBe(true);
}

function countPath(params: Record<string, string>): string {
  return `/api/v1/namespaces/default/workflows-count?${new URLSearchParams(params).toString()}`;
}

describe.each(STORES)('counts grouped by status and type: $name', ({ skip, open }) => {
  it.skipIf(skip)('answers one count per value, by parameter or GROUP BY', async () => {
    t = await startTestServer(open ? { store: open } : {});
    await seedClosed(t.engine.store);
    const client = new Client({ connection: await Connection.connect({ address: t.url }) });
    for (const id of ['c-1', 'c-2'])
      await client.workflow.start('counter', { workflowId: id, args: [0] });

    const byStatus = {
      count: 12,
      groups: [
        { value: 'COMPLETED', count: 4 },
        { value: 'FAILED', count: 2 },
        { value: 'RUNNING', count: 2 },
        { value: 'TERMINATED', count: 4 },
      ],
    };
    expect((await call(t.url, 'GET', countPath({ groupBy: 'ExecutionStatus' }))).body).toEqual(
      byStatus,
    );
    expect(
      (await call(t.url, 'GET', countPath({ query: 'GROUP BY ExecutionStatus' }))).body,
    ).toEqual(byStatus);
    expect(
      (
        await call(
          t.url,
          'GET',
          countPath({ query: "WorkflowType = 'order' group by ExecutionStatus" }),
        )
      ).body,
    ).toEqual({
      count: 5,
      groups: [
        { value: 'COMPLETED', count: 3 },
        { value: 'FAILED', count: 2 },
      ],
    });
    expect(
      (
        await call(
          t.url,
          'GET',
          countPath({ groupBy: 'WorkflowType', query: "ExecutionStatus != 'Terminated'" }),
        )
      ).body,
    ).toEqual({
      count: 8,
      groups: [
        { value: 'counter', count: 2 },
        { value: 'order', count: 5 },
        { value: 'refund', count: 1 },
      ],
    });
    // The plain count of a grouped query is its total.
    expect(
      (await call(t.url, 'GET', countPath({ query: 'GROUP BY ExecutionStatus' }))).body.count,
    ).toBe(12);
    expect((await call(t.url, 'GET', countPath({}))).body).toEqual({ count: 12 });

    // Both clients.
    expect(await client.workflow.countGroups({ groupBy: 'ExecutionStatus' })).toEqual(byStatus);
    expect(
      await t.engine.client.workflow.countGroups({ query: 'GROUP BY ExecutionStatus' }),
    ).toEqual(byStatus);
    expect(
      await client.workflow.count({ query: "WorkflowType = 'refund' GROUP BY WorkflowType" }),
    ).toBe(5);

    // The CLI: `aion count --group-by`, or a query ending in GROUP BY.
    const { main } = await import('../../src/cli/main.js');
    const out = capture();
    expect(await main(['count', '--group-by', 'ExecutionStatus', '--address', t.url], out)).toBe(0);
    expect(out.out).toMatch(
      /^STATUS\s+COUNT\nCOMPLETED\s+4\nFAILED\s+2\nRUNNING\s+2\nTERMINATED\s+4\ntotal\s+12\n$/,
    );
    const byType = capture();
    const query = "ExecutionStatus = 'Failed' GROUP BY WorkflowType";
    expect(await main(['--json', 'count', query, '--address', t.url], byType)).toBe(0);
    expect(JSON.parse(byType.out)).toEqual({ count: 2, groups: [{ value: 'order', count: 2 }] });
    const plain = capture();
    expect(await main(['count', "WorkflowType = 'order'", '--address', t.url], plain)).toBe(0);
    expect(plain.out).toBe('5\n');
  });

  it.skipIf(skip)('refuses other fields as invalid_argument naming groupBy', async () => {
    t = await startTestServer(open ? { store: open } : {});
    const client = new Client({ connection: await Connection.connect({ address: t.url }) });
    for (const params of [
      { groupBy: 'TaskQueue' },
      { groupBy: 'CustomerId' },
      { query: 'GROUP BY StartTime' },
      { groupBy: 'WorkflowType', query: 'GROUP BY ExecutionStatus' },
    ]) {
      const res = await call(t.url, 'GET', countPath(params));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_argument', details: { field: 'groupBy' } });
    }
    // A filter error is still the query's.
    const bad = await call(
      t.url,
      'GET',
      countPath({ groupBy: 'ExecutionStatus', query: 'Nope ==' }),
    );
    expect(bad.body).toMatchObject({ code: 'invalid_argument', details: { field: 'query' } });
    // Listing does not group.
    const list = await call(
      t.url,
      'GET',
      `/api/v1/namespaces/default/workflows?${new URLSearchParams({ query: 'GROUP BY ExecutionStatus' }).toString()}`,
    );
    expect(list.body).toMatchObject({ code: 'invalid_argument', details: { field: 'query' } });
    expect(await codeOf(() => client.workflow.countGroups({}))).toBe('invalid_argument');
    expect(
      await codeOf(() => t!.engine.client.workflow.countGroups({ groupBy: 'RunId' as never })),
    ).toBe('invalid_argument');
  });
});
