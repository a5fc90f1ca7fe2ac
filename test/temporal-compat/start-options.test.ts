// Start options under Temporal's names: workflowExecutionTimeout and workflowRunTimeout are
// Aion's executionTimeout and runTimeout; workflowTaskTimeout is accepted (a valid duration).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, isAionError, type Engine } from '../../src/index.js';
import { call, startTestServer, type TestServer } from '../server/helpers.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/values.ts', import.meta.url).pathname;

let engine: Engine;
let server: TestServer;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
  server = await startTestServer();
});

afterAll(async () => {
  await engine.shutdown();
  await server.stop();
});

async function started(e: Engine, workflowId: string): Promise<Record<string, unknown>> {
  const { events } = await e.getHandle(workflowId).fetchHistory();
  return events[0] as unknown as Record<string, unknown>;
}

describe("start options under Temporal's names", () => {
  it('workflowExecutionTimeout and workflowRunTimeout set the run’s timeouts', async () => {
    await engine.start('leaf', {
      workflowId: 'aliases-1',
      workflowExecutionTimeout: '1 day',
      workflowRunTimeout: '1 hour',
      workflowTaskTimeout: '10s',
      requestEagerStart: true,
    });
    expect(await started(engine, 'aliases-1')).toMatchObject({
      executionTimeoutMs: 86_400_000,
      runTimeoutMs: 3_600_000,
    });
  });

  it('refuses a name and its alias together, and an invalid workflowTaskTimeout', async () => {
    const both = await engine
      .start('leaf', { workflowId: 'aliases-2', runTimeout: '1m', workflowRunTimeout: '2m' })
      .catch((e: unknown) => e);
    expect(isAionError(both) && both.code).toBe('invalid_argument');
    expect(String(both)).toContain('workflowRunTimeout is another name of runTimeout');
    const bad = await engine
      .start('leaf', { workflowId: 'aliases-3', workflowTaskTimeout: 'soon' })
      .catch((e: unknown) => e);
    expect(isAionError(bad) && bad.code).toBe('invalid_argument');
    expect(String(bad)).toContain('workflowTaskTimeout');
    const eager = await engine
      .start('leaf', {
        workflowId: 'aliases-4',
        requestEagerStart: 'yes' as unknown as boolean,
      })
      .catch((e: unknown) => e);
    expect(isAionError(eager) && eager.code).toBe('invalid_argument');
    expect(String(eager)).toContain('requestEagerStart must be a boolean');
  });

  it('aion server accepts them too', async () => {
    const res = await call(server.url, 'POST', '/api/v1/namespaces/default/workflows', {
      body: {
        workflowType: 'greet',
        workflowId: 'aliases-http',
        args: ['x'],
        workflowRunTimeout: 60_000,
        requestEagerStart: true,
      },
    });
    expect(res.status).toBe(201);
    expect(await started(server.engine, 'aliases-http')).toMatchObject({ runTimeoutMs: 60_000 });
  });

  it("accepts Temporal's id policy names: prefixed forms and TERMINATE_IF_RUNNING", async () => {
    const first = await engine.start('triggered', { workflowId: 'policies-1' });
    const refused = await engine
      .start('triggered', {
        workflowId: 'policies-1',
        workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_FAIL',
      })
      .catch((e: unknown) => e);
    expect(isAionError(refused) && refused.code).toBe('workflow_already_started');
    const same = await engine.start('triggered', {
      workflowId: 'policies-1',
      workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING',
    });
    expect(same.runId).toBe(first.runId);
    // The deprecated TERMINATE_IF_RUNNING: the open run is terminated, a new one starts.
    const next = await engine.start('triggered', {
      workflowId: 'policies-1',
      workflowIdReusePolicy: 'TERMINATE_IF_RUNNING',
    });
    expect(next.runId).not.toBe(first.runId);
    // (The first handle follows its own chain, which the new workflow does not belong to.)
    expect((await engine.getHandle('policies-1', first.runId).describe()).status).toBe(
      'TERMINATED',
    );
    const both = await engine
      .start('triggered', {
        workflowId: 'policies-1',
        workflowIdReusePolicy: 'TERMINATE_IF_RUNNING',
        workflowIdConflictPolicy: 'FAIL',
      })
      .catch((e: unknown) => e);
    expect(isAionError(both) && both.code).toBe('invalid_argument');
    await next.terminate();
    const rejected = await engine
      .start('triggered', {
        workflowId: 'policies-1',
        workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
      })
      .catch((e: unknown) => e);
    expect(isAionError(rejected) && rejected.code).toBe('workflow_already_started');
    const bad = await engine
      .start('triggered', { workflowId: 'policies-2', workflowIdReusePolicy: 'SOMETIMES' as never })
      .catch((e: unknown) => e);
    expect(isAionError(bad) && bad.code).toBe('invalid_argument');
  });

  it('aion server accepts the prefixed policy names', async () => {
    const body = {
      workflowType: 'greet',
      workflowId: 'policies-http',
      args: ['x'],
      workflowIdConflictPolicy: 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING',
      workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE',
    };
    const path = '/api/v1/namespaces/default/workflows';
    expect((await call(server.url, 'POST', path, { body })).status).toBe(201);
  });
});
