import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { HistoryEvent, RunKey } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { assertConflict, assertHead, rejectsWithConflict } from './check.js';
import { eventsFor, jsonPayload, makeRunKey, signalEvent, startedEvent, T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

/** A rich first batch: a start carrying every optional field, then one event of many kinds. */
function richHistory(run: RunKey): HistoryEvent[] {
  const started = startedEvent({
    at: T0,
    workflowType: 'Shipping',
    taskQueue: 'q-ship',
    version: 'sha256:abc',
    args: [
      jsonPayload({ a: 1 }),
      { encoding: 'binary/null', data: '' },
      { encoding: 'json/plain', data: '"x"', metadata: { k: 'v' } },
    ],
    searchAttributes: {
      Customer: { type: 'Keyword', value: 'acme' },
      Tags: { type: 'KeywordList', value: ['a', 'b'] },
    },
    memo: { note: jsonPayload('hello') },
    parent: {
      namespace: run.namespace,
      workflowId: 'parent-wf',
      runId: randomUUID(),
      initiatedSeq: 7,
    },
    continuedFromRunId: randomUUID(),
  });
  return [started, ...eventsFor(run, 2, 30)];
}

/** Appends `n` contenders' batches (lengths 1..n) concurrently at seq 0; asserts exactly one wins. */
async function raceAtZero(stores: readonly Store[], n: number): Promise<void> {
  const run = makeRunKey();
  const batches = Array.from({ length: n }, (_, i) => [
    startedEvent({ at: T0 + i, workflowType: `Contender${i}` }),
    ...Array.from({ length: i }, (_, j) => signalEvent(j + 2, T0 + i, `s${i}`)),
  ]);
  const results = await Promise.allSettled(
    batches.map((batch, i) => stores[i % stores.length]!.append(run, batch, 0)),
  );
  const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  assert.equal(
    winners.length,
    1,
    `exactly one of ${n} concurrent appends at seq 0 must win, got ${winners.length}`,
  );
  const winner = winners[0]!;
  const winnerBatch = batches[winner]!;
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') assertConflict(r.reason, 0, winnerBatch.length);
    else assert.equal(i, winner);
  }
  for (const store of stores) assert.deepStrictEqual(await store.readHistory(run), winnerBatch);
  assert.equal((await stores[0]!.getRun(run))?.workflowType, `Contender${winner}`);
}

