// The group commit waits for commits on their way: while an activation batch is in flight a
// small batch is held (at most a bounded time) so the runs that batch answers share its
// transaction and durable sync; a batch that is large enough, or a recorder with nothing
// coming, commits at once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineMetrics, noopMetrics } from '../../src/engine/metrics.js';
import { Recorder } from '../../src/engine/recorder.js';
import type { RunCommit } from '../../src/store/index.js';
import { startedEvent, makeRunKey } from '../../src/store/conformance/fixtures.js';
import { countingStore, disposeCountingStores } from './fixtures/counting-store.js';

afterEach(async () => {
  vi.useRealTimers();
  await disposeCountingStores();
});

const start = (): RunCommit => ({ run: makeRunKey(), expectedSeq: 0, events: [startedEvent()] });
/** Lets the recorder's turn (a `setImmediate`) run. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Recorder: holding a small group commit while more is coming', () => {
  it('holds commits while a batch is in flight and takes them with its runs when it answers', async () => {
    // The hold's bound never passes here (fake timers): only the answer can end it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    const answered = recorder.expectCommits();
    const first = recorder.submit(start());
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(calls.commits).toEqual([]);
    // The batch in flight answers: its run's commit joins the held one, then the recorder looks again.
    const second = recorder.submit(start());
    answered();
    expect(await Promise.all([first, second])).toEqual([
      { ok: true, headSeq: 1 },
      { ok: true, headSeq: 1 },
    ]);
    expect(calls.commits).toEqual([{ runs: 2, audit: 0 }]);
  });

  it('commits at once when nothing is coming', async () => {
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    recorder.expectCommits()(); // answered at once
    await recorder.submit(start());
    await recorder.submit(start());
    expect(calls.commits).toEqual([
      { runs: 1, audit: 0 },
      { runs: 1, audit: 0 },
    ]);
  });

  it('holds for a bounded time only: commits go out though more is always said to be coming', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    recorder.expectCommits(); // never answered
    let answered = false;
    const done = recorder.submit(start()).then((outcome) => {
      answered = true;
      return outcome;
    });
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(calls.commits).toEqual([]); // held: the bound has not passed
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(await done).toEqual({ ok: true, headSeq: 1 });
    expect(calls.commits).toEqual([{ runs: 1, audit: 0 }]);
  });

  it('does not hold a batch large enough to pay its own sync', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    recorder.expectCommits(); // never answered
    // No timer advances: only a batch taken without holding can commit.
    const outcomes = await Promise.all(Array.from({ length: 64 }, () => recorder.submit(start())));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(calls.commits).toEqual([{ runs: 64, audit: 0 }]);
  });

  it('drains held commits before reporting idle', async () => {
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    recorder.expectCommits(); // never answered
    void recorder.submit(start());
    await recorder.drained();
    expect(recorder.idle).toBe(true);
    expect(calls.commits).toEqual([{ runs: 1, audit: 0 }]);
  });
});
