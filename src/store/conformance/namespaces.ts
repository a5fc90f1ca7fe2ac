import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RunKey } from '../../core/index.js';
import { assertHead, defined, rejectsWithConflict } from './check.js';
import {
  eventsFor,
  outboxRow,
  signalEvent,
  startedEvent,
  T0,
  taskRow,
  terminalEvent,
  timerRow,
} from './fixtures.js';
import { assertSamePackage, packageRecord } from './packages.js';
import { builtin, cmp } from './visibility-expr.js';
import type { StoreScenario } from './types.js';

/** The same workflow id and run id in two namespaces. */
function twin(): [RunKey, RunKey] {
  const workflowId = `twin-${randomUUID().slice(0, 8)}`;
  const runId = randomUUID();
  return [
    { namespace: 'ns-a', workflowId, runId },
    { namespace: 'ns-b', workflowId, runId },
  ];
}

export const namespaceScenarios: StoreScenario[] = [
  {
    name: 'namespaces: the same workflow and run id in two namespaces have separate histories and runs',
    tags: ['namespaces'],
    async run({ store }) {
      const [a, b] = twin();
      const historyA = [startedEvent({ workflowType: 'TypeA' }), ...eventsFor(a, 2, 4)];
      const historyB = [startedEvent({ workflowType: 'TypeB', at: T0 + 5 })];
      await store.append(a, historyA, 0);
      await store.append(b, historyB, 0); // no workflow_already_started across namespaces
      assert.deepStrictEqual(await store.readHistory(a), historyA);
      assert.deepStrictEqual(await store.readHistory(b), historyB);
      await assertHead(store, a, 5);
      await assertHead(store, b, 1);
      await rejectsWithConflict(store.append(b, [signalEvent(6, T0)], 5), 5, 1);
      assert.deepStrictEqual(
        [(await store.getRun(a))?.workflowType, (await store.getRun(b))?.workflowType],
        ['TypeA', 'TypeB'],
      );
      assert.equal((await store.getCurrentRun('ns-a', a.workflowId))?.workflowType, 'TypeA');
      assert.deepStrictEqual(
        (await store.getRunChain('ns-b', b.workflowId)).map((r) => [r.namespace, r.workflowType]),
        [['ns-b', 'TypeB']],
      );
      assert.equal(await store.getCurrentRun('default', a.workflowId), undefined);

      await store.append(a, [terminalEvent(6, T0 + 9)], 5);
      assert.equal((await store.getRun(a))?.status, 'COMPLETED');
      assert.equal(
        (await store.getRun(b))?.status,
        'RUNNING',
        'closing one namespace’s run leaves the other open',
      );
      const byId = cmp(builtin('WorkflowId'), '=', a.workflowId);
      for (const [ns, type] of [
        ['ns-a', 'TypeA'],
        ['ns-b', 'TypeB'],
      ] as const) {
        const page = await store.listRuns({ namespace: ns, where: byId });
        assert.deepStrictEqual(
          page.items.map((i) => [i.namespace, i.workflowType]),
          [[ns, type]],
        );
        assert.equal(await store.countRuns(ns), 1);
      }
      assert.equal(await store.countRuns('default'), 0);
      assert.deepStrictEqual((await store.listRuns({ namespace: 'ns-c' })).items, []);
    },
  },
  {
    name: 'namespaces: timers, tasks, outbox rows and packages are keyed by namespace',
    tags: ['namespaces', 'timers', 'tasks', 'packages'],
    // eslint-disable-next-line max-lines-per-function -- one scenario: each keyed table checked in turn, read top to bottom like the contract
    async run({ store }) {
      const [a, b] = twin();
      const startTwin = async (run: RunKey, offset: number): Promise<void> => {
        const [outcome] = await store.commit([
          {
            run,
            expectedSeq: 0,
            events: [startedEvent({ version: 'v1' })],
            timers: { upsert: [timerRow(run, 'same-timer', T0 + offset)] },
            tasks: { enqueue: [taskRow(run, 'same-task', { visibleAt: T0 + offset })] },
            outbox: { add: [outboxRow(run, 'same-outbox', { createdAt: T0 + offset })] },
          },
        ]);
        assert.equal(outcome?.ok, true);
      };
      await startTwin(a, 1);
      await startTwin(b, 2);

      // Timers: the claim names each namespace; deleting one leaves the other.
      assert.deepStrictEqual(
        defined(await store.claimDueTimers({ owner: 'o', now: T0 + 10, leaseMs: 100, limit: 10 })),
        [
          { ...timerRow(a, 'same-timer', T0 + 1), claimUntil: T0 + 110 },
          { ...timerRow(b, 'same-timer', T0 + 2), claimUntil: T0 + 110 },
        ],
      );
      await store.deleteTimer('ns-a', a.runId, 'same-timer');
      assert.deepStrictEqual(await store.listTimers(a), []);
      assert.deepStrictEqual(
        (await store.listTimers(b)).map((t) => [t.namespace, t.fireAt]),
        [['ns-b', T0 + 2]],
      );

      // Tasks: claims, reads and leases stay inside the namespace.
      const taskId = `${a.runId}/same-task`;
      const claimedA = await store.claimTasks({
        namespace: 'ns-a',
        taskQueue: 'main',
        owner: 'wa',
        now: T0 + 10,
        leaseMs: 100,
        limit: 10,
      });
      assert.deepStrictEqual(
        claimedA.map((t) => [t.namespace, t.taskId, t.visibleAt]),
        [['ns-a', taskId, T0 + 1]],
      );
      assert.equal(
        await store.extendTaskLease({
          namespace: 'ns-b',
          taskId,
          owner: 'wa',
          leaseUntil: T0 + 999,
          now: T0 + 11,
        }),
        false,
      );
      assert.equal((await store.getTask('ns-b', taskId))?.leaseOwner, undefined);
      assert.equal((await store.getTask('ns-b', taskId))?.visibleAt, T0 + 2);
      assert.equal(await store.nextTaskAt('ns-b', 'main'), T0 + 2);
      assert.deepStrictEqual(
        (
          await store.claimTasks({
            namespace: 'ns-b',
            taskQueue: 'main',
            owner: 'wb',
            now: T0 + 10,
            leaseMs: 100,
            limit: 10,
          })
        ).map((t) => t.namespace),
        ['ns-b'],
      );

      // Outbox: listed across namespaces in (namespace, id) order; deletes are per namespace.
      const all = await store.listOutbox({ limit: 10 });
      assert.deepStrictEqual(
        all.map((o) => [o.namespace, o.id, o.createdAt]),
        [
          ['ns-a', 'same-outbox', T0 + 1],
          ['ns-b', 'same-outbox', T0 + 2],
        ],
      );
      assert.deepStrictEqual(
        (
          await store.listOutbox({ after: { namespace: 'ns-a', id: 'same-outbox' }, limit: 10 })
        ).map((o) => o.namespace),
        ['ns-b'],
      );
      await store.deleteOutbox('ns-a', ['same-outbox']);
      assert.deepStrictEqual(
        (await store.listOutbox({ limit: 10 })).map((o) => o.namespace),
        ['ns-b'],
      );

      // Packages and routes: one version per namespace, separate bytes, routes and holders.
      const pa = packageRecord('v1', { namespace: 'ns-a', size: 300 });
      const pb = packageRecord('v1', { namespace: 'ns-b', size: 500 });
      assert.deepStrictEqual(await store.putPackage(pa, ['TypeA']), { inserted: true });
      assert.deepStrictEqual(
        await store.putPackage(pb, []),
        { inserted: true },
        'the same version in another namespace is new',
      );
      assertSamePackage(await store.getPackage('ns-a', 'v1'), pa, 'ns-a package');
      assertSamePackage(await store.getPackage('ns-b', 'v1'), pb, 'ns-b package');
      assert.equal(await store.getPackage('default', 'v1'), undefined);
      assert.deepStrictEqual(
        (await store.listRoutes('ns-a')).map((r) => r.workflowType),
        ['TypeA'],
      );
      assert.deepStrictEqual(await store.listRoutes('ns-b'), []);
      // ns-a: routed. ns-b: pinned by its own open run (ns-a's run is closed below).
      await store.append(a, [terminalEvent(2, T0 + 20)], 1);
      assert.deepStrictEqual(await store.deletePackage('ns-a', 'v1'), {
        deleted: false,
        reason: 'routed',
        holder: 'TypeA',
      });
      assert.deepStrictEqual(await store.deletePackage('ns-b', 'v1'), {
        deleted: false,
        reason: 'pinned',
        holder: b.runId,
      });
      await store.putPackage(packageRecord('v2', { namespace: 'ns-a' }), []);
      await store.setRoute({
        namespace: 'ns-a',
        workflowType: 'TypeA',
        version: 'v2',
        updatedAt: T0 + 30,
      });
      assert.deepStrictEqual(
        await store.deletePackage('ns-a', 'v1'),
        { deleted: true },
        'ns-b’s pinned run does not hold ns-a’s package',
      );
      assertSamePackage(
        await store.getPackage('ns-b', 'v1'),
        pb,
        'ns-b package after the ns-a delete',
      );
      assert.deepStrictEqual(
        (await store.listPackages('ns-b')).map((p) => [p.namespace, p.size]),
        [['ns-b', 500]],
      );
    },
  },
];
