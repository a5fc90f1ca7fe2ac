// Signals and updates that arrive before a run's first activation (here: while `startDelay`
// holds its first task) are delivered in it, as Temporal delivers them in the first workflow
// task: handlers set at the top of the workflow function see them. Updates with no handler
// wait for `setHandler` until the activation ends, then are rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createMemoryStore,
  isAionError,
  VirtualClock,
  WithStartWorkflowOperation,
  type Engine,
  type WorkflowHandle,
} from '../../src/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/first-activation.ts', import.meta.url).pathname;

let engine: Engine;
let clock: VirtualClock;

beforeAll(async () => {
  clock = new VirtualClock();
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet, clock });
});

afterAll(() => engine.shutdown());

/** Moves the clock from timer to timer until the run ends; its result. */
async function finish(h: WorkflowHandle): Promise<unknown> {
  let done = false;
  const result = h.result().finally(() => (done = true));
  result.catch(() => undefined);
  const deadline = Date.now() + 30_000;
  while (!done && Date.now() < deadline) {
    await engine.whenIdle();
    if (!clock.runToNext()) await new Promise((r) => setTimeout(r, 10));
  }
  return result;
}

async function failureOf(p: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAionError(err)) throw new Error(`expected an Aion error, got ${String(err)}`);
  const failure = (err.details as { failure?: { message?: string } } | undefined)?.failure;
  return { code: err.code, message: failure?.message ?? err.message };
}

describe('messages sent before the first activation', () => {
  it('signals reach the handler set at the top of the workflow, in order', async () => {
    const h = await engine.start('collectSignals', {
      workflowId: 'early-signals',
      startDelay: '1s',
    });
    for (const item of ['a', 'b', 'c']) await h.signal('add', item);
    expect(await finish(h)).toEqual(['a', 'b', 'c']);
    await replayHistory(await h.fetchHistory(), workflowsPath);
  });

  it('updates are dispatched as their handlers are set; unhandled and invalid ones are rejected', async () => {
    const h = await engine.start('answerUpdates', {
      workflowId: 'early-updates',
      startDelay: '1s',
    });
    const send = (name: string, arg: string, updateId: string) =>
      h.startUpdate<string>(name, { args: [arg], updateId, waitForStage: 'ACCEPTED' });
    const sent = [
      await send('first', 'x', 'u1'),
      await send('second', 'y', 'u2'),
      await send('nope', 'z', 'u3'),
      await send('first', '', 'u4'),
    ];
    // Accepted before the run's code ran: nothing could validate them yet.
    const { events: before } = await h.fetchHistory();
    expect(before.filter((e) => e.type === 'UpdateAccepted' && e.unvalidated)).toHaveLength(4);
    expect(await finish(h)).toBe('done');
    expect(await sent[0]!.result()).toBe('first x');
    expect(await sent[1]!.result()).toBe('second y');
    expect(await failureOf(sent[2]!.result())).toEqual({
      code: 'update_failed',
      message: 'No registered handler for update: nope',
    });
    expect(await failureOf(sent[3]!.result())).toEqual({ code: 'update_failed', message: 'empty' });
    // Dispatched in the order the handlers were set; the rejections end the activation.
    const { events } = await h.fetchHistory();
    const completed = events.flatMap((e) => (e.type === 'UpdateCompleted' ? [e.updateId] : []));
    expect(completed).toEqual(['u4', 'u2', 'u1', 'u3']);
    await replayHistory(await h.fetchHistory(), workflowsPath);
  });

  it('an update whose handler is set in a later activation is rejected', async () => {
    const h = await engine.start('lateHandler', { workflowId: 'late-handler', startDelay: '1s' });
    const early = h.executeUpdate('late', { args: ['a'] });
    early.catch(() => undefined);
    clock.runToNext(); // releases the first task
    expect(await failureOf(early)).toEqual({
      code: 'update_failed',
      message: 'No registered handler for update: late',
    });
    // Once the handler exists, updates are validated and answered as usual.
    await engine.whenIdle();
    clock.runToNext();
    await engine.whenIdle();
    expect(await h.executeUpdate('late', { args: ['b'] })).toBe('late b');
    expect(await finish(h)).toBe('done');
    await replayHistory(await h.fetchHistory(), workflowsPath);
  });

  it('update-with-start records the update with the start: the first activation handles it', async () => {
    const op = WithStartWorkflowOperation.create<string>('answerUpdates', {
      workflowId: 'update-with-start-first',
      workflowIdConflictPolicy: 'FAIL',
    });
    const answer = await engine.client.workflow.executeUpdateWithStart<string>('second', {
      args: ['y'],
      updateId: 'uws',
      startWorkflowOperation: op,
    });
    // The workflow returns in its first activation: the update could not have come later.
    expect(answer).toBe('second y');
    const h = await op.workflowHandle();
    expect(await h.result()).toBe('done');
    const { events } = await h.fetchHistory();
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['WorkflowStarted', 'UpdateAccepted']);
    await replayHistory(await h.fetchHistory(), workflowsPath);
  });
});
