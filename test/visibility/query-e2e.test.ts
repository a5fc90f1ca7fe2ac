/**
 * The query language end to end: text → parseVisibilityQuery → listRuns/countRuns on every
 * store, checked against the reference semantics (`evaluateExpr`) over a seeded set of runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  HistoryEvent,
  RunKey,
  SearchAttributes,
  TerminalEventType,
} from '../../src/core/index.js';
import type { ListRequest, RunInfo, Store } from '../../src/store/index.js';
import {
  event,
  makeRunKey,
  startedEvent,
  T0,
  terminalEvent,
} from '../../src/store/conformance/fixtures.js';
import { cursorAfter, resolveOrder, sortValue } from '../../src/store/shared/cursor.js';
import { compareStrings, evaluateExpr } from '../../src/store/shared/expr.js';
import type { StoreHandle } from '../../src/testing/index.js';
import {
  parseVisibilityQuery,
  schemaFromDefinitions,
  type VisibilityQuery,
} from '../../src/visibility/index.js';
import { storeHarnesses } from '../store/harnesses.js';

const NS = 'default';
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

const CLOSES: readonly (TerminalEventType | 'paused' | undefined)[] = [
  undefined,
  'WorkflowCompleted',
  'WorkflowFailed',
  'paused',
  'WorkflowCancelled',
  'WorkflowTerminated',
  'WorkflowTimedOut',
  'WorkflowContinuedAsNew',
  'WorkflowCompleted',
];
const TYPES = ['Order', 'Refund', 'Invoice'];
const TAGS = ['gold', 'eu', 'silver', 'us', 'bronze'];
const NOTES = ['Rush delivery to Berlin', 'standard delivery', 'BERLIN, rush!', 'gift wrap'];

/** Deterministic attributes for run `i`; some attributes are missing on some runs. */
function attributesFor(i: number): SearchAttributes {
  const sa: Record<string, SearchAttributes[string]> = {};
  if (i % 7 !== 6) sa.CustomerId = { type: 'Keyword', value: `c-${i % 5}` };
  if (i % 3 !== 2) sa.Tags = { type: 'KeywordList', value: [TAGS[i % 5]!, TAGS[(i * 3 + 1) % 5]!] };
  if (i % 4 !== 3) sa.Notes = { type: 'Text', value: NOTES[i % 4]! };
  if (i % 5 !== 4) sa.Amount = { type: 'Int', value: ((i * 37) % 300) - 50 };
  if (i % 6 !== 5) sa.Score = { type: 'Double', value: ((i * 13) % 40) / 8 - 1.5 };
  if (i % 2 === 0) sa.Vip = { type: 'Bool', value: i % 4 === 0 };
  if (i % 3 !== 1) sa.Due = { type: 'Datetime', value: T0 + i * 10_000 };
  return sa;
}

const RUNS = 45;

async function seed(store: Store): Promise<RunKey[]> {
  await store.registerSearchAttributes(NS, [
    { name: 'CustomerId', type: 'Keyword' },
    { name: 'Tags', type: 'KeywordList' },
    { name: 'Notes', type: 'Text' },
    { name: 'Amount', type: 'Int' },
    { name: 'Score', type: 'Double' },
    { name: 'Vip', type: 'Bool' },
    { name: 'Due', type: 'Datetime' },
  ]);
  const runs: RunKey[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Some runs share a start time, so ordering ties are broken by run id.
    const start = T0 + Math.floor(i / 2) * 1000;
    const run = makeRunKey({ workflowId: `wf-${String((i * 17) % RUNS).padStart(3, '0')}` });
    runs.push(run);
    const events: HistoryEvent[] = [
      startedEvent({
        at: start,
        workflowType: TYPES[i % 3]!,
        taskQueue: i % 4 === 0 ? 'other' : 'main',
        version: i % 5 === 0 ? 'v2' : 'v1',
        searchAttributes: attributesFor(i),
      }),
    ];
    const close = CLOSES[i % CLOSES.length];
    if (close === 'paused') events.push(event(2, start + 1, { type: 'WorkflowPaused' }));
    else if (close !== undefined) events.push(terminalEvent(2, start + 500 + (i % 4) * 100, close));
    await store.append(run, events, 0);
    if (i % 8 === 3) {
      await store.commit([
        {
          run,
          expectedSeq: events.length,
          events: [],
          visibility: { stuck: { reason: 'crash', since: start } },
        },
      ]);
    }
  }
  // Same attributes in another namespace: no query in `default` may see them.
  for (let i = 0; i < 3; i++) {
    await store.append(
      makeRunKey({ namespace: 'elsewhere' }),
      [startedEvent({ at: T0, workflowType: 'Order', searchAttributes: attributesFor(i) })],
      0,
    );
  }
  return runs;
}

