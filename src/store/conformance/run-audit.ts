// A run commit's own audit entries (`RunCommit.audit`): written in the transaction of that
// run's commit only if the store accepts it, beside the batch's entries.
import assert from 'node:assert/strict';
import type { Store } from '../contract/index.js';
import {
  assertAlreadyStarted,
  assertConflict,
  assertHead,
  failedOutcome,
  rejectsWithCode,
} from './check.js';
import { auditEntry, eventsFor, makeRunKey, startedEvent, startRun, T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

async function subjects(store: Store): Promise<string[]> {
  return (await store.readAudit({ limit: 100 })).map((e) => e.subject);
}

export const runAuditScenarios: StoreScenario[] = [
  {
    name: "audit: a run commit's own entries land with it; a refused run commit writes none, the other runs theirs",
    tags: ['security', 'commit'],
    async run({ store }) {
      const fresh = makeRunKey();
      const { run } = await startRun(store);
      // A plain batch (a store's single-statement path, where it has one): every run accepted.
      const ok = await store.commit([
        {
          run: fresh,
          expectedSeq: 0,
          events: [startedEvent()],
          audit: [auditEntry(1, { target: fresh.workflowId })],
        },
        { run, expectedSeq: 1, events: eventsFor(run, 2, 1), audit: [auditEntry(2)] },
      ]);
      assert.deepStrictEqual(ok, [
        { ok: true, headSeq: 1 },
        { ok: true, headSeq: 2 },
      ]);
      const stored = await store.readAudit({ limit: 100 });
      assert.deepStrictEqual(
        stored.map(({ seq: _seq, ...e }) => e),
        [auditEntry(1, { target: fresh.workflowId }), auditEntry(2)],
        'the entries read back as written, in commit order',
      );
      assert.ok(stored[0]!.seq < stored[1]!.seq, 'seq increases with every entry');

      // Refused runs (a stale head; a workflow id another open run holds) write none of their
      // entries; the accepted run of the same batch writes its own, and the batch's land too.
      const taken = makeRunKey({ workflowId: fresh.workflowId });
      const other = makeRunKey();
      const mixed = await store.commit(
        [
          { run, expectedSeq: 1, events: eventsFor(run, 2, 1), audit: [auditEntry(3)] },
          { run: taken, expectedSeq: 0, events: [startedEvent()], audit: [auditEntry(4)] },
          {
            run: other,
            expectedSeq: 0,
            events: [startedEvent()],
            audit: [auditEntry(5), auditEntry(6, { outcome: 'error', code: 'not_found' })],
          },
        ],
        [auditEntry(7)],
      );
      assertConflict(failedOutcome(mixed[0], 'a stale commit'), 1, 2);
      assertAlreadyStarted(
        failedOutcome(mixed[1], 'a start of a taken workflow id'),
        fresh.workflowId,
        fresh.runId,
      );
      assert.deepStrictEqual(mixed[2], { ok: true, headSeq: 1 });
      assert.deepStrictEqual(await subjects(store), ['k1', 'k2', 'k5', 'k6', 'k7']);

      // A lone refused start writes nothing at all.
      const again = await store.commit([
        {
          run: makeRunKey({ workflowId: fresh.workflowId }),
          expectedSeq: 0,
          events: [startedEvent()],
          audit: [auditEntry(8)],
        },
      ]);
      failedOutcome(again[0], 'a second start of a taken workflow id');
      assert.deepStrictEqual(await subjects(store), ['k1', 'k2', 'k5', 'k6', 'k7']);
      const since = await store.readAudit({ since: T0 + 5, limit: 100 });
      assert.deepStrictEqual(
        since.map((e) => [e.subject, e.outcome, e.code]),
        [
          ['k5', 'ok', null],
          ['k6', 'error', 'not_found'],
          ['k7', 'ok', null],
        ],
      );
    },
  },
  {
    name: "audit: an invalid entry in a run commit's audit throws and writes nothing of the call",
    tags: ['security', 'commit', 'validation'],
    async run({ store }) {
      const good = makeRunKey();
      const bad = makeRunKey();
      await rejectsWithCode(
        store.commit(
          [
            { run: good, expectedSeq: 0, events: [startedEvent()], audit: [auditEntry(1)] },
            {
              run: bad,
              expectedSeq: 0,
              events: [startedEvent()],
              audit: [auditEntry(2, { count: 0 })],
            },
          ],
          [auditEntry(3)],
        ),
        'invalid_argument',
      );
      await assertHead(store, good, 0);
      await assertHead(store, bad, 0);
      assert.deepStrictEqual(await subjects(store), []);
    },
  },
];
