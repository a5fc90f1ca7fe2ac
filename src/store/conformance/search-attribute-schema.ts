import assert from 'node:assert/strict';
import type { SearchAttributeDefinition, Store } from '../contract/index.js';
import { rejectsWithCode } from './check.js';
import type { StoreScenario } from './types.js';

const NS = 'default';

async function assertSchema(
  store: Store,
  namespace: string,
  expected: readonly SearchAttributeDefinition[],
  what: string,
): Promise<void> {
  assert.deepStrictEqual(await store.listSearchAttributes(namespace), expected, what);
}

/** Asserts the registration is refused as invalid_argument naming `name`, and nothing changed. */
async function refused(
  store: Store,
  defs: readonly SearchAttributeDefinition[],
  name: string,
  what: string,
): Promise<void> {
  const before = await store.listSearchAttributes(NS);
  const error = await rejectsWithCode(
    store.registerSearchAttributes(NS, defs),
    'invalid_argument',
    what,
  );
  assert.ok(
    error.message.includes(name),
    `${what}: the message names ${name}; got: ${error.message}`,
  );
  await assertSchema(store, NS, before, `${what}: nothing of the call is registered`);
}

export const searchAttributeSchemaScenarios: StoreScenario[] = [
  {
    name: 'search attribute schema: register then list, sorted by name in code-point order',
    tags: ['search-attributes'],
    async run({ store }) {
      await assertSchema(store, NS, [], 'a fresh namespace has no search attributes');
      await store.registerSearchAttributes(NS, [
        { name: 'Zeta', type: 'Int' },
        { name: 'alpha', type: 'Keyword' },
        { name: 'Beta', type: 'Bool' },
        { name: 'Tags', type: 'KeywordList' },
        { name: 'Notes', type: 'Text' },
        { name: 'Score', type: 'Double' },
        { name: 'Due', type: 'Datetime' },
        { name: 'B_2', type: 'Keyword' },
      ]);
      await assertSchema(
        store,
        NS,
        [
          { name: 'B_2', type: 'Keyword' },
          { name: 'Beta', type: 'Bool' },
          { name: 'Due', type: 'Datetime' },
          { name: 'Notes', type: 'Text' },
          { name: 'Score', type: 'Double' },
          { name: 'Tags', type: 'KeywordList' },
          { name: 'Zeta', type: 'Int' },
          { name: 'alpha', type: 'Keyword' },
        ],
        'every type round-trips; upper case sorts before lower case',
      );
      await store.registerSearchAttributes(NS, []);
      assert.equal((await store.listSearchAttributes(NS)).length, 8, 'an empty call adds nothing');
    },
  },
  {
    name: 'search attribute schema: registering the same name and type again is a no-op',
    tags: ['search-attributes'],
    async run({ store }) {
      await store.registerSearchAttributes(NS, [{ name: 'CustomerId', type: 'Keyword' }]);
      await store.registerSearchAttributes(NS, [{ name: 'CustomerId', type: 'Keyword' }]);
      await store.registerSearchAttributes(NS, [
        { name: 'Amount', type: 'Int' },
        { name: 'CustomerId', type: 'Keyword' },
        { name: 'Amount', type: 'Int' },
      ]);
      await assertSchema(
        store,
        NS,
        [
          { name: 'Amount', type: 'Int' },
          { name: 'CustomerId', type: 'Keyword' },
        ],
        'each name once, with its type',
      );
    },
  },
  {
    name: 'search attribute schema: changing the type of a registered name is refused and registers nothing of the call',
    tags: ['search-attributes', 'validation'],
    async run({ store }) {
      await store.registerSearchAttributes(NS, [{ name: 'CustomerId', type: 'Keyword' }]);
      await refused(
        store,
        [
          { name: 'Fresh', type: 'Int' },
          { name: 'CustomerId', type: 'Text' },
        ],
        'CustomerId',
        'Keyword → Text',
      );
      await refused(
        store,
        [
          { name: 'Twice', type: 'Int' },
          { name: 'Twice', type: 'Double' },
        ],
        'Twice',
        'one new name with two types in one call',
      );
      await assertSchema(
        store,
        NS,
        [{ name: 'CustomerId', type: 'Keyword' }],
        'the original type stays',
      );
    },
  },
  {
    name: 'search attribute schema: reserved, malformed and untyped definitions are refused',
    tags: ['search-attributes', 'validation'],
    async run({ store }) {
      await store.registerSearchAttributes(NS, [{ name: 'Existing', type: 'Keyword' }]);
      const cases: [SearchAttributeDefinition, string][] = [
        [{ name: 'WorkflowType', type: 'Keyword' }, 'WorkflowType'],
        [{ name: 'ExecutionStatus', type: 'Keyword' }, 'ExecutionStatus'],
        [{ name: 'starttime', type: 'Datetime' }, 'starttime'],
        [{ name: 'Order', type: 'Keyword' }, 'Order'],
        [{ name: '1st', type: 'Keyword' }, '1st'],
        [{ name: 'has space', type: 'Keyword' }, 'has space'],
        [{ name: '', type: 'Keyword' }, '""'],
        [{ name: `A${'x'.repeat(64)}`, type: 'Keyword' }, 'Axxx'],
        [{ name: 'Typo', type: 'Keywrd' as 'Keyword' }, 'Typo'],
      ];
      for (const [def, named] of cases) {
        await refused(
          store,
          [{ name: 'Fresh', type: 'Int' }, def],
          named,
          `${JSON.stringify(def.name)} as ${def.type}`,
        );
      }
      await assertSchema(store, NS, [{ name: 'Existing', type: 'Keyword' }], 'schema unchanged');
    },
  },
  {
    name: 'search attribute schema: namespaces are independent',
    tags: ['search-attributes', 'namespaces'],
    async run({ store }) {
      await store.registerSearchAttributes('a', [{ name: 'Region', type: 'Keyword' }]);
      await store.registerSearchAttributes('b', [
        { name: 'Region', type: 'Int' },
        { name: 'Only_b', type: 'Bool' },
      ]);
      await assertSchema(store, 'a', [{ name: 'Region', type: 'Keyword' }], 'namespace a');
      await assertSchema(
        store,
        'b',
        [
          { name: 'Only_b', type: 'Bool' },
          { name: 'Region', type: 'Int' },
        ],
        'namespace b: the same name with another type',
      );
      await assertSchema(store, 'c', [], 'an untouched namespace');
    },
  },
  {
    name: 'search attribute schema: registrations survive close and reopen',
    tags: ['search-attributes', 'durability'],
    needs: ['reopen'],
    async run({ store, reopen }) {
      await store.registerSearchAttributes(NS, [
        { name: 'CustomerId', type: 'Keyword' },
        { name: 'Amount', type: 'Double' },
      ]);
      const reopened = await reopen();
      await assertSchema(
        reopened,
        NS,
        [
          { name: 'Amount', type: 'Double' },
          { name: 'CustomerId', type: 'Keyword' },
        ],
        'after reopen',
      );
      await rejectsWithCode(
        reopened.registerSearchAttributes(NS, [{ name: 'Amount', type: 'Int' }]),
        'invalid_argument',
        'a type change after reopen',
      );
    },
  },
  {
    name: 'search attribute schema: concurrent registrations of one name with two types — exactly one wins',
    tags: ['search-attributes', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      const outcomes = await Promise.allSettled([
        store.registerSearchAttributes(NS, [{ name: 'Contested', type: 'Int' }]),
        other.registerSearchAttributes(NS, [{ name: 'Contested', type: 'Keyword' }]),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled').length;
      assert.equal(won, 1, 'exactly one registration succeeds');
      const winner = outcomes[0]?.status === 'fulfilled' ? 'Int' : 'Keyword';
      for (const s of [store, other]) {
        await assertSchema(s, NS, [{ name: 'Contested', type: winner }], 'both see the winner');
      }
    },
  },
];
