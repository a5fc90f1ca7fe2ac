import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/lifecycle.ts', import.meta.url).pathname;

const runs: number[] = [];
let healed = false;
const activities = {
  block: async () => '',
  cleanup: async (label: string) => label,
  flaky: async (step: number) => {
    runs.push(step);
    if (step === 3 && !healed) throw new Error('step 3 is broken');
    return step * 10;
  },
};

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  runs.length = 0;
  healed = false;
});

describe.each(ENGINE_HARNESSES)('reset and reopen on $name', (harness) => {
  async function start(): Promise<Engine> {
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, activities, logger: quiet });
    return engine;
  }

  it('reopens a FAILED run: recorded results reused, only the failed step re-driven; the old run keeps its terminal', async () => {
    const e = await start();
    const h = await e.start('threeSteps', { workflowId: 'r1' });
    await expect(h.result()).rejects.toMatchObject({ status: 'FAILED' });
    expect(runs).toEqual([1, 2, 3]);
    healed = true;
    const reopened = await e.reopen('r1', { reason: 'fixed step 3' });
    expect(await reopened.result()).toBe(60);
    expect(runs).toEqual([1, 2, 3, 3]); // steps 1 and 2 not run again
    expect((await e.getHandle('r1', h.runId).describe()).status).toBe('FAILED');
    const started = (await reopened.fetchHistory()).events[0] as { reopenedFromRunId?: string };
    expect(started.reopenedFromRunId).toBe(h.runId);
    await expect(e.reopen('r1')).rejects.toMatchObject({
      code: 'invalid_state',
      details: { status: 'COMPLETED' },
    });
  });

  it('resets an open run to a workflow-task boundary: the old run ends TERMINATED, later work is re-done', async () => {
    const e = await start();
    healed = true;
    const h = await e.start('stepsThenWait', { workflowId: 'r2' });
    await e.whenIdle();
    for (let i = 0; i < 200 && runs.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const events = (await h.fetchHistory()).events;
    const firstTask = events.find((x) => x.type === 'WorkflowTaskCompleted')!.seq;
    await expect(e.reset('r2', { to: events[1]!.seq + 100 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect((await h.fetchHistory()).events).toHaveLength(events.length); // nothing recorded
    const fresh = await e.reset('r2', { to: 'firstWorkflowTask', reason: 'redo' });
    expect(firstTask).toBeGreaterThan(0);
    const old = await e.getHandle('r2', h.runId).fetchHistory();
    expect(old.events[old.events.length - 1]).toMatchObject({ type: 'WorkflowTerminated' });
    await fresh.signal('proceed');
    expect(await fresh.result()).toBe(60);
    expect(runs.filter((s) => s === 2)).toHaveLength(2); // step 2 came after the reset point
    expect(runs.filter((s) => s === 1)).toHaveLength(2); // step 1 was in flight at the first task
    const started = (await fresh.fetchHistory()).events[0] as { resetFromRunId?: string };
    expect(started.resetFromRunId).toBe(h.runId);
  });
});
