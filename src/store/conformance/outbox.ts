import assert from 'node:assert/strict';
import type { OutboxRow } from '../contract/index.js';
import { defined } from './check.js';
import { makeRunKey, outboxRow, startRun } from './fixtures.js';
import type { StoreScenario } from './types.js';

export const outboxScenarios: StoreScenario[] = [
  {
    name: 'outbox: rows page in (namespace, id) order across namespaces',
    tags: ['outbox'],
    async run({ store }) {
      const expected: OutboxRow[] = [];
      for (const namespace of ['ns-b', 'ns-a']) {
        const { run } = await startRun(store, { run: makeRunKey({ namespace }) });
        const rows = ['m-03', 'm-01', 'm-02'].map((id, i) =>
          outboxRow(run, id, { createdAt: 10 + i, version: `v${i}` }),
        );
        await store.commit([{ run, expectedSeq: 1, events: [], outbox: { add: rows } }]);
        expected.push(...rows);
      }
      expected.sort((x, y) =>
        x.namespace + '\u0000' + x.id < y.namespace + '\u0000' + y.id ? -1 : 1,
      );
      const seen: OutboxRow[] = [];
      let after: { namespace: string; id: string } | undefined;
      for (let page = 0; page < 10; page++) {
        const rows = await store.listOutbox(after ? { after, limit: 4 } : { limit: 4 });
        seen.push(...rows);
        if (rows.length < 4) break;
        const last = rows[rows.length - 1]!;
        after = { namespace: last.namespace, id: last.id };
      }
      assert.deepStrictEqual(defined(seen), expected);
    },
  },
  {
    name: 'outbox: deleteOutbox removes exactly the given ids and is idempotent',
    tags: ['outbox'],
    async run({ store }) {
      const { run } = await startRun(store);
      const rows = ['a', 'b', 'c', 'd'].map((id) => outboxRow(run, id));
      await store.commit([{ run, expectedSeq: 1, events: [], outbox: { add: rows } }]);
      await store.deleteOutbox(run.namespace, ['b', 'd', 'missing']);
      await store.deleteOutbox(run.namespace, ['b']);
      await store.deleteOutbox(run.namespace, []);
      await store.deleteOutbox('other', ['a']);
      assert.deepStrictEqual(
        (await store.listOutbox({ limit: 10 })).map((o) => o.id),
        ['a', 'c'],
      );
      // A re-add of a deleted id (same namespace) is a fresh row.
      await store.commit([
        {
          run,
          expectedSeq: 1,
          events: [],
          outbox: { add: [outboxRow(run, 'b', { kind: 'signal' })] },
        },
      ]);
      assert.deepStrictEqual(
        (await store.listOutbox({ limit: 10 })).map((o) => [o.id, o.kind]),
        [
          ['a', 'child_start'],
          ['b', 'signal'],
          ['c', 'child_start'],
        ],
      );
    },
  },
];
