import assert from 'node:assert/strict';
import type { RunCommit, RunInfo, Store, ListRequest, OrderField } from '../contract/index.js';
import { rejectsWithCode } from './check.js';
import { makeRunKey, startedEvent, T0, terminalEvent } from './fixtures.js';
import { cmp, builtin } from './visibility-expr.js';
import type { StoreScenario } from './types.js';

type Order = { readonly field: OrderField; readonly direction: 'ASC' | 'DESC' };

/**
 * Seeds `n` runs with repeated start times (ties of 3), repeated close times (ties of 2),
 * a third of them open, and workflow ids in an order unrelated to start order.
 */
async function seedMany(store: Store, n: number, namespace = 'default'): Promise<void> {
  const commits: RunCommit[] = [];
  for (let i = 0; i < n; i++) {
    const run = makeRunKey({
      namespace,
      workflowId: `page-${String((i * 7919) % n).padStart(4, '0')}`,
    });
    const start = startedEvent({
      at: T0 + Math.floor(i / 3) * 10,
      workflowType: `Type${'ABCD'[i % 4]!}`,
    });
    const events =
      i % 3 === 0 ? [start] : [start, terminalEvent(2, T0 + 100_000 - Math.floor(i / 2) * 5)];
    commits.push({ run, expectedSeq: 0, events });
  }
  for (let i = 0; i < commits.length; i += 50) {
    const outcomes = await store.commit(commits.slice(i, i + 50));
    assert.ok(
      outcomes.every((o) => o.ok),
      'seed commit',
    );
  }
}

function sortKey(info: RunInfo, field: OrderField): string | number | undefined {
  switch (field) {
    case 'StartTime':
      return info.startTime;
    case 'CloseTime':
      return info.closeTime;
    case 'WorkflowId':
      return info.workflowId;
    case 'WorkflowType':
      return info.workflowType;
  }
}

/** Expected order: by the field, ties by run id, both in the requested direction. */
function compareFor(order: Order): (a: RunInfo, b: RunInfo) => number {
  const sign = order.direction === 'ASC' ? 1 : -1;
  const c = (x: string | number, y: string | number): number => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) =>
    sign *
    (c(sortKey(a, order.field) ?? Infinity, sortKey(b, order.field) ?? Infinity) ||
      c(a.runId, b.runId));
}

/** Pages through a listing until no cursor is returned; returns every item in order. */
async function pageAll(
  store: Store,
  request: ListRequest,
  between?: (page: number) => Promise<void>,
): Promise<RunInfo[]> {
  const out: RunInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await store.listRuns(cursor === undefined ? request : { ...request, cursor });
    assert.ok(result.items.length <= (request.pageSize ?? 100), 'page size respected');
    out.push(...result.items);
    if (result.nextCursor === undefined) return out;
    if (result.items.length === 0) assert.fail('an empty page must not carry a cursor');
    cursor = result.nextCursor;
    await between?.(page);
  }
  assert.fail('pagination did not terminate within 100 pages');
}

function assertNoDuplicates(items: readonly RunInfo[], what: string): void {
  const ids = items.map((i) => i.runId);
  assert.equal(new Set(ids).size, ids.length, `${what}: no run listed twice`);
}

const ORDERS: readonly (Order | undefined)[] = [
  undefined,
  { field: 'StartTime', direction: 'ASC' },
  { field: 'StartTime', direction: 'DESC' },
  { field: 'WorkflowId', direction: 'ASC' },
  { field: 'WorkflowId', direction: 'DESC' },
  { field: 'WorkflowType', direction: 'ASC' },
  { field: 'WorkflowType', direction: 'DESC' },
];

