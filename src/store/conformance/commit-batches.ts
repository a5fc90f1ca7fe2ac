import assert from 'node:assert/strict';
import type { RunCommit } from '../contract/index.js';
import { assertConflict, assertHead, failedOutcome, rejectsWithCode } from './check.js';
import { assertNoRows, outboxIds, startCommit } from './commit.js';
import {
  eventsFor,
  makeRunKey,
  outboxRow,
  signalEvent,
  startedEvent,
  startRun,
  T0,
  timerRow,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

export const commitBatchScenarios: StoreScenario[] = [
  {
    name: 'commit: a side-effect-only commit (no events) is seq-checked',
    tags: ['commit'],
    async run({ store }) {
      const { run } = await startRun(store, { extra: 1 });
      const ok = await store.commit([
        { run, expectedSeq: 2, events: [], timers: { upsert: [timerRow(run, 'a', T0)] } },
      ]);
      assert.deepStrictEqual(ok, [{ ok: true, headSeq: 2 }]);
      assert.deepStrictEqual(
        (await store.listTimers(run)).map((t) => t.timerId),
        ['a'],
      );
      const stale = await store.commit([
        {
          run,
          expectedSeq: 1,
          events: [],
          timers: { upsert: [timerRow(run, 'b', T0)] },
          outbox: { add: [outboxRow(run, 'ob')] },
        },
      ]);
      assertConflict(failedOutcome(stale[0], 'a stale side-effect-only commit'), 1, 2);
      assert.deepStrictEqual(
        (await store.listTimers(run)).map((t) => t.timerId),
        ['a'],
      );
      assert.deepStrictEqual(await outboxIds(store), []);
      await assertHead(store, run, 2);
    },
  },
  {
    name: 'commit: invalid input anywhere in a group commit throws and writes nothing of the call',
    tags: ['commit', 'validation'],
    async run({ store }) {
      const good = makeRunKey();
      const bad = makeRunKey();
      await rejectsWithCode(
        store.commit([
          startCommit(good, 'good'),
          { run: bad, expectedSeq: 0, events: [startedEvent(), signalEvent(3, T0)] },
        ]),
        'invalid_history',
        'a group with a seq gap',
      );
      await rejectsWithCode(
        store.commit([
          startCommit(good, 'good'),
          { run: bad, expectedSeq: 0, events: [signalEvent(1, T0)] },
        ]),
        'invalid_history',
        'a group with a run not starting with WorkflowStarted',
      );
      await rejectsWithCode(
        store.commit([
          startCommit(good, 'good'),
          { run: bad, expectedSeq: 0, events: [], timers: { upsert: [timerRow(bad, 'x', T0)] } },
        ]),
        'invalid_history',
        'a group with an empty-event commit to an unknown run',
      );
      for (const run of [good, bad]) {
        await assertHead(store, run, 0, 'after the refused groups');
        assert.equal(await store.getRun(run), undefined);
      }
      await assertNoRows(store, good, 'good', 'after the refused groups');
      assert.deepStrictEqual(await store.listTimers(bad), []);
      assert.equal(await store.nextTimerAt(), undefined);
    },
  },
  {
    name: 'commit: an over-limit run in a group commit is history_too_large and writes nothing of the call',
    tags: ['commit', 'limits'],
    limits: { maxHistoryLength: 4 },
    async run({ store }) {
      const good = makeRunKey();
      const big = makeRunKey();
      await rejectsWithCode(
        store.commit([
          startCommit(good, 'good'),
          { run: big, expectedSeq: 0, events: eventsFor(big, 1, 5) },
        ]),
        'history_too_large',
        'a group with a 5-event run over a limit of 4',
      );
      await assertHead(store, good, 0);
      await assertHead(store, big, 0);
      await assertNoRows(store, good, 'good', 'after the refused group');
      const ok = await store.commit([
        startCommit(good, 'good'),
        { run: big, expectedSeq: 0, events: eventsFor(big, 1, 4) },
      ]);
      assert.deepStrictEqual(ok, [
        { ok: true, headSeq: 2 },
        { ok: true, headSeq: 4 },
      ]);
    },
  },
  {
    name: 'commit: outcomes come back in input order for a large group',
    tags: ['commit'],
    async run({ store }) {
      const existing = await Promise.all(Array.from({ length: 10 }, () => startRun(store)));
      const commits: RunCommit[] = [];
      const expected: number[] = [];
      for (let i = 0; i < 20; i++) {
        if (i % 2 === 0) {
          const run = makeRunKey();
          const n = 1 + (i % 5);
          commits.push({ run, expectedSeq: 0, events: eventsFor(run, 1, n) });
          expected.push(n);
        } else {
          const { run } = existing[(i - 1) / 2]!;
          const n = 1 + (i % 3);
          commits.push({ run, expectedSeq: 1, events: eventsFor(run, 2, n) });
          expected.push(1 + n);
        }
      }
      const outcomes = await store.commit(commits);
      assert.deepStrictEqual(
        outcomes,
        expected.map((headSeq) => ({ ok: true, headSeq })),
      );
      for (const [i, c] of commits.entries()) assert.equal(await store.headSeq(c.run), expected[i]);
    },
  },
];
