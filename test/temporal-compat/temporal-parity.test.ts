// What Temporal's own tests check of messages, error classes, id policies of
// signal-with-start, priorities, followRuns, and the time-skipping test environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompleteAsyncError, Context } from '../../src/activity/index.js';
import { errorFromBody } from '../../src/client/index.js';
import {
  createEngine,
  createMemoryStore,
  isAionError,
  WorkflowContinuedAsNewError,
  WorkflowExecutionAlreadyStartedError,
  type Engine,
} from '../../src/index.js';
import { WorkflowAlreadyStartedError } from '../../src/core/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/parity.ts', import.meta.url).pathname;

class CustomError extends Error {}

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    activities: {
      flaky: () => Promise.reject(new CustomError('bad luck')),
      echo: (s: string) => Promise.resolve(s),
    },
  });
}, 120_000);

afterAll(() => engine.shutdown());

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("Temporal's messages and names", () => {
  it('reads as in Temporal: patches, WeakRef, scope cancellation, missing external, failure type', async () => {
    expect(await engine.execute('messages', { workflowId: 'messages' })).toEqual({
      modulePatch: 'Patches cannot be used before Workflow starts',
      weakRef:
        'DeterminismViolationError: WeakRef cannot be used in Workflows because v8 GC is non-deterministic',
      registry:
        'DeterminismViolationError: FinalizationRegistry cannot be used in Workflows because v8 GC is non-deterministic',
      scope: 'Cancellation scope cancelled',
      external: 'Unable to signal external workflow because it was not found',
      activityType: 'CustomError',
      byType: 'by type',
    });
  });

  it('refuses a query handler that returns a promise with Temporal’s message', async () => {
    const h = await engine.start('mailbox', { workflowId: 'async-query' });
    const err = await h.query('asyncQuery').catch((e: unknown) => e);
    expect(String(err)).toContain('Query handlers should not return a Promise');
    await h.terminate();
  });
});

describe('one activation, several messages', () => {
  it('signal and update handlers start in arrival order before any of them continues', async () => {
    const h = await engine.start('handlerOrder', { workflowId: 'handler-order' });
    await until('the first activation', async () =>
      (await h.fetchHistory()).events.some((e) => e.type === 'WorkflowTaskCompleted'),
    );
    await h.pause('deliver together');
    await h.signal('ordered', 's1');
    const update = h.executeUpdate('orderedUpdate', { args: ['u1'], updateId: 'u1' });
    await until('the update is accepted', async () =>
      (await h.fetchHistory()).events.some((e) => e.type === 'UpdateAccepted'),
    );
    await h.signal('ordered', 's2');
    await h.resume();
    expect(await h.result()).toEqual(['s1.sync', 'u1.sync', 's2.sync', 's1.1', 'u1.1', 's2.1']);
    await update;
  });
});

describe('WorkflowExecutionAlreadyStartedError', () => {
  it('is thrown for an open run and for a closed one the reuse policy protects', async () => {
    const h = await engine.start('mailbox', { workflowId: 'dup' });
    const open = await engine.start('mailbox', { workflowId: 'dup' }).catch((e: unknown) => e);
    expect(open).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(open).toBeInstanceOf(WorkflowAlreadyStartedError);
    expect((open as Error).name).toBe('WorkflowExecutionAlreadyStartedError');
    await h.signal('poke', 'stop');
    await h.result();
    const closed = await engine
      .signalWithStart('mailbox', {
        workflowId: 'dup',
        signal: 'poke',
        signalArgs: ['x'],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      })
      .catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(isAionError(closed) && closed.code).toBe('workflow_already_started');
    expect((closed as WorkflowExecutionAlreadyStartedError).runId).toBe(h.runId);
  });

  it('is rebuilt from a server error body', () => {
    const body = {
      code: 'workflow_already_started',
      message: 'taken',
      details: { namespace: 'default', workflowId: 'w', runId: 'r' },
    };
    const err = errorFromBody(409, body);
    expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(err.message).toBe('taken');
  });
});

describe('signalWithStart id conflict policies', () => {
  it('signals the open run by default, and TERMINATE_EXISTING replaces it', async () => {
    const first = await engine.start('mailbox', { workflowId: 'sws' });
    const opts = { workflowId: 'sws', signal: 'poke', signalArgs: ['a'] };
    const same = await engine.signalWithStart('mailbox', opts);
    expect(same.runId).toBe(first.runId);
    const fresh = await engine.signalWithStart('mailbox', {
      ...opts,
      signalArgs: ['b'],
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    });
    expect(fresh.runId).not.toBe(first.runId);
    expect((await engine.getHandle('sws', first.runId).describe()).status).toBe('TERMINATED');
    await until('the signal reaches the new run', async () =>
      (await fresh.query<string[]>('pokes')).includes('b'),
    );
    expect(await fresh.query('pokes')).toEqual(['b']);
    const refused = await engine
      .signalWithStart('mailbox', { ...opts, workflowIdConflictPolicy: 'FAIL' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await fresh.terminate();
  });
});

describe('start options priority and followRuns', () => {
  it('records priority, shows it in workflowInfo and passes it to children', async () => {
    const none = await engine.execute('ownPriority', { workflowId: 'no-priority' });
    expect(none).toEqual({});
    const priority = { priorityKey: 2, fairnessKey: 'tenant-a', fairnessWeight: 1.5 };
    expect(await engine.execute('priorities', { workflowId: 'priority', priority })).toEqual([
      priority,
      { priorityKey: 4 },
      priority,
    ]);
    const bad = await engine
      .start('ownPriority', { priority: { priorityKey: 0 } })
      .catch((e: unknown) => e);
    expect(isAionError(bad) && bad.code).toBe('invalid_argument');
  });

  it('followRuns: false makes result() of a continued run throw WorkflowContinuedAsNewError', async () => {
    const h = await engine.start('continuesOnce', { workflowId: 'can', followRuns: false });
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowContinuedAsNewError);
    expect((err as WorkflowContinuedAsNewError).newExecutionRunId).not.toBe(h.runId);
    expect(await engine.getHandle('can').result()).toBe('second run');
  });
});

describe('time-skipping environment', () => {
  it('skips time while an update is awaited, and completes activities by task token', async () => {
    let token: string | undefined;
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath,
      logger: quiet,
      activities: {
        later: () => {
          token = Context.current().info.taskToken;
          throw new CompleteAsyncError();
        },
      },
    });
    try {
      const h = await env.client.workflow.start('mailbox', { workflowId: 'skips' });
      const before = env.currentTimeMs;
      expect(await h.executeUpdate('slowUpdate', { args: [86_400_000] })).toBe('slept 86400000');
      expect(env.currentTimeMs - before).toBeGreaterThanOrEqual(86_400_000);
      await h.signal('poke', 'stop');
      expect(await h.result()).toEqual(['stop']);
      const later = await env.client.workflow.start('completedLater', { workflowId: 'later' });
      await until('the activity to start', () => Promise.resolve(token !== undefined));
      await env.client.activity.complete(token!, 'done from outside');
      expect(await later.result()).toBe('done from outside');
    } finally {
      await env.teardown();
    }
  });
});