export const visibilityPageScenarios: StoreScenario[] = [
  {
    name: 'visibility: cursor pagination over 250 runs in every order has no duplicates and no gaps',
    tags: ['visibility', 'pagination'],
    async run({ store }) {
      await seedMany(store, 250);
      const all = (await store.listRuns({ namespace: 'default', pageSize: 1000 })).items;
      assert.equal(all.length, 250);
      for (const order of ORDERS) {
        const what = order ? `${order.field} ${order.direction}` : 'default order (StartTime DESC)';
        const items = await pageAll(store, {
          namespace: 'default',
          pageSize: 40,
          ...(order ? { orderBy: order } : {}),
        });
        assertNoDuplicates(items, what);
        const expected = [...all].sort(
          compareFor(order ?? { field: 'StartTime', direction: 'DESC' }),
        );
        assert.deepStrictEqual(
          items.map((i) => i.runId),
          expected.map((i) => i.runId),
          `${what}: pages concatenate to the full ordering`,
        );
      }
      // CloseTime: exact order among closed runs; with open runs included, still every run once.
      const closed = cmp(builtin('ExecutionStatus'), '=', 'COMPLETED');
      for (const direction of ['ASC', 'DESC'] as const) {
        const order = { field: 'CloseTime', direction } as const;
        const items = await pageAll(store, {
          namespace: 'default',
          pageSize: 40,
          orderBy: order,
          where: closed,
        });
        const expected = all.filter((i) => i.closeTime !== undefined).sort(compareFor(order));
        assert.deepStrictEqual(
          items.map((i) => i.runId),
          expected.map((i) => i.runId),
          `CloseTime ${direction} over closed runs`,
        );
        const everything = await pageAll(store, {
          namespace: 'default',
          pageSize: 40,
          orderBy: order,
        });
        assertNoDuplicates(everything, `CloseTime ${direction}`);
        assert.equal(everything.length, 250, `CloseTime ${direction}: every run once`);
        assert.deepStrictEqual(
          everything.filter((i) => i.closeTime !== undefined).map((i) => i.runId),
          expected.map((i) => i.runId),
          `CloseTime ${direction}: closed runs keep their order among open ones`,
        );
      }
      // A filter combined with pagination.
      const typeB = await pageAll(store, {
        namespace: 'default',
        pageSize: 7,
        where: cmp(builtin('WorkflowType'), '=', 'TypeB'),
      });
      const expectedB = all
        .filter((i) => i.workflowType === 'TypeB')
        .sort(compareFor({ field: 'StartTime', direction: 'DESC' }));
      assert.deepStrictEqual(
        typeB.map((i) => i.runId),
        expectedB.map((i) => i.runId),
      );
    },
  },
  {
    name: 'visibility: runs inserted between pages cause no duplicates or gaps',
    tags: ['visibility', 'pagination'],
    async run({ store }) {
      await seedMany(store, 250);
      const original = new Set(
        (await store.listRuns({ namespace: 'default', pageSize: 1000 })).items.map((i) => i.runId),
      );
      const inserted = new Set<string>();
      const items = await pageAll(store, { namespace: 'default', pageSize: 40 }, async (page) => {
        const newer: RunCommit[] = [];
        for (let i = 0; i < 15; i++) {
          // Newer than everything (they sort before the cursor in StartTime DESC) …
          const run = makeRunKey();
          inserted.add(run.runId);
          newer.push({
            run,
            expectedSeq: 0,
            events: [startedEvent({ at: T0 + 50_000 + page * 100 + i })],
          });
        }
        for (let i = 0; i < 3; i++) {
          // … and a few inside the range still to come.
          newer.push({
            run: makeRunKey(),
            expectedSeq: 0,
            events: [startedEvent({ at: T0 + 5 + page })],
          });
        }
        await store.commit(newer);
      });
      assertNoDuplicates(items, 'StartTime DESC with inserts');
      const seen = new Set(items.map((i) => i.runId));
      for (const id of original)
        assert.ok(seen.has(id), 'every run present before paging is listed');
      for (const id of inserted)
        assert.ok(!seen.has(id), 'runs sorting before the cursor do not reappear');
      const order = compareFor({ field: 'StartTime', direction: 'DESC' });
      for (let i = 1; i < items.length; i++)
        assert.ok(order(items[i - 1]!, items[i]!) < 0, 'items stay in order');
    },
  },
  {
    name: 'visibility: page size defaults to 100 and must be 1–1000; an empty listing has no cursor',
    tags: ['visibility', 'pagination', 'validation'],
    async run({ store }) {
      const empty = await store.listRuns({ namespace: 'default' });
      assert.deepStrictEqual(empty.items, []);
      assert.equal(empty.nextCursor, undefined);
      await seedMany(store, 120);
      const first = await store.listRuns({ namespace: 'default' });
      assert.equal(first.items.length, 100);
      assert.notEqual(first.nextCursor, undefined);
      assert.equal(
        (await store.listRuns({ namespace: 'default', pageSize: 1000 })).items.length,
        120,
      );
      assert.equal((await store.listRuns({ namespace: 'default', pageSize: 1 })).items.length, 1);
      for (const pageSize of [0, -1, 1001, 2.5, Number.NaN]) {
        await rejectsWithCode(
          store.listRuns({ namespace: 'default', pageSize }),
          'invalid_argument',
          `pageSize ${pageSize}`,
        );
      }
    },
  },
  {
    name: 'visibility: a malformed or foreign cursor is invalid_argument',
    tags: ['visibility', 'pagination', 'validation'],
    async run({ store }) {
      await seedMany(store, 30);
      const page = await store.listRuns({ namespace: 'default', pageSize: 10 });
      assert.ok(page.nextCursor);
      const cursors = [
        'not a cursor',
        'eyJub3QiOiJhbiBhcnJheSJ9',
        Buffer.from('[1,2').toString('base64url'),
      ];
      for (const cursor of cursors) {
        await rejectsWithCode(
          store.listRuns({ namespace: 'default', pageSize: 10, cursor }),
          'invalid_argument',
          `cursor ${cursor}`,
        );
      }
      await rejectsWithCode(
        store.listRuns({
          namespace: 'default',
          pageSize: 10,
          cursor: page.nextCursor,
          orderBy: { field: 'WorkflowId', direction: 'ASC' },
        }),
        'invalid_argument',
        'a cursor of another ordering',
      );
      const next = await store.listRuns({
        namespace: 'default',
        pageSize: 10,
        cursor: page.nextCursor,
      });
      assert.equal(next.items.length, 10, 'the genuine cursor still works');
    },
  },
  {
    name: 'visibility: WorkflowId order is code-point order (binary collation)',
    tags: ['visibility', 'pagination'],
    async run({ store }) {
      // Code-point order, which is UTF-8 byte order: digits < upper case < '_' < lower case <
      // Latin-1 < Greek < U+FB00 < astral. Locale collations and UTF-16 order disagree.
      const ids = ['😀 astral', 'ﬀ ligature', 'Ω', 'é', 'z', 'b', 'a', '_x', 'B', 'A', '0'];
      for (const [i, workflowId] of ids.entries()) {
        await store.append(makeRunKey({ workflowId }), [startedEvent({ at: T0 + i })], 0);
      }
      const expected = [...ids].reverse();
      const asc = await pageAll(store, {
        namespace: 'default',
        pageSize: 4,
        orderBy: { field: 'WorkflowId', direction: 'ASC' },
      });
      assert.deepStrictEqual(
        asc.map((i) => i.workflowId),
        expected,
      );
      const desc = await pageAll(store, {
        namespace: 'default',
        pageSize: 3,
        orderBy: { field: 'WorkflowId', direction: 'DESC' },
      });
      assert.deepStrictEqual(
        desc.map((i) => i.workflowId),
        ids,
      );
    },
  },
];
