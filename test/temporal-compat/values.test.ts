// Workflow code written for @temporalio/workflow that uses its value exports and helpers
// (Trigger, rootCause, ParentClosePolicy, RetryState, inWorkflowContext) and the helpers of
// @temporalio/common's deep paths (encode, decode, errorMessage, errorCode) runs unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicationFailure,
  createEngine,
  createMemoryStore,
  type Engine,
} from '../../src/index.js';
import { inWorkflowContext, rootCause } from '../../src/workflow/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/values.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    activities: {
      fail: async (message: string) => {
        throw ApplicationFailure.retryable(message, 'DiskError');
      },
    },
  });
});

afterAll(() => engine.shutdown());

describe('Temporal workflow values and helpers', () => {
  it('Trigger: resolved from a signal handler', async () => {
    const h = await engine.start('triggered', { workflowId: 'values-trigger' });
    await h.signal('approve', 'ops');
    expect(await h.result()).toBe('approved by ops');
  });

  it('Trigger: rejects when its cancellation scope is cancelled', async () => {
    expect(await engine.execute('cancelledTrigger', { workflowId: 'values-cancel' })).toBe(
      'cancelled',
    );
  });

  it('rootCause and RetryState of an activity that failed for good', async () => {
    expect(await engine.execute('causes', { workflowId: 'values-causes' })).toEqual({
      root: 'disk full',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      same: true,
    });
  });

  it('ParentClosePolicy as a value (either naming) and inWorkflowContext inside a workflow', async () => {
    expect(await engine.execute('parentWithPolicy', { workflowId: 'values-parent' })).toEqual({
      child: 'leaf done',
      inside: true,
    });
  });

  it('allHandlersFinished: the workflow waits for a running signal handler before it returns', async () => {
    const h = await engine.start('waitsForHandlers', { workflowId: 'values-handlers' });
    await h.signal('work');
    expect(await h.result()).toBe(1);
  });

  it('setDefaultUpdateHandler answers updates that have no handler of their own', async () => {
    const h = await engine.start('defaultUpdates', { workflowId: 'values-default-update' });
    expect(await h.executeUpdate('anything', { args: [1, 2] })).toBe('anything:1,2');
    await h.signal('finish');
    await h.result();
  });

  it('Uint8Array arguments and results stay bytes; encode, decode, errorMessage, errorCode', async () => {
    const args = ['Hello', new TextEncoder().encode('wörld')];
    const result = await engine.execute('bytes', { workflowId: 'values-bytes', args });
    expect(result).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(result as Uint8Array)).toBe(
      'Hello, wörld gone ENOENT text undefined',
    );
  });

  it('inWorkflowContext is false and rootCause reads plain errors outside a workflow', () => {
    expect(inWorkflowContext()).toBe(false);
    expect(rootCause(new Error('plain'))).toBe('plain');
    expect(rootCause(42)).toBeUndefined();
  });
});
