import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { PackageRecord, Route, Store } from '../contract/index.js';
import { outboxRow, startRun, T0, terminalEvent } from './fixtures.js';
import type { StoreScenario } from './types.js';

/** Every byte value, then random bytes: `size` bytes in all. */
export function archiveBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < Math.min(256, size); i++) bytes[i] = i;
  if (size > 256) bytes.set(randomBytes(size - 256), 256);
  return bytes;
}

export function packageRecord(
  version: string,
  options: { namespace?: string; size?: number; deployedAt?: number } = {},
): PackageRecord {
  return {
    namespace: options.namespace ?? 'default',
    version,
    archive: archiveBytes(options.size ?? 1024),
    manifest: JSON.stringify({ version, workflows: ['OrderWorkflow'], note: 'ünïcødé ✓' }),
    deployedAt: options.deployedAt ?? T0,
  };
}

/** Asserts a stored package equals the record byte for byte. */
export function assertSamePackage(
  actual: PackageRecord | undefined,
  expected: PackageRecord,
  what = 'package',
): void {
  assert.ok(actual, `${what}: present`);
  assert.ok(actual.archive instanceof Uint8Array, `${what}: archive is a Uint8Array`);
  assert.equal(actual.archive.byteLength, expected.archive.byteLength, `${what}: archive size`);
  assert.ok(
    Buffer.from(actual.archive).equals(Buffer.from(expected.archive)),
    `${what}: archive bytes identical`,
  );
  const { archive: _a, ...rest } = actual;
  const { archive: _b, ...want } = expected;
  assert.deepStrictEqual(rest, want, `${what}: fields`);
}

async function routes(store: Store, namespace = 'default'): Promise<Route[]> {
  return [...(await store.listRoutes(namespace))].sort((a, b) =>
    a.workflowType < b.workflowType ? -1 : 1,
  );
}

