// ActivityCancellationType as in @temporalio/workflow: TRY_CANCEL rejects at once and asks the
// activity to stop, WAIT_CANCELLATION_COMPLETED waits for the activity's recorded outcome,
// ABANDON rejects at once and lets the activity run on. Every history replays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledFailure, createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { Context } from '../../src/activity/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { ActivityCancellationType } from '../../src/workflow/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/semantics.ts', import.meta.url).pathname;

interface Running {
  aborted: () => boolean;
  release: (value: string) => void;
}
const running = new Map<string, Running>();
type WorkflowHandle = Awaited<ReturnType<Engine['start']>>;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    activities: {
      // Runs until released; unless its tag says "ignore", it stops when cancelled.
      slow: (tag: string) => {
        const signal = Context.current().cancellationSignal;
        return new Promise<string>((resolve, reject) => {
          running.set(tag, { aborted: () => signal.aborted, release: resolve });
          if (!tag.includes('ignore'))
            signal.addEventListener('abort', () => reject(new CancelledFailure('stopped')));
        });
      },
    },
  });
}, 120_000);

afterAll(() => engine.shutdown());

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function eventTypes(h: WorkflowHandle): Promise<string[]> {
  return (await h.fetchHistory()).events.map((e) => e.type);
}

async function startAndCancel(
  tag: string,
  type: string,
  local = false,
  hold = false,
): Promise<WorkflowHandle> {
  const h = await engine.start('cancelActivity', {
    workflowId: tag,
    args: [type, tag, local, hold],
  });
  await until(`${tag} to run`, () => running.has(tag));
  await h.signal('cancel');
  return h;
}

async function expectReplays(h: WorkflowHandle): Promise<void> {
  const replayed = await replayHistory(await h.fetchHistory(), workflowsPath);
  expect(replayed.activations).toBeGreaterThan(1);
}

describe('activity cancellation types', () => {
  it('exports the values with the same names and string values as Temporal', () => {
    expect(ActivityCancellationType).toEqual({
      TRY_CANCEL: 'TRY_CANCEL',
      WAIT_CANCELLATION_COMPLETED: 'WAIT_CANCELLATION_COMPLETED',
      ABANDON: 'ABANDON',
    });
  });

  it('TRY_CANCEL (the default): rejects at once with ActivityFailure(CancelledFailure) and asks the activity to stop', async () => {
    const h = await startAndCancel('try-cancel', 'TRY_CANCEL');
    expect(await h.result()).toEqual({ outcome: 'ActivityFailure', cause: 'CancelledFailure' });
    await until('the attempt to be aborted', () => running.get('try-cancel')!.aborted());
    expect(await eventTypes(h)).toContain('ActivityCancelRequested');
    await expectReplays(h);
  });

  it('WAIT_CANCELLATION_COMPLETED: settles only once the activity reported its cancellation', async () => {
    const h = await startAndCancel('wait-cancel', 'WAIT_CANCELLATION_COMPLETED');
    expect(await h.result()).toEqual({ outcome: 'ActivityFailure', cause: 'CancelledFailure' });
    const types = await eventTypes(h);
    const requested = types.indexOf('ActivityCancelRequested');
    const cancelled = types.indexOf('ActivityCancelled');
    expect(requested).toBeGreaterThan(0);
    expect(cancelled).toBeGreaterThan(requested);
    expect(types.indexOf('WorkflowCompleted')).toBeGreaterThan(cancelled);
    await expectReplays(h);
  });

  it('WAIT_CANCELLATION_COMPLETED: an activity that finishes anyway resolves the call', async () => {
    const h = await startAndCancel('wait-ignore', 'WAIT_CANCELLATION_COMPLETED');
    await until('the cancel request', async () =>
      (await eventTypes(h)).includes('ActivityCancelRequested'),
    );
    expect((await h.describe()).status).toBe('RUNNING');
    running.get('wait-ignore')!.release('finished anyway');
    expect(await h.result()).toEqual({ outcome: 'completed', value: 'finished anyway' });
    await expectReplays(h);
  });

  it('ABANDON: rejects at once, does not ask the activity to stop, ignores its later outcome', async () => {
    const h = await startAndCancel('abandon', 'ABANDON', false, true);
    await until('the activity to finish', async () => {
      // The run is open (it waits for "finish"); the activity was never told to stop.
      expect(running.get('abandon')!.aborted()).toBe(false);
      running.get('abandon')!.release('late');
      return (await eventTypes(h)).includes('ActivityCompleted');
    });
    await h.signal('finish');
    expect(await h.result()).toEqual({ outcome: 'ActivityFailure', cause: 'CancelledFailure' });
    expect(await eventTypes(h)).not.toContain('ActivityCancelRequested');
    await expectReplays(h);
  });

  it('applies to local activities too', async () => {
    const h = await startAndCancel('local-wait', 'WAIT_CANCELLATION_COMPLETED', true);
    expect(await h.result()).toEqual({ outcome: 'ActivityFailure', cause: 'CancelledFailure' });
    const types = await eventTypes(h);
    expect(types.indexOf('ActivityCancelled')).toBeGreaterThan(
      types.indexOf('ActivityCancelRequested'),
    );
    await expectReplays(h);
  });

  it('refuses an unknown cancellation type where the options are written', async () => {
    const h = await engine.start('cancelActivity', {
      workflowId: 'bad-type',
      args: ['SOMETIMES', 'bad-type'],
    });
    await until('the task failure', async () =>
      (await eventTypes(h)).includes('WorkflowTaskFailed'),
    );
    const failed = (await h.fetchHistory()).events.find((e) => e.type === 'WorkflowTaskFailed');
    expect(JSON.stringify(failed)).toContain('cancellationType must be one of');
    await h.terminate('done');
  });
});
