import { describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore } from '../../src/index.js';
import { replayHistory } from '../../src/testing/index.js';
import type { HistoryExport } from '../../src/client/types.js';

const v = (n: number): string =>
  new URL(`../fixtures/workflows/patch/v${n}.ts`, import.meta.url).pathname;
const activities = { a: async () => 'a', b: async () => 'b' };

async function record(version: number): Promise<HistoryExport> {
  const engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath: v(version),
    activities,
  });
  try {
    const h = await engine.start('flow');
    await h.result();
    return await h.fetchHistory();
  } finally {
    await engine.shutdown();
  }
}

describe('patched / deprecatePatch', () => {
  it('old histories keep the old branch, new runs take the new one; deprecation keeps both replayable', async () => {
    const h1 = await record(1);
    const h2 = await record(2);
    const h3 = await record(3);
    expect(h2.events.some((e) => e.type === 'MarkerRecorded' && e.patchId === 'use-b')).toBe(true);
    // v2 code replays the pre-patch history (old branch) and its own (new branch).
    await expect(replayHistory(h1, v(2))).resolves.toBeDefined();
    await expect(replayHistory(h2, v(2))).resolves.toBeDefined();
    // v3 (patch deprecated) replays v2 and v3 histories, but not the pre-patch one.
    await expect(replayHistory(h2, v(3))).resolves.toBeDefined();
    await expect(replayHistory(h3, v(3))).resolves.toBeDefined();
    await expect(replayHistory(h1, v(3))).rejects.toMatchObject({ code: 'nondeterminism' });
    // v1 code cannot replay a patched history.
    await expect(replayHistory(h2, v(1))).rejects.toMatchObject({ code: 'nondeterminism' });
  });
});
