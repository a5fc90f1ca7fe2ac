// setTimeout/clearTimeout in workflow code are durable timers (as in @temporalio/workflow):
// recorded, replayed, surviving an engine restart. AbortController/AbortSignal are the
// sandbox's own deterministic classes.
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/semantics.ts', import.meta.url).pathname;
const store = createMemoryStore();
const engines: Engine[] = [];

async function open(): Promise<Engine> {
  const e = await createEngine({ store, workflowsPath, logger: quiet });
  engines.push(e);
  return e;
}

afterAll(async () => {
  for (const e of engines) await e.shutdown();
  await store.close();
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('durable setTimeout and clearTimeout', () => {
  it('records timers, calls back only live ones, and keeps them across an engine restart', async () => {
    const first = await open();
    const h = await first.start('timeouts', { workflowId: 'timeouts', args: [1500] });
    await until('the timers to be recorded', async () =>
      (await h.fetchHistory()).events.some((e) => e.type === 'TimerStarted'),
    );
    await first.shutdown();
    const second = await open();
    const after = second.getHandle('timeouts');
    expect(await after.result()).toEqual(['fired with args', 'slept']);
    const events = (await after.fetchHistory()).events;
    const started = events.filter((e) => e.type === 'TimerStarted');
    const cancelled = events.filter((e) => e.type === 'TimerCancelled');
    // The live timer and the sleep. The cleared one and the one in a cancelled scope were
    // started and cancelled in the same activation: nothing is recorded for them.
    expect(started.length).toBe(2);
    expect(cancelled.length).toBe(0);
    const replayed = await replayHistory(await after.fetchHistory(), workflowsPath);
    expect(replayed.activations).toBeGreaterThan(1);
  });

  it('an error thrown by a timer callback fails the run like one escaping the workflow', async () => {
    const e = engines.at(-1)!;
    const h = await e.start('timeoutCallbackFails', { workflowId: 'callback-fails' });
    await expect(h.result()).rejects.toThrow();
    const failed = (await h.fetchHistory()).events.find((x) => x.type === 'WorkflowFailed');
    expect(failed).toMatchObject({
      failure: { message: 'thrown by a timer callback', type: 'TimerCallback' },
    });
  });

  it('AbortController and AbortSignal behave as in Node, driven by durable timers', async () => {
    const e = engines.at(-1)!;
    const h = await e.start('aborts', { workflowId: 'aborts' });
    expect(await h.result()).toEqual({
      seen: ['listener', 'onabort'],
      aborted: true,
      reason: 'stop',
      thrown: 'stop',
      preName: 'AbortError',
      anyReason: 'stop',
      timedName: 'TimeoutError',
      tag: '[object AbortSignal]',
      frozen: true,
    });
    const replayed = await replayHistory(await h.fetchHistory(), workflowsPath);
    expect(replayed.activations).toBeGreaterThan(1);
  });
});
