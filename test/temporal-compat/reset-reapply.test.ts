// Reset re-applies the signals the old run received after the reset point (Temporal's default
// resetReapplyType SIGNAL); NONE (or resetReapplyExcludeTypes SIGNAL) leaves them out, and
// updates are never re-applied. On the engine and through aion server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAionError, type WorkflowHandle } from '../../src/index.js';
import { eventually, openEngine, openServer, STORES, type OpenServer } from './client-setup.js';

type ResetOptions = {
  resetReapplyType?: 'SIGNAL' | 'NONE';
  resetReapplyExcludeTypes?: readonly 'SIGNAL'[];
};
type Reset = (id: string, options: ResetOptions) => Promise<WorkflowHandle>;
type Start = (id: string) => Promise<WorkflowHandle>;

/** A run that got 1 and 2 by signal and 3 by update after its first workflow task. */
async function fedRun(start: Start, id: string): Promise<WorkflowHandle> {
  const handle = await start(id);
  await handle.signal('add', 1);
  await handle.signal('add', 2);
  expect(await handle.executeUpdate('addByUpdate', { args: [3] })).toBe(3);
  return handle;
}

async function collectedOf(handle: WorkflowHandle, expected: number): Promise<number[]> {
  return eventually('the collected values', async () => {
    const values = await handle.query<number[]>('collected');
    return values.length >= expected ? values : undefined;
  });
}

async function scenario(start: Start, reset: Reset, id: string): Promise<void> {
  // Default: the signals come back (in order), the update does not.
  await fedRun(start, `${id}-default`);
  const again = await reset(`${id}-default`, {});
  expect(await collectedOf(again, 2)).toEqual([1, 2]);
  const history = (await again.fetchHistory()).events;
  expect(history.filter((e) => e.type === 'SignalReceived')).toHaveLength(2);
  expect(history.some((e) => e.type === 'UpdateAccepted')).toBe(false);
  await again.signal('done');
  expect(await again.result()).toEqual([1, 2]);

  // NONE, and Temporal's exclude list: nothing comes back.
  for (const [suffix, options] of [
    ['none', { resetReapplyType: 'NONE' }],
    ['exclude', { resetReapplyExcludeTypes: ['SIGNAL'] }],
  ] as const) {
    await fedRun(start, `${id}-${suffix}`);
    const bare = await reset(`${id}-${suffix}`, options);
    expect(await bare.query('collected')).toEqual([]);
    await bare.signal('add', 9);
    await bare.signal('done');
    expect(await bare.result()).toEqual([9]);
  }

  const bad = await reset(`${id}-default`, { resetReapplyType: 'SOMETIMES' as 'NONE' }).catch(
    (e: unknown) => e,
  );
  expect(isAionError(bad) && bad.code).toBe('invalid_argument');
}

for (const kind of STORES) {
  describe(`reset re-applies signals (engine, ${kind})`, () => {
    let open: Awaited<ReturnType<typeof openEngine>>;
    beforeAll(async () => {
      open = await openEngine(kind);
    });
    afterAll(() => open.close());

    it('re-applies signals after the reset point by default, not with NONE', () =>
      scenario(
        (id) => open.engine.start('collector', { workflowId: id }),
        (id, options) => open.engine.reset(id, { to: 'firstWorkflowTask', ...options }),
        `reapply-${kind}`,
      ));
  });
}

describe('reset re-applies signals (remote client, aion server)', () => {
  let srv: OpenServer;
  beforeAll(async () => {
    srv = await openServer();
  });
  afterAll(() => srv.close());

  it('re-applies signals after the reset point by default, not with NONE', () =>
    scenario(
      (id) => srv.client.workflow.start('collector', { workflowId: id }),
      (id, options) =>
        srv.client.workflow.getHandle(id).reset({ to: 'firstWorkflowTask', ...options }),
      'reapply-remote',
    ));
});
