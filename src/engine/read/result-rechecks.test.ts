import { describe, expect, it } from 'vitest';
import type { RunKey } from '../../core/index.js';
import { ResultRechecks } from './result-rechecks.js';

/** A delay seam whose waits end when the test says so. */
function manualDelay() {
  const waits: { ms: number; end: () => void }[] = [];
  return {
    waits,
    delay: (ms: number) => new Promise<void>((end) => waits.push({ ms, end })),
    /** Ends the oldest pending wait and lets what follows it run. */
    async next(): Promise<number> {
      const w = waits.shift();
      if (!w) throw new Error('no pending wait');
      w.end();
      await new Promise((r) => setImmediate(r)); // every microtask that follows has run
      return w.ms;
    },
  };
}

const run = (i: number): RunKey => ({ namespace: 'default', workflowId: `w${i}`, runId: `r${i}` });

function setup(remote: (r: RunKey) => boolean = () => false) {
  const d = manualDelay();
  const looked: string[] = [];
  let stopped = false;
  const rechecks = new ResultRechecks({
    delay: d.delay,
    stopped: () => stopped,
    isElsewhere: remote,
    lookUp: async (r) => {
      looked.push(r.runId);
    },
  });
  return { d, looked, rechecks, stop: () => (stopped = true) };
}

describe('result re-checks', () => {
  it('serves a burst of waited runs with one timer, backing off from 10 s to 120 s', async () => {
    const { d, looked, rechecks } = setup();
    for (let i = 0; i < 1000; i++) rechecks.watch(`k${i}`, run(i));
    rechecks.watch('k0', run(0)); // already watched: nothing new
    expect(d.waits.map((w) => w.ms)).toEqual([10_000]);
    expect(await d.next()).toBe(10_000);
    expect(looked).toHaveLength(1000);
    const intervals = [];
    for (let i = 0; i < 5; i++) intervals.push(await d.next());
    expect(intervals).toEqual([20_000, 40_000, 80_000, 120_000, 120_000]);
    expect(looked).toHaveLength(6000);
  });

  it('looks only at runs still waited on and stops its timer once none is left', async () => {
    const { d, looked, rechecks } = setup();
    rechecks.watch('a', run(1));
    rechecks.watch('b', run(2));
    rechecks.unwatch('a');
    await d.next();
    expect(looked).toEqual(['r2']);
    rechecks.unwatch('b');
    expect(rechecks.watched).toBe(0);
    await d.next();
    expect(d.waits).toHaveLength(0); // the cohort's loop ended
    expect(looked).toEqual(['r2']);
  });

  it('starts a new cohort for runs waited on after the first wait of the current one ended', async () => {
    const { d, looked, rechecks } = setup();
    rechecks.watch('a', run(1));
    await d.next(); // cohort 1 looked once, now waits 20 s
    rechecks.watch('b', run(2)); // joins a new cohort: first look after 10 s, not 20 s
    expect(d.waits.map((w) => w.ms).sort()).toEqual([10_000, 20_000]);
    expect(looked).toEqual(['r1']);
  });

  it('looks at runs another node drives every 50 ms, backing off to 1 s', async () => {
    const { d, looked, rechecks } = setup(() => true);
    rechecks.watch('a', run(1));
    const intervals = [];
    for (let i = 0; i < 7; i++) intervals.push(await d.next());
    expect(intervals).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(looked).toHaveLength(7);
  });

  it('looks no more once the engine is stopping', async () => {
    const { d, looked, rechecks, stop } = setup();
    rechecks.watch('a', run(1));
    stop();
    await d.next();
    expect(looked).toEqual([]);
    expect(d.waits).toHaveLength(0);
  });
});
