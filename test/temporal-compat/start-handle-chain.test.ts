// The handle a start returns follows the run's continue-as-new chain for signals, queries and
// updates (Temporal's handle from start: firstExecutionRunId), and result() follows it too; a
// new, unrelated workflow with the same id is not addressed by the old chain's handle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAionError, type WorkflowHandle } from '../../src/index.js';
import { eventually, openEngine, openServer, STORES, type OpenServer } from './client-setup.js';

type Api = {
  start: (type: string, o: object) => Promise<WorkflowHandle<string[]>>;
  getHandle: (id: string) => WorkflowHandle;
};

async function chainScenario(api: Api, id: string): Promise<void> {
  const handle = await api.start('cart', { workflowId: id, args: [['a']] });
  expect(handle.firstExecutionRunId).toBe(handle.runId);
  const first = handle.runId!;
  await handle.signal('rollover');
  // The successor run exists once the current run's id changes.
  const second = await eventually('the successor run', async () => {
    const now = await api
      .getHandle(id)
      .query<string>('runId')
      .catch(() => undefined);
    return now !== undefined && now !== first ? now : undefined;
  });
  // Query and update through the start's handle reach the successor.
  expect(await handle.query<string>('runId')).toBe(second);
  expect(await handle.query<string[]>('items')).toEqual(['a']);
  expect(await handle.executeUpdate<number>('addItem', { args: ['b'] })).toBe(2);
  await handle.signal('checkout');
  expect(await handle.result()).toEqual(['a', 'b']);
  // describe() shows the latest run of the chain; the handle still names the first.
  expect((await handle.describe()).runId).toBe(second);
  expect(handle.runId).toBe(first);
}

async function unrelatedChain(api: Api, id: string): Promise<void> {
  const old = await api.start('cart', { workflowId: id });
  await old.signal('checkout');
  await old.result();
  const fresh = await api.start('cart', { workflowId: id });
  const err = await old.signal('checkout').catch((e: unknown) => e);
  expect(isAionError(err) && err.code).toBe('not_found');
  await fresh.signal('checkout');
  expect(await fresh.result()).toEqual([]);
}

for (const kind of STORES) {
  describe(`start handle follows the chain (engine, ${kind})`, () => {
    let open: Awaited<ReturnType<typeof openEngine>>;
    beforeAll(async () => {
      open = await openEngine(kind);
    });
    afterAll(() => open.close());
    const api = (): Api => ({
      start: (t, o) => open.engine.client.workflow.start(t, o) as Promise<WorkflowHandle<string[]>>,
      getHandle: (id) => open.engine.getHandle(id),
    });

    it('signals, queries and updates reach the continue-as-new successor', () =>
      chainScenario(api(), `chain-${kind}`));
    it('does not address a new workflow that reused the id', () =>
      unrelatedChain(api(), `unrelated-${kind}`));
  });
}

describe('start handle follows the chain (remote client, aion server)', () => {
  let srv: OpenServer;
  beforeAll(async () => {
    srv = await openServer();
  });
  afterAll(() => srv.close());
  const api = (): Api => ({
    start: (t, o) => srv.client.workflow.start(t, o) as Promise<WorkflowHandle<string[]>>,
    getHandle: (id) => srv.client.workflow.getHandle(id),
  });

  it('signals, queries and updates reach the continue-as-new successor', () =>
    chainScenario(api(), 'chain-remote'));
  it('does not address a new workflow that reused the id', () =>
    unrelatedChain(api(), 'unrelated-remote'));
});
