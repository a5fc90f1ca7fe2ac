// startUpdate (returns once the update is accepted) and update-with-start (starts the workflow
// when needed, then updates it; idempotent by update id), on the engine and over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isAionError,
  WithStartWorkflowOperation,
  type WorkflowClient,
  type WorkflowHandle,
} from '../../src/index.js';
import { openEngine, openServer, STORES, type OpenServer } from './client-setup.js';

async function startUpdateScenario(workflow: WorkflowClient, id: string): Promise<void> {
  const handle = await workflow.start('cart', { workflowId: id });
  const u = await handle.startUpdate<string>('slowAdd', {
    args: ['tea'],
    updateId: `${id}-u1`,
    waitForStage: 'ACCEPTED',
  });
  expect(u.updateId).toBe(`${id}-u1`);
  expect(u.workflowId).toBe(id);
  expect(u.workflowRunId).toBe(handle.runId);
  // Accepted, not completed: the handler waits for `release`.
  const { events } = await handle.fetchHistory();
  expect(events.some((e) => e.type === 'UpdateAccepted' && e.updateId === `${id}-u1`)).toBe(true);
  expect(events.some((e) => e.type === 'UpdateCompleted')).toBe(false);
  await handle.signal('release');
  expect(await u.result()).toBe('added tea');
  // A handle made by id later gets the same outcome.
  expect(await handle.getUpdateHandle<string>(`${id}-u1`).result()).toBe('added tea');
  const unknown = await handle
    .getUpdateHandle('nope')
    .result()
    .catch((e: unknown) => e);
  expect(isAionError(unknown) && unknown.code).toBe('not_found');
  // A rejected update records nothing and fails the call.
  const rejected = await handle
    .startUpdate('addItem', { args: [''], waitForStage: 'ACCEPTED' })
    .catch((e: unknown) => e);
  expect(isAionError(rejected)).toBe(true);
  await handle.signal('checkout');
  expect(await handle.result()).toEqual(['tea']);
}

async function withStartScenario(workflow: WorkflowClient, id: string): Promise<void> {
  const op = (): WithStartWorkflowOperation<string[]> =>
    WithStartWorkflowOperation.create<string[]>('cart', {
      workflowId: id,
      args: [['bread']],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  // No run yet: started, then updated.
  const first = op();
  const n = await workflow.executeUpdateWithStart<number>('addItem', {
    args: ['milk'],
    updateId: `${id}-a`,
    startWorkflowOperation: first,
  });
  expect(n).toBe(2);
  const handle: WorkflowHandle = await first.workflowHandle();
  expect(handle.workflowId).toBe(id);
  // A retried call with the same update id: same run, the recorded outcome, applied once.
  const again = op();
  expect(
    await workflow.executeUpdateWithStart<number>('addItem', {
      args: ['milk'],
      updateId: `${id}-a`,
      startWorkflowOperation: again,
    }),
  ).toBe(2);
  expect((await again.workflowHandle()).runId).toBe(handle.runId);
  // The run is open: USE_EXISTING updates it.
  const accepted = await workflow.startUpdateWithStart<number>('addItem', {
    args: ['eggs'],
    startWorkflowOperation: op(),
    waitForStage: 'ACCEPTED',
  });
  expect(accepted.workflowRunId).toBe(handle.runId);
  expect(await accepted.result()).toBe(3);
  // FAIL refuses while a run is open; an operation serves one call.
  const refused = await workflow
    .executeUpdateWithStart('addItem', {
      args: ['x'],
      startWorkflowOperation: WithStartWorkflowOperation.create('cart', {
        workflowId: id,
        workflowIdConflictPolicy: 'FAIL',
      }),
    })
    .catch((e: unknown) => e);
  expect(isAionError(refused) && refused.code).toBe('workflow_already_started');
  const reused = await workflow
    .executeUpdateWithStart('addItem', { args: ['x'], startWorkflowOperation: first })
    .catch((e: unknown) => e);
  expect(isAionError(reused) && reused.code).toBe('invalid_argument');
  await handle.signal('checkout');
  expect(await handle.result()).toEqual(['bread', 'milk', 'eggs']);
}

for (const kind of STORES) {
  describe(`startUpdate and update-with-start (engine, ${kind})`, () => {
    let open: Awaited<ReturnType<typeof openEngine>>;
    beforeAll(async () => {
      open = await openEngine(kind);
    });
    afterAll(() => open.close());

    it('startUpdate returns at ACCEPTED; result() waits for the handler', () =>
      startUpdateScenario(open.engine.client.workflow, `su-${kind}`));
    it('executeUpdateWithStart starts if needed, updates, and is idempotent', () =>
      withStartScenario(open.engine.client.workflow, `uws-${kind}`));
  });
}

describe('startUpdate and update-with-start (remote client, aion server)', () => {
  let srv: OpenServer;
  beforeAll(async () => {
    srv = await openServer();
  });
  afterAll(() => srv.close());

  it('startUpdate returns at ACCEPTED; result() waits for the handler', () =>
    startUpdateScenario(srv.client.workflow, 'su-remote'));
  it('executeUpdateWithStart starts if needed, updates, and is idempotent', () =>
    withStartScenario(srv.client.workflow, 'uws-remote'));
});