/** Queries over every field, operator and order; each must select something and not everything. */
const QUERIES: readonly string[] = [
  `WorkflowType = 'Order' AND ExecutionStatus = 'Running' AND StartTime > '${iso(500)}' AND CustomerId = 'c-3'`,
  `WorkflowType = 'Order' AND ExecutionStatus = 'Running' AND StartTime > '${iso(500)}'`,
  "ExecutionStatus IN ('Completed', 'failed', 'TimedOut') ORDER BY CloseTime DESC",
  "ExecutionStatus = 'Paused' OR ExecutionStatus = 'ContinuedAsNew' OR ExecutionStatus = 'Canceled'",
  "ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed'",
  'CloseTime IS NULL ORDER BY WorkflowId',
  'CloseTime IS NOT NULL ORDER BY CloseTime ASC',
  `StartTime BETWEEN '${iso(3000)}' AND '${iso(12_000)}' ORDER BY StartTime ASC`,
  `CloseTime >= ${T0 + 10_000} ORDER BY CloseTime`,
  "Tags = 'gold'",
  "Tags CONTAINS 'eu' AND NOT Tags = 'us'",
  "Tags != 'eu'",
  "Tags IN ('silver', 'bronze') ORDER BY WorkflowType DESC",
  'Tags IS NULL',
  "Notes CONTAINS 'rush berlin'",
  "Notes CONTAINS 'DELIVERY'",
  "Notes = 'gift wrap' OR Notes != 'standard delivery'",
  'Amount > 100 OR Score <= 0',
  'Amount BETWEEN -50 AND 50 AND Score > 1.25',
  'Amount NOT BETWEEN 0 AND 200',
  'Amount IN (-50, 24, 98, 135)',
  'NOT (Vip = true)',
  'Vip = false OR Vip IS NULL',
  "CustomerId NOT IN ('c-1', 'c-2')",
  "CustomerId >= 'c-2' AND CustomerId < 'c-4' ORDER BY WorkflowId DESC",
  "CustomerId != 'c-0'",
  `Due < '${iso(200_000)}' AND Due IS NOT NULL`,
  `Due BETWEEN '${iso(50_000)}' AND ${T0 + 300_000}`,
  'Stuck = true',
  "Stuck = false AND TaskQueue = 'other'",
  "Version = 'v2' OR (WorkflowType = 'Refund' AND NOT CustomerId = 'c-1')",
  "WorkflowId < 'wf-020' ORDER BY WorkflowId ASC",
  "RunId != '' AND WorkflowType IN ('Invoice')",
  '((Amount >= 0 AND (Score < 2 OR Vip = true)) OR NOT Tags CONTAINS "gold") ORDER BY StartTime DESC',
];

function expectedIds(all: readonly RunInfo[], query: VisibilityQuery): string[] {
  const order = resolveOrder({ namespace: NS, ...query });
  const sign = order.direction === 'ASC' ? 1 : -1;
  const key = (r: RunInfo): string | number => sortValue(r, order.field);
  return all
    .filter((r) => query.where === undefined || evaluateExpr(query.where, r))
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : compareStrings(String(x), String(y));
      return sign * (Math.sign(c) || compareStrings(a.runId, b.runId));
    })
    .map((r) => r.runId);
}

async function listAll(store: Store, request: ListRequest): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.listRuns({
      ...request,
      pageSize: 7,
      ...(cursor === undefined ? {} : { cursor }),
    });
    ids.push(...page.items.map((r) => r.runId));
    if (page.nextCursor === undefined) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

describe.each(storeHarnesses.map((harness) => ({ name: harness.name, harness })))(
  'visibility queries end to end: $name',
  ({ harness }) => {
    let handle: StoreHandle;
    let store: Store;
    let all: RunInfo[];
    let schema: ReturnType<typeof schemaFromDefinitions>;

    beforeAll(async () => {
      handle = await harness.create();
      store = handle.store;
      const runs = await seed(store);
      all = [];
      for (const run of runs) all.push((await store.getRun(run))!);
      schema = schemaFromDefinitions(await store.listSearchAttributes(NS));
    }, 60_000);

    afterAll(async () => {
      await handle?.dispose();
    });

    it.each(QUERIES)('%s', async (text) => {
      const query = parseVisibilityQuery(text, schema);
      const expected = expectedIds(all, query);
      // A query that matches nothing or everything would not tell the stores apart.
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(RUNS);
      expect(await listAll(store, { namespace: NS, ...query })).toEqual(expected);
      expect(await store.countRuns(NS, query.where)).toBe(expected.length);
    });

    it('an empty query lists every run of the namespace, newest first', async () => {
      const query = parseVisibilityQuery('', schema);
      expect(query).toEqual({});
      const ids = await listAll(store, { namespace: NS, ...query });
      expect(ids).toEqual(expectedIds(all, {}));
      expect(ids).toHaveLength(RUNS);
      expect(await store.countRuns(NS)).toBe(RUNS);
    });

    it('pages resume from a cursor of the same query', async () => {
      const query = parseVisibilityQuery('CloseTime IS NOT NULL ORDER BY CloseTime DESC', schema);
      const expected = expectedIds(all, query);
      const first = await store.listRuns({ namespace: NS, ...query, pageSize: 4 });
      expect(first.items.map((r) => r.runId)).toEqual(expected.slice(0, 4));
      const order = resolveOrder({ namespace: NS, ...query });
      expect(first.nextCursor).toBe(cursorAfter(first.items[3]!, order));
      const rest = await store.listRuns({
        namespace: NS,
        ...query,
        pageSize: 1000,
        cursor: first.nextCursor!,
      });
      expect(rest.items.map((r) => r.runId)).toEqual(expected.slice(4));
    });

    it('resolves names against the namespace schema the store keeps', async () => {
      // `elsewhere` registered nothing: its attributes are unknown to its queries.
      const other = schemaFromDefinitions(await store.listSearchAttributes('elsewhere'));
      expect(() => parseVisibilityQuery("CustomerId = 'c-1'", other)).toThrow(
        /unknown search attribute 'CustomerId' at position 0: no custom search attributes are registered/,
      );
      await store.registerSearchAttributes('elsewhere', [{ name: 'CustomerId', type: 'Keyword' }]);
      const now = schemaFromDefinitions(await store.listSearchAttributes('elsewhere'));
      const { where } = parseVisibilityQuery("CustomerId = 'c-1'", now);
      expect(await store.countRuns('elsewhere', where)).toBe(1);
    });
  },
);