export const historyScenarios: StoreScenario[] = [
  {
    name: 'history: a history round-trips with every field preserved',
    tags: ['history'],
    async run({ store }) {
      const run = makeRunKey();
      const events = richHistory(run);
      await store.append(run, events.slice(0, 10), 0);
      await store.append(run, events.slice(10), 10);
      assert.deepStrictEqual(await store.readHistory(run), events);
      assert.equal(await store.headSeq(run), events.length);
    },
  },
  {
    name: 'history: ranged reads return exactly the requested window',
    tags: ['history'],
    async run({ store }) {
      const run = makeRunKey();
      const events = eventsFor(run, 1, 20);
      await store.append(run, events, 0);
      const seqs = async (range: Parameters<Store['readHistory']>[1]): Promise<number[]> =>
        (await store.readHistory(run, range)).map((e) => e.seq);
      const span = (from: number, to: number): number[] =>
        Array.from({ length: to - from + 1 }, (_, i) => from + i);
      assert.deepStrictEqual(
        await store.readHistory(run, { fromSeq: 5, toSeq: 9 }),
        events.slice(4, 9),
      );
      assert.deepStrictEqual(await seqs({}), span(1, 20));
      assert.deepStrictEqual(await seqs({ fromSeq: 1 }), span(1, 20));
      assert.deepStrictEqual(await seqs({ fromSeq: 20 }), [20], 'from the head');
      assert.deepStrictEqual(await seqs({ fromSeq: 21 }), [], 'from beyond the head');
      assert.deepStrictEqual(await seqs({ fromSeq: 1000 }), [], 'far beyond the head');
      assert.deepStrictEqual(await seqs({ toSeq: 3 }), span(1, 3));
      assert.deepStrictEqual(
        await seqs({ fromSeq: 18, toSeq: 50 }),
        span(18, 20),
        'toSeq past the head',
      );
      assert.deepStrictEqual(await seqs({ fromSeq: 10, limit: 4 }), span(10, 13));
      assert.deepStrictEqual(await seqs({ fromSeq: 5, toSeq: 9, limit: 2 }), [5, 6]);
      assert.deepStrictEqual(await seqs({ limit: 1 }), [1]);
      assert.deepStrictEqual(await seqs({ fromSeq: 10, toSeq: 5 }), [], 'fromSeq > toSeq');
      assert.deepStrictEqual(await seqs({ fromSeq: 7, toSeq: 7 }), [7]);
    },
  },
  {
    name: 'history: an unknown run reads as empty with head 0',
    tags: ['history'],
    async run({ store }) {
      const known = makeRunKey();
      await store.append(known, eventsFor(known, 1, 3), 0);
      const unknownRuns = [
        makeRunKey(),
        { ...known, runId: randomUUID() },
        { ...known, namespace: 'other' },
      ];
      for (const run of unknownRuns) {
        assert.deepStrictEqual(await store.readHistory(run), []);
        assert.deepStrictEqual(await store.readHistory(run, { fromSeq: 2, toSeq: 3 }), []);
        assert.deepStrictEqual(await store.readHistory(run, { fromSeq: 50 }), []);
        assert.equal(await store.headSeq(run), 0);
        assert.equal(await store.getRun(run), undefined);
      }
    },
  },
  {
    name: 'history: a stale expected seq is a SequenceConflict and writes nothing (SCENARIOS #2)',
    tags: ['history', 'concurrency'],
    async run({ store }) {
      const run = makeRunKey();
      const first = [startedEvent()];
      await store.append(run, first, 0);
      await rejectsWithConflict(
        store.append(run, [startedEvent({ workflowType: 'Other' })], 0),
        0,
        1,
      );
      assert.deepStrictEqual(await store.readHistory(run), first);

      const more = eventsFor(run, 2, 2);
      await store.append(run, more, 1);
      const history = [...first, ...more];
      await rejectsWithConflict(store.append(run, [signalEvent(2, T0)], 1), 1, 3);
      await rejectsWithConflict(store.append(run, [signalEvent(6, T0)], 5), 5, 3);
      assert.deepStrictEqual(await store.readHistory(run), history);
      assert.equal(await store.headSeq(run), 3);
      assert.equal((await store.getRun(run))?.headSeq, 3);
    },
  },
  {
    name: 'history: concurrent appends at seq 0 on one store — exactly one wins (SCENARIOS #1)',
    tags: ['history', 'concurrency'],
    async run({ store }) {
      await raceAtZero([store], 2);
      await raceAtZero([store], 10);
    },
  },
  {
    name: 'history: concurrent appends at seq 0 from two connections — exactly one wins',
    tags: ['history', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      await raceAtZero([store, other], 2);
      await raceAtZero([store, other], 10);
    },
  },
  {
    name: 'history: concurrent appends at the same non-zero head from two connections — exactly one wins',
    tags: ['history', 'concurrency'],
    needs: ['second'],
    async run({ store, second }) {
      const other = await second();
      const run = makeRunKey();
      const head = eventsFor(run, 1, 5);
      await store.append(run, head, 0);
      const a = [signalEvent(6, T0, 'a'), signalEvent(7, T0, 'a')];
      const b = [signalEvent(6, T0, 'b')];
      const [ra, rb] = await Promise.allSettled([store.append(run, a, 5), other.append(run, b, 5)]);
      const wins = [ra, rb].filter((r) => r.status === 'fulfilled').length;
      assert.equal(wins, 1, 'exactly one append at head 5 must win');
      const winner = ra.status === 'fulfilled' ? a : b;
      const loser = ra.status === 'fulfilled' ? rb : ra;
      assert.equal(loser.status, 'rejected');
      assertConflict(loser.reason, 5, 5 + winner.length);
      assert.deepStrictEqual(await other.readHistory(run), [...head, ...winner]);
      assert.deepStrictEqual(await store.readHistory(run), [...head, ...winner]);
    },
  },
  {
    name: 'history: a large history (10,000 events) round-trips and reads a middle range',
    tags: ['history', 'slow'],
    async run({ store }) {
      const run = makeRunKey();
      const events = eventsFor(run, 1, 10_000);
      await store.append(run, events, 0);
      assert.equal(await store.headSeq(run), 10_000);
      assert.deepStrictEqual(await store.readHistory(run), events);
      assert.deepStrictEqual(
        await store.readHistory(run, { fromSeq: 5000, toSeq: 5099 }),
        events.slice(4999, 5099),
      );
      assert.deepStrictEqual(
        await store.readHistory(run, { fromSeq: 7321, limit: 3 }),
        events.slice(7320, 7323),
      );
      assert.deepStrictEqual(await store.readHistory(run, { fromSeq: 10_000 }), events.slice(9999));
      const tail = eventsFor(run, 10_001, 5);
      await store.append(run, tail, 10_000);
      assert.deepStrictEqual(await store.readHistory(run, { fromSeq: 9_999 }), [
        ...events.slice(9998),
        ...tail,
      ]);
      assert.equal((await store.getRun(run))?.headSeq, 10_005);
    },
  },
  {
    name: 'history: many small appends build one contiguous history',
    tags: ['history'],
    async run({ store }) {
      const run = makeRunKey();
      const events = eventsFor(run, 1, 200);
      for (let i = 0; i < events.length; i += 7) await store.append(run, events.slice(i, i + 7), i);
      assert.deepStrictEqual(await store.readHistory(run), events);
      await assertHead(store, run, 200);
    },
  },
];
