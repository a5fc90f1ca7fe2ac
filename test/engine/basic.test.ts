import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { isAionError } from '../../src/core/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';

const workflowsPath = new URL('../fixtures/workflows/engine.ts', import.meta.url).pathname;

const attempts = new Map<string, number>();
const activities = {
  greet: async (name: string) => `Hello, ${name}`,
  flaky: async (key: string, failTimes: number) => {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (n <= failTimes) throw new Error(`flaky failure ${n}`);
    return { attempts: n };
  },
  alwaysFails: async (message: string) => {
    throw new Error(message);
  },
  slow: async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    return 'slow';
  },
};

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  attempts.clear();
});

describe.each(ENGINE_HARNESSES)('engine on $name', (harness) => {
  async function start(): Promise<Engine> {
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, activities });
    return engine;
  }

  it('runs a workflow with sequential activities and records one start, one terminal', async () => {
    const e = await start();
    const handle = await e.start('greeting', { workflowId: 'g1', args: ['Ada'] });
    expect(await handle.result()).toBe('Hello, Ada / Hello, Ada!');
    const history = await handle.fetchHistory();
    const types = history.events.map((ev) => ev.type);
    expect(types.filter((t) => t === 'WorkflowStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'WorkflowCompleted')).toHaveLength(1);
    expect(types).toEqual([
      'WorkflowStarted',
      'ActivityScheduled',
      'WorkflowTaskCompleted',
      'ActivityCompleted',
      'ActivityScheduled',
      'WorkflowTaskCompleted',
      'ActivityCompleted',
      'WorkflowCompleted',
    ]);
    expect((await handle.describe()).status).toBe('COMPLETED');
  });

  it('retries an activity and records one scheduled and one completed event with the attempt', async () => {
    const e = await start();
    const handle = await e.start('retrying', { workflowId: 'r1' });
    expect(await handle.result()).toEqual({ attempts: 3 });
    const events = (await handle.fetchHistory()).events;
    expect(events.filter((ev) => ev.type === 'ActivityScheduled')).toHaveLength(1);
    const completed = events.filter((ev) => ev.type === 'ActivityCompleted');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ attempt: 3 });
  });

  it('delivers the final activity failure with the last message and attempt count', async () => {
    const e = await start();
    const handle = await e.start('failing', { workflowId: 'f1' });
    const err = await handle.result().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isAionError(err) && err.code).toBe('workflow_failed');
    const cause = (err as Error & { cause: Error & { attempt: number; cause: Error } }).cause;
    expect(cause.name).toBe('ActivityFailure');
    expect(cause.attempt).toBe(3);
    expect(cause.cause.message).toBe('boom');
  });

  it('records signals before delivery, answers queries (closed runs from their history), and refuses signals to closed runs', async () => {
    const e = await start();
    const handle = await e.start('signalled', { workflowId: 's1' });
    await handle.signal('unblock', 'a');
    expect(await handle.query('progress')).toEqual(['a']);
    await handle.signal('unblock', 'b');
    expect(await handle.result()).toEqual(['a', 'b']);
    await expect(handle.signal('unblock', 'c')).rejects.toMatchObject({ code: 'workflow_closed' });
    expect(await handle.query('progress')).toEqual(['a', 'b']);
  });

  it('sleeps on a durable timer and sees workflow time move', async () => {
    const e = await start();
    const elapsed = await e.execute('sleeper', { args: [50] });
    expect(elapsed).toBeGreaterThanOrEqual(50);
  });

  it('fans out with Promise.all', async () => {
    const e = await start();
    expect(await e.execute('fanOut', { args: [100] })).toBe(100);
  });

  it('fails the run on an ApplicationFailure', async () => {
    const e = await start();
    await expect(e.execute('appFailure')).rejects.toMatchObject({
      code: 'workflow_failed',
      status: 'FAILED',
    });
  });

  it('rejects a second start of an open workflow id and unknown types', async () => {
    const e = await start();
    await e.start('signalled', { workflowId: 'dup' });
    await expect(e.start('signalled', { workflowId: 'dup' })).rejects.toMatchObject({
      code: 'workflow_already_started',
    });
    await expect(e.start('nope')).rejects.toMatchObject({ code: 'unknown_workflow_type' });
    await expect(e.start('greeting', { workflowId: 'x', bogus: 1 } as never)).rejects.toMatchObject(
      { code: 'invalid_argument' },
    );
  });
});
