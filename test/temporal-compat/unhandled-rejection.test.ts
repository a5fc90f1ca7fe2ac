// A promise rejection that workflow code leaves unhandled at the end of an activation fails
// the workflow task (WorkflowTaskFailed, retried), as in @temporalio/worker — it neither goes
// unnoticed nor takes down the workflow thread and the other runs on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/unhandled-rejection.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
});

afterAll(() => engine.shutdown());

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await check();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('unhandled promise rejections in workflow code', () => {
  it('fail the workflow task with the rejection as the cause', async () => {
    const h = await engine.start('leavesRejection', { workflowId: 'unhandled-rejection' });
    const failed = await until('a failed workflow task', async () =>
      (await h.fetchHistory()).events.find((e) => e.type === 'WorkflowTaskFailed'),
    );
    expect(failed).toMatchObject({
      cause: 'unhandled',
      failure: {
        type: 'UnhandledRejectionError',
        message: 'Unhandled Promise rejection: Error: unhandled rejection',
        cause: { message: 'unhandled rejection', cause: { message: 'root failure' } },
      },
    });
    const events = (await h.fetchHistory()).events;
    // The failed activation's commands (its timer) were not recorded.
    expect(events.some((e) => e.type === 'TimerStarted')).toBe(false);
    expect((await h.describe()).status).toBe('RUNNING');
    await h.terminate('done');
  });

  it('a rejection handled before the activation ends is no failure; other runs carry on', async () => {
    const h = await engine.start('handlesLater', { workflowId: 'handled-later' });
    expect(await h.result()).toBe('caught handled later');
    const events = (await h.fetchHistory()).events;
    expect(events.some((e) => e.type === 'WorkflowTaskFailed')).toBe(false);
  });

  it('an unread cancelRequested promise is no unhandled rejection when the scope is cancelled', async () => {
    const h = await engine.start('ignoresCancelRequested', { workflowId: 'unread-cancel' });
    await until('the sleep', async () =>
      (await h.fetchHistory()).events.some((e) => e.type === 'TimerStarted') ? true : undefined,
    );
    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    expect((await h.describe()).status).toBe('CANCELLED');
  });
});
