// getRandomStream and workflowRandom, as in @temporalio/workflow: named streams are isolated
// from Math.random() and from each other, keep their state across activations, route
// Math.random()/uuid4() inside `with`, and replay the same values.
import { describe, expect, it } from 'vitest';
import { SeededIds } from '../../src/clock/index.js';
import { createEngine, createMemoryStore } from '../../src/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { getRandomStream } from '../../src/workflow/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/random-streams.ts', import.meta.url).pathname;

interface Draws {
  main1: number;
  main2: number;
  pluginValue: number;
  scoped: [number, string];
  back: number;
  bytes: number[];
  after: number;
}

/** One run of `streams` on a fresh engine whose ids (and so the run's random seed) repeat. */
async function run(drawPlugin: boolean) {
  const engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    ids: new SeededIds(42),
  });
  try {
    const h = await engine.start('streams', { workflowId: 'rs', args: [drawPlugin] });
    const draws = (await h.result()) as Draws;
    return { draws, history: await h.fetchHistory() };
  } finally {
    await engine.shutdown();
  }
}

describe('named random streams', () => {
  it('leave the default stream as it would be without them, and keep their own state', async () => {
    const quietRun = await run(false);
    const busyRun = await run(true);
    const [a, b] = [quietRun.draws, busyRun.draws];
    // Drawing from 'plugin' did not move Math.random(), before or after the `with` scopes.
    expect(b.main1).toBe(a.main1);
    expect(b.main2).toBe(a.main2);
    expect(b.after).toBe(a.after);
    expect(b.bytes).toEqual(a.bytes);
    // …and the plugin stream kept its position across the activation: one draw further on.
    expect(b.pluginValue).not.toBe(a.pluginValue);
    // Inside plugin.with, Math.random() and uuid4() draw from the plugin stream (which is at
    // another position in each run)…
    expect(b.scoped[0]).not.toBe(a.scoped[0]);
    expect(b.scoped[1]).not.toBe(a.scoped[1]);
    expect(a.scoped[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    // …and workflowRandom.with inside it returns to the default stream (the same in both).
    expect(b.back).toBe(a.back);
    expect(a.bytes.every((x) => Number.isInteger(x) && x >= 0 && x < 256)).toBe(true);
  });

  it('replays the same values', async () => {
    const { history } = await run(true);
    await expect(replayHistory(history, workflowsPath)).resolves.toBeTruthy();
  });

  it('throws outside workflow code', () => {
    expect(() => getRandomStream('x')).toThrow(/only be used inside workflow code/);
  });
});
