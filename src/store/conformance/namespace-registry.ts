import assert from 'node:assert/strict';
import type { NamespaceRecord, Store } from '../contract/index.js';
import { rejectsWithCode } from './check.js';
import { T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

type Patch = Parameters<Store['updateNamespace']>[1];

function ns(name: string, fields: Partial<Omit<NamespaceRecord, 'name'>> = {}): NamespaceRecord {
  return {
    name,
    description: `the ${name} namespace`,
    retentionMs: 7 * 24 * 3_600_000,
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** Asserts the registry holds exactly `expected`, in this order, through list and get. */
async function assertRegistry(
  store: Store,
  expected: readonly NamespaceRecord[],
  what: string,
): Promise<void> {
  assert.deepStrictEqual(await store.listNamespaces(), expected, `${what}: listNamespaces`);
  for (const record of expected) {
    assert.deepStrictEqual(
      await store.getNamespace(record.name),
      record,
      `${what}: getNamespace(${record.name})`,
    );
  }
}

/** Asserts `work` is invalid_argument naming `field` and the registry is exactly as before. */
async function refused(
  store: Store,
  work: () => Promise<unknown>,
  field: string,
  what: string,
): Promise<void> {
  const before = await store.listNamespaces();
  const error = await rejectsWithCode(work(), 'invalid_argument', what);
  assert.equal(error.details.field, field, `${what}: details.field`);
  await assertRegistry(store, before, `${what}: nothing written`);
}

const badNames: readonly [string, string][] = [
  ['', 'an empty name'],
  ['Orders', 'an upper-case name'],
  ['my orders', 'a name with a space'],
  ['-orders', 'a name starting with -'],
  ['n'.repeat(64), 'a 64-character name'],
];

/** Settings `createNamespace` must refuse, as [field, override, what]. */
const badSettings: readonly [string, Partial<Record<keyof NamespaceRecord, unknown>>, string][] = [
  ['description', { description: 'd'.repeat(1001) }, 'a 1001-character description'],
  ['description', { description: 42 }, 'a non-string description'],
  ['description', { description: undefined }, 'a missing description'],
  ['retentionMs', { retentionMs: 0 }, 'retention 0'],
  ['retentionMs', { retentionMs: -1000 }, 'a negative retention'],
  ['retentionMs', { retentionMs: 1.5 }, 'a fractional retention'],
  ['retentionMs', { retentionMs: Number.NaN }, 'a NaN retention'],
  ['retentionMs', { retentionMs: Number.POSITIVE_INFINITY }, 'an infinite retention'],
  ['retentionMs', { retentionMs: 2 ** 53 }, 'a retention past the safe integers'],
  ['retentionMs', { retentionMs: '86400000' }, 'a string retention'],
  ['retentionMs', { retentionMs: undefined }, 'a missing retention'],
];

export const namespaceRegistryScenarios: StoreScenario[] = [
  {
    name: 'namespace registry: create then get; creating an existing name again changes nothing',
    tags: ['namespaces', 'namespace-registry'],
    async run({ store }) {
      assert.equal(await store.getNamespace('orders'), undefined, 'an unregistered name');
      const record = ns('orders');
      const input = { ...record };
      assert.deepStrictEqual(await store.createNamespace(input), { created: true });
      (input as { description: string }).description = 'changed by the caller afterwards';
      await assertRegistry(store, [record], 'after create');

      const again = ns('orders', {
        description: 'another description',
        retentionMs: null,
        createdAt: T0 + 50,
        updatedAt: T0 + 50,
      });
      assert.deepStrictEqual(await store.createNamespace(again), { created: false });
      await assertRegistry(store, [record], 'a second create never overwrites');

      const keepForever = ns('archive', { description: '', retentionMs: null });
      assert.deepStrictEqual(await store.createNamespace(keepForever), { created: true });
      await assertRegistry(store, [keepForever, record], 'an empty description and null retention');
    },
  },
  {
    name: 'namespace registry: list is sorted by name in code-point order',
    tags: ['namespaces', 'namespace-registry'],
    async run({ store }) {
      assert.deepStrictEqual(await store.listNamespaces(), [], 'a fresh store has none');
      // Code-point order puts '-' < '.' < digits < '_' < letters; locale collations do not.
      const names = ['b', 'a_1', 'default', 'a.1', '0x', 'a1', 'a-1', 'a', 'z'.repeat(63)];
      for (const [i, name] of names.entries()) {
        await store.createNamespace(ns(name, { createdAt: T0 + i, updatedAt: T0 + i }));
      }
      assert.deepStrictEqual(
        (await store.listNamespaces()).map((r) => r.name),
        ['0x', 'a', 'a-1', 'a.1', 'a1', 'a_1', 'b', 'default', 'z'.repeat(63)],
      );
    },
  },
  {
    name: 'namespace registry: update changes only the given fields and stamps updatedAt, never createdAt',
    tags: ['namespaces', 'namespace-registry'],
    async run({ store }) {
      const original = ns('orders', { retentionMs: 86_400_000 });
      const other = ns('payments');
      await store.createNamespace(original);
      await store.createNamespace(other);

      const steps: [Patch, number, string][] = [
        [{ description: 'Order workflows' }, T0 + 10, 'description only'],
        [{ retentionMs: 3_600_000 }, T0 + 20, 'retention only'],
        [{ retentionMs: null }, T0 + 30, 'retention cleared to null'],
        [{ retentionMs: Number.MAX_SAFE_INTEGER }, T0 + 40, 'the largest retention'],
        [{ description: '', retentionMs: 1 }, T0 + 50, 'both at once'],
        [{}, T0 + 60, 'an empty patch still stamps updatedAt'],
        [{ description: 'd'.repeat(1000) }, T0 + 70, 'a 1000-character description'],
      ];
      let expected: NamespaceRecord = original;
      for (const [patch, now, what] of steps) {
        expected = {
          ...expected,
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.retentionMs !== undefined ? { retentionMs: patch.retentionMs } : {}),
          updatedAt: now,
        };
        const returned = await store.updateNamespace('orders', patch, now);
        assert.deepStrictEqual(returned, expected, `${what}: the returned record`);
        assert.equal(returned.createdAt, T0, `${what}: createdAt stays`);
        await assertRegistry(store, [expected, other], `${what}: stored`);
      }
    },
  },
  {
    name: 'namespace registry: updating a name that is not registered is not_found and creates nothing',
    tags: ['namespaces', 'namespace-registry'],
    async run({ store }) {
      await store.createNamespace(ns('orders'));
      const error = await rejectsWithCode(
        store.updateNamespace('missing', { description: 'x' }, T0 + 1),
        'not_found',
        'update of an unregistered name',
      );
      assert.ok(error.message.includes('missing'), `the message names it: ${error.message}`);
      assert.equal(await store.getNamespace('missing'), undefined);
      await assertRegistry(store, [ns('orders')], 'registry unchanged');
    },
  },
  {
    name: 'namespace registry: invalid names and settings are invalid_argument naming the field and write nothing',
    tags: ['namespaces', 'namespace-registry', 'validation', 'bad-input'],
    async run({ store }) {
      const kept = ns('orders');
      await store.createNamespace(kept);
      for (const [name, what] of badNames) {
        await refused(store, () => store.createNamespace(ns(name)), 'namespace', `create: ${what}`);
        await refused(
          store,
          () => store.updateNamespace(name, { description: 'x' }, T0 + 1),
          'namespace',
          `update: ${what}`,
        );
      }
      for (const [field, override, what] of badSettings) {
        // Both on a new name and on the registered one: validation comes before the lookup.
        for (const name of ['fresh', 'orders']) {
          const record = { ...ns(name), ...override } as NamespaceRecord;
          await refused(
            store,
            () => store.createNamespace(record),
            field,
            `create ${name}: ${what}`,
          );
        }
        if (override[field as keyof NamespaceRecord] === undefined) continue; // absent = unchanged
        const patch = { [field]: override[field as keyof NamespaceRecord] } as Patch;
        await refused(
          store,
          () => store.updateNamespace('orders', patch, T0 + 1),
          field,
          `update: ${what}`,
        );
      }
      await refused(
        store,
        () => store.createNamespace(ns('fresh', { createdAt: 1.5 })),
        'createdAt',
        'a fractional createdAt',
      );
      await refused(
        store,
        () => store.updateNamespace('orders', { description: 'x' }, -1),
        'now',
        'a negative now',
      );
      await refused(
        store,
        () => store.updateNamespace('orders', { retentionMs: 1000, description: 7 as never }, T0),
        'description',
        'one bad field of two',
      );
      await assertRegistry(store, [kept], 'only the valid namespace exists, unchanged');
    },
  },
  {
    name: 'namespace registry: namespaces and their updates survive close and reopen',
    tags: ['namespaces', 'namespace-registry', 'durability'],
    needs: ['reopen'],
    async run({ store, reopen }) {
      await store.createNamespace(ns('orders'));
      await store.createNamespace(ns('archive', { retentionMs: null }));
      await store.updateNamespace('orders', { description: 'updated', retentionMs: null }, T0 + 5);
      const expected = [
        ns('archive', { retentionMs: null }),
        ns('orders', { description: 'updated', retentionMs: null, updatedAt: T0 + 5 }),
      ];
      const reopened = await reopen();
      await assertRegistry(reopened, expected, 'after reopen');
      assert.deepStrictEqual(await reopened.createNamespace(ns('orders')), { created: false });
      await reopened.updateNamespace('archive', { retentionMs: 60_000 }, T0 + 9);
      assert.equal((await reopened.getNamespace('archive'))?.retentionMs, 60_000);
    },
  },
  {
    name: 'namespace registry: concurrent creates of one name — exactly one is created, the other changes nothing',
    tags: ['namespaces', 'namespace-registry', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      const mine = ns('contested', { description: 'mine' });
      const theirs = ns('contested', { description: 'theirs', retentionMs: null });
      const [a, b] = await Promise.all([
        store.createNamespace(mine),
        other.createNamespace(theirs),
      ]);
      assert.deepStrictEqual(
        [a.created, b.created].sort(),
        [false, true],
        'exactly one create wins',
      );
      const winner = a.created ? mine : theirs;
      for (const s of [store, other]) await assertRegistry(s, [winner], 'both see the winner');
    },
  },
];