export const packageScenarios: StoreScenario[] = [
  {
    name: 'packages: put stores the archive and points routes at it; get returns identical bytes; list omits the archive',
    tags: ['packages'],
    async run({ store }) {
      assert.deepStrictEqual(await store.listPackages('default'), []);
      assert.deepStrictEqual(await store.listRoutes('default'), []);
      const v1 = packageRecord('sha256:v1', { size: 1_500_000, deployedAt: T0 + 1 });
      assert.deepStrictEqual(await store.putPackage(v1, ['Order', 'Refund']), { inserted: true });
      assertSamePackage(await store.getPackage('default', 'sha256:v1'), v1);
      assert.deepStrictEqual(await routes(store), [
        { namespace: 'default', workflowType: 'Order', version: 'sha256:v1', updatedAt: T0 + 1 },
        { namespace: 'default', workflowType: 'Refund', version: 'sha256:v1', updatedAt: T0 + 1 },
      ]);
      const v2 = packageRecord('sha256:v2', { size: 10, deployedAt: T0 + 2 });
      assert.deepStrictEqual(await store.putPackage(v2, []), { inserted: true });
      const list = [...(await store.listPackages('default'))].sort((a, b) =>
        a.version < b.version ? -1 : 1,
      );
      assert.deepStrictEqual(list, [
        {
          namespace: 'default',
          version: 'sha256:v1',
          manifest: v1.manifest,
          deployedAt: T0 + 1,
          size: 1_500_000,
        },
        {
          namespace: 'default',
          version: 'sha256:v2',
          manifest: v2.manifest,
          deployedAt: T0 + 2,
          size: 10,
        },
      ]);
      for (const summary of list) assert.ok(!('archive' in summary), 'summaries carry no archive');
      assert.equal((await routes(store)).length, 2, 'an empty route list changes no route');
      assert.equal(await store.getPackage('default', 'sha256:nope'), undefined);
    },
  },
  {
    name: 'packages: re-putting a version is idempotent (inserted false) and still points the given routes',
    tags: ['packages'],
    async run({ store }) {
      const v1 = packageRecord('v1', { deployedAt: T0 });
      await store.putPackage(v1, ['Order']);
      const again = await store.putPackage({ ...v1, deployedAt: T0 + 50 }, ['Refund']);
      assert.deepStrictEqual(again, { inserted: false });
      assertSamePackage(await store.getPackage('default', 'v1'), v1, 'the original record');
      assert.equal((await store.listPackages('default')).length, 1);
      assert.deepStrictEqual(
        (await routes(store)).map((r) => [r.workflowType, r.version]),
        [
          ['Order', 'v1'],
          ['Refund', 'v1'],
        ],
      );
    },
  },
  {
    name: 'packages: setRoute re-points a route and creates new ones',
    tags: ['packages'],
    async run({ store }) {
      await store.putPackage(packageRecord('v1'), ['Order']);
      await store.putPackage(packageRecord('v2'), []);
      await store.setRoute({
        namespace: 'default',
        workflowType: 'Order',
        version: 'v2',
        updatedAt: T0 + 10,
      });
      await store.setRoute({
        namespace: 'default',
        workflowType: 'Audit',
        version: 'v1',
        updatedAt: T0 + 11,
      });
      assert.deepStrictEqual(await routes(store), [
        { namespace: 'default', workflowType: 'Audit', version: 'v1', updatedAt: T0 + 11 },
        { namespace: 'default', workflowType: 'Order', version: 'v2', updatedAt: T0 + 10 },
      ]);
      await store.setRoute({
        namespace: 'default',
        workflowType: 'Order',
        version: 'v1',
        updatedAt: T0 + 12,
      });
      assert.deepStrictEqual(
        (await routes(store)).map((r) => [r.workflowType, r.version, r.updatedAt]),
        [
          ['Audit', 'v1', T0 + 11],
          ['Order', 'v1', T0 + 12],
        ],
      );
    },
  },
  {
    name: 'packages: delete is refused while routed, pinned by an open run or by an outbox row, and accepted once free',
    tags: ['packages'],
    async run({ store }) {
      assert.deepStrictEqual(await store.deletePackage('default', 'ghost'), {
        deleted: false,
        reason: 'not_found',
      });
      await store.putPackage(packageRecord('v1'), ['Order']);
      await store.putPackage(packageRecord('v2'), []);
      assert.deepStrictEqual(await store.deletePackage('default', 'v1'), {
        deleted: false,
        reason: 'routed',
        holder: 'Order',
      });
      await store.setRoute({
        namespace: 'default',
        workflowType: 'Order',
        version: 'v2',
        updatedAt: T0 + 1,
      });

      const { run } = await startRun(store, { version: 'v1' });
      const closedPinned = await startRun(store, { version: 'v1' });
      await store.append(closedPinned.run, [terminalEvent(2, T0 + 1)], 1);
      assert.deepStrictEqual(await store.deletePackage('default', 'v1'), {
        deleted: false,
        reason: 'pinned',
        holder: run.runId,
      });

      // The run closes, recording a child start pinned to v1 in the outbox.
      await store.commit([
        {
          run,
          expectedSeq: 1,
          events: [terminalEvent(2, T0 + 2)],
          outbox: { add: [outboxRow(run, 'child-start-1', { version: 'v1' })] },
        },
      ]);
      assert.deepStrictEqual(await store.deletePackage('default', 'v1'), {
        deleted: false,
        reason: 'pinned',
        holder: 'child-start-1',
      });
      assert.ok(await store.getPackage('default', 'v1'), 'a refused delete keeps the package');

      await store.deleteOutbox('default', ['child-start-1']);
      assert.deepStrictEqual(await store.deletePackage('default', 'v1'), { deleted: true });
      assert.equal(await store.getPackage('default', 'v1'), undefined);
      assert.deepStrictEqual(
        (await store.listPackages('default')).map((p) => p.version),
        ['v2'],
      );
      assert.deepStrictEqual(await store.deletePackage('default', 'v1'), {
        deleted: false,
        reason: 'not_found',
      });
      // v2 is routed; a fresh run pinned to it keeps holding it after the route moves.
      await store.putPackage(packageRecord('v3'), ['Order']);
      const pinned = await startRun(store, { version: 'v2' });
      assert.deepStrictEqual(await store.deletePackage('default', 'v2'), {
        deleted: false,
        reason: 'pinned',
        holder: pinned.run.runId,
      });
      await store.append(pinned.run, [terminalEvent(2, T0 + 3, 'WorkflowCancelled')], 1);
      assert.deepStrictEqual(await store.deletePackage('default', 'v2'), { deleted: true });
    },
  },
];
