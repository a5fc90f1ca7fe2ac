// Cancellation-scope rules of @temporalio/workflow: operations started in a cancelled scope,
// cancel() on a non-cancellable scope, signal/cancel requests bound to their scope, child
// handle signals, patches outside a workflow, and sandbox violations that workflow code
// cannot catch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { deprecatePatch, IllegalStateError, patched } from '../../src/workflow/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/semantics.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    activities: { slow: async (tag: string) => tag },
  });
}, 120_000);

afterAll(() => engine.shutdown());

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('cancellation scopes', () => {
  it('an activity, timer, child, signal or cancel started in a cancelled scope rejects with a bare CancelledFailure', async () => {
    const h = await engine.start('startedInCancelledScope', { workflowId: 'in-cancelled' });
    const bare = { outcome: 'CancelledFailure' };
    expect(await h.result()).toEqual({
      activity: bare,
      timer: bare,
      child: bare,
      signal: bare,
      cancel: bare,
    });
    const types = (await h.fetchHistory()).events.map((e) => e.type);
    for (const recorded of [
      'ActivityScheduled',
      'TimerStarted',
      'ChildWorkflowInitiated',
      'ExternalSignalInitiated',
      'ExternalCancelInitiated',
    ])
      expect(types).not.toContain(recorded);
  });

  it('cancel() on a non-cancellable scope is a no-op', async () => {
    expect(await engine.execute('nonCancellableCancel', { workflowId: 'non-cancellable' })).toBe(
      'slept',
    );
  });

  it('a signal or cancel request withdrawn by its scope before it is sent rejects and is not recorded', async () => {
    const target = await engine.start('inbox', { workflowId: 'inbox' });
    const h = await engine.start('withdrawnRequests', {
      workflowId: 'withdrawn',
      args: ['inbox'],
    });
    expect(await h.result()).toEqual([
      { outcome: 'CancelledFailure' },
      { outcome: 'CancelledFailure' },
      { outcome: 'sent' },
    ]);
    const types = (await h.fetchHistory()).events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExternalSignalInitiated')).toHaveLength(1);
    expect(types).not.toContain('ExternalCancelInitiated');
    await target.signal('finish');
    expect(await target.result()).toEqual(['delivered']);
    const replayed = await replayHistory(await h.fetchHistory(), workflowsPath);
    expect(replayed.activations).toBeGreaterThan(1);
  });

  it('a child start cancelled before it is sent rejects as a cancelled child and is not recorded', async () => {
    const h = await engine.start('withdrawnChildStart', { workflowId: 'withdrawn-start' });
    expect(await h.result()).toEqual([
      { outcome: 'ChildWorkflowFailure', cause: 'CancelledFailure' },
      'leaf',
    ]);
    const history = await h.fetchHistory();
    const starts = history.events.filter((e) => e.type === 'ChildWorkflowInitiated');
    expect(starts.map((e) => (e as { workflowId: string }).workflowId)).toEqual(['started-child']);
    expect((await replayHistory(history, workflowsPath)).activations).toBeGreaterThan(1);
  });

  it('ChildWorkflowHandle.signal sends a signal to the child', async () => {
    expect(await engine.execute('signalsChild', { workflowId: 'signals-child' })).toBe('hello');
  });
});

describe('patches outside a workflow', () => {
  it('patched() and deprecatePatch() throw IllegalStateError outside workflow code', () => {
    expect(() => patched('x')).toThrow(IllegalStateError);
    expect(() => deprecatePatch('x')).toThrow(/only be used in workflow code/);
  });

  it('patched() in module-level code (before the workflow starts) throws and records nothing', async () => {
    const h = await engine.start('moduleLevelPatchResult', { workflowId: 'module-patch' });
    expect(await h.result()).toBe('IllegalStateError');
    expect((await h.fetchHistory()).events.map((e) => e.type)).not.toContain('MarkerRecorded');
  });

  it('patched() inside the workflow records its marker', async () => {
    const h = await engine.start('patchedInside', { workflowId: 'patched-inside' });
    expect(await h.result()).toBe(true);
    expect((await h.fetchHistory()).events.map((e) => e.type)).toContain('MarkerRecorded');
  });
});

describe('sandbox violations', () => {
  it('fail the activation as a task crash even when workflow code catches the error', async () => {
    const h = await engine.start('swallowsViolation', { workflowId: 'swallows' });
    await until('the task failure', async () =>
      (await h.fetchHistory()).events.some((e) => e.type === 'WorkflowTaskFailed'),
    );
    const events = (await h.fetchHistory()).events;
    expect(events.find((e) => e.type === 'WorkflowTaskFailed')).toMatchObject({
      cause: 'sandbox',
      failure: { type: 'WorkflowSandboxViolation' },
    });
    expect(events.some((e) => e.type === 'WorkflowCompleted')).toBe(false);
    expect((await h.describe()).status).toBe('RUNNING');
    await h.terminate('done');
  });
});
