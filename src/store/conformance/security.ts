import assert from 'node:assert/strict';
import type { ApiKeyRecord, TokenSecret } from '../contract/index.js';
import { assertConflict, assertHead, failedOutcome, rejectsWithCode } from './check.js';
import { auditEntry, eventsFor, makeRunKey, startedEvent, startRun, T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

function key(id: string, fields: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    name: `key ${id}`,
    role: 'admin',
    namespaces: null,
    hash: id
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, 'a'),
    createdAt: T0,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...fields,
  };
}

function secret(id: string, createdAt: number): TokenSecret {
  return { id, secret: `s-${id}`, createdAt, retiredAt: null };
}

export const securityScenarios: StoreScenario[] = [
  {
    name: 'security: API keys are created once per id, listed by creation time, scopes kept sorted',
    tags: ['security'],
    async run({ store }) {
      assert.deepStrictEqual(await store.listApiKeys(), []);
      const a = key('aaaa0001', { namespaces: ['payments', 'orders'], role: 'operator' });
      const b = key('bbbb0002', { createdAt: T0 + 5, expiresAt: T0 + 1000 });
      assert.deepStrictEqual(await store.createApiKey(a), { created: true });
      assert.deepStrictEqual(await store.createApiKey(b), { created: true });
      assert.deepStrictEqual(await store.createApiKey({ ...a, name: 'other' }), { created: false });
      const sortedA = { ...a, namespaces: ['orders', 'payments'] };
      assert.deepStrictEqual(await store.listApiKeys(), [sortedA, b]);
      assert.deepStrictEqual(await store.getApiKey('aaaa0001'), sortedA);
      assert.equal(await store.getApiKey('nope'), undefined);
      await rejectsWithCode(store.createApiKey(key('cccc0003', { hash: 'x' })), 'invalid_argument');
      await rejectsWithCode(
        store.createApiKey(key('cccc0003', { namespaces: ['Bad Name'] })),
        'invalid_argument',
      );
      assert.equal((await store.listApiKeys()).length, 2, 'bad keys write nothing');
    },
  },
  {
    name: 'security: the first key is created only when no key (live or revoked) exists',
    tags: ['security'],
    async run({ store }) {
      const first = key('aaaa0001');
      assert.deepStrictEqual(await store.createApiKey(first, { onlyIfNone: true }), {
        created: true,
      });
      assert.deepStrictEqual(await store.createApiKey(key('bbbb0002'), { onlyIfNone: true }), {
        created: false,
      });
      await store.revokeApiKey('aaaa0001', T0 + 1);
      assert.deepStrictEqual(await store.createApiKey(key('cccc0003'), { onlyIfNone: true }), {
        created: false,
      });
      assert.deepStrictEqual(
        (await store.listApiKeys()).map((k) => k.id),
        ['aaaa0001'],
      );
    },
  },
  {
    name: 'security: a revoked key stays revoked (first time kept) and other creates never bring it back',
    tags: ['security'],
    async run({ store }) {
      await store.createApiKey(key('aaaa0001'));
      assert.equal((await store.revokeApiKey('aaaa0001', T0 + 10))?.revokedAt, T0 + 10);
      assert.equal((await store.revokeApiKey('aaaa0001', T0 + 20))?.revokedAt, T0 + 10);
      assert.equal(await store.revokeApiKey('missing', T0), undefined);
      await store.createApiKey(key('bbbb0002'));
      assert.deepStrictEqual(await store.createApiKey(key('aaaa0001')), { created: false });
      assert.equal((await store.getApiKey('aaaa0001'))?.revokedAt, T0 + 10);
    },
  },
  {
    name: 'security: audit entries given to a group commit land with it, also when a run conflicts',
    tags: ['security', 'commit'],
    async run({ store }) {
      const subjects = async (): Promise<string[]> =>
        (await store.readAudit({ limit: 100 })).map((e) => e.subject);
      const fresh = makeRunKey();
      const { run } = await startRun(store);
      // Plain commits (a store's single-statement path, where it has one).
      const ok = await store.commit(
        [
          { run: fresh, expectedSeq: 0, events: [startedEvent()] },
          { run, expectedSeq: 1, events: eventsFor(run, 2, 1) },
        ],
        [auditEntry(1), auditEntry(2, { outcome: 'error', code: 'not_found' })],
      );
      assert.deepStrictEqual(ok, [
        { ok: true, headSeq: 1 },
        { ok: true, headSeq: 2 },
      ]);
      assert.deepStrictEqual(await subjects(), ['k1', 'k2']);
      // A conflicting run is reported in its outcome; the entries are written all the same.
      const mixed = await store.commit(
        [
          { run, expectedSeq: 1, events: eventsFor(run, 2, 1) },
          { run: fresh, expectedSeq: 1, events: eventsFor(fresh, 2, 1) },
        ],
        [auditEntry(3)],
      );
      assertConflict(failedOutcome(mixed[0], 'a stale commit'), 1, 2);
      assert.deepStrictEqual(mixed[1], { ok: true, headSeq: 2 });
      assert.deepStrictEqual(await store.commit([], [auditEntry(4)]), []);
      assert.deepStrictEqual(await subjects(), ['k1', 'k2', 'k3', 'k4']);
      // A refused entry, or refused run input, writes nothing of the call.
      const other = makeRunKey();
      await rejectsWithCode(
        store.commit(
          [{ run: other, expectedSeq: 0, events: [startedEvent()] }],
          [auditEntry(5, { count: 0 })],
        ),
        'invalid_argument',
      );
      await rejectsWithCode(
        store.commit([{ run: other, expectedSeq: 1, events: [startedEvent()] }], [auditEntry(6)]),
        'invalid_history',
      );
      await assertHead(store, other, 0);
      assert.deepStrictEqual(await subjects(), ['k1', 'k2', 'k3', 'k4']);
    },
  },
  {
    name: 'security: touchApiKey only moves lastUsedAt forward',
    tags: ['security'],
    async run({ store }) {
      await store.createApiKey(key('aaaa0001'));
      await store.touchApiKey('aaaa0001', T0 + 60_000);
      await store.touchApiKey('aaaa0001', T0 + 30_000);
      await store.touchApiKey('missing', T0);
      assert.equal((await store.getApiKey('aaaa0001'))?.lastUsedAt, T0 + 60_000);
    },
  },
  {
    name: 'security: audit entries append in order, read after a seq and since a time, prune by age',
    tags: ['security'],
    async run({ store }) {
      assert.deepStrictEqual(await store.readAudit({ limit: 10 }), []);
      await store.appendAudit([
        auditEntry(1),
        auditEntry(2, {
          outcome: 'refused',
          code: 'unauthenticated',
          count: 7,
          namespace: null,
          target: null,
        }),
      ]);
      await store.appendAudit([auditEntry(3, { outcome: 'error', code: 'not_found' })]);
      await store.appendAudit([]);
      const all = await store.readAudit({ limit: 10 });
      assert.deepStrictEqual(
        all.map(({ seq: _seq, ...rest }) => rest),
        [
          auditEntry(1),
          auditEntry(2, {
            outcome: 'refused',
            code: 'unauthenticated',
            count: 7,
            namespace: null,
            target: null,
          }),
          auditEntry(3, { outcome: 'error', code: 'not_found' }),
        ],
      );
      assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq, 'seq increases');
      assert.deepStrictEqual(
        (await store.readAudit({ afterSeq: all[0]!.seq, limit: 1 })).map((e) => e.subject),
        ['k2'],
      );
      assert.deepStrictEqual(
        (await store.readAudit({ since: T0 + 3, limit: 10 })).map((e) => e.subject),
        ['k3'],
      );
      await rejectsWithCode(
        store.appendAudit([auditEntry(4), auditEntry(5, { count: 0 })]),
        'invalid_argument',
      );
      assert.equal((await store.readAudit({ limit: 10 })).length, 3, 'a bad batch writes nothing');
      assert.equal(await store.pruneAudit(T0 + 3, 1), 1);
      assert.equal(await store.pruneAudit(T0 + 3, 10), 1);
      assert.deepStrictEqual(
        (await store.readAudit({ limit: 10 })).map((e) => e.subject),
        ['k3'],
      );
    },
  },
  {
    name: 'security: token secrets — one first secret, newest first, retire stops only that one',
    tags: ['security'],
    async run({ store }) {
      assert.deepStrictEqual(await store.addTokenSecret(secret('s1', T0), { onlyIfNone: true }), {
        created: true,
      });
      assert.deepStrictEqual(
        await store.addTokenSecret(secret('s2', T0 + 1), { onlyIfNone: true }),
        { created: false },
      );
      assert.deepStrictEqual(await store.addTokenSecret(secret('s2', T0 + 1)), { created: true });
      await store.retireTokenSecret('s1', T0 + 5);
      await store.retireTokenSecret('s1', T0 + 9);
      assert.deepStrictEqual(await store.listTokenSecrets(), [
        secret('s2', T0 + 1),
        { ...secret('s1', T0), retiredAt: T0 + 5 },
      ]);
    },
  },
  {
    name: 'security: keys, revocations, audit and secrets survive close and reopen',
    tags: ['security', 'durability'],
    needs: ['reopen'],
    async run({ store, reopen }) {
      await store.createApiKey(key('aaaa0001', { namespaces: ['orders'] }));
      await store.revokeApiKey('aaaa0001', T0 + 1);
      await store.appendAudit([auditEntry(1)]);
      await store.addTokenSecret(secret('s1', T0));
      const again = await reopen();
      assert.equal((await again.getApiKey('aaaa0001'))?.revokedAt, T0 + 1);
      assert.deepStrictEqual((await again.getApiKey('aaaa0001'))?.namespaces, ['orders']);
      assert.equal((await again.readAudit({ limit: 5 })).length, 1);
      assert.equal((await again.listTokenSecrets()).length, 1);
    },
  },
  {
    name: 'security: concurrent first-key creates on two connections — exactly one wins',
    tags: ['security', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      const [a, b] = await Promise.all([
        store.createApiKey(key('aaaa0001'), { onlyIfNone: true }),
        other.createApiKey(key('bbbb0002'), { onlyIfNone: true }),
      ]);
      assert.deepStrictEqual([a.created, b.created].sort(), [false, true]);
      assert.equal((await other.listApiKeys()).length, 1);
    },
  },
];
