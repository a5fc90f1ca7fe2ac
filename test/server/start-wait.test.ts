// A start that waits for its run's outcome (`waitMs` on POST …/workflows), and the remote
// client's `execute`, which uses it: one request when the run closes within the wait.
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  Connection,
  WorkflowFailedError,
  type WorkflowClientInterceptor,
} from '../../src/client/index.js';
import { ApplicationFailure } from '../../src/core/index.js';
import { call, startTestServer, type TestServer } from './helpers.js';

const ns = '/api/v1/namespaces/default';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** A client whose HTTP requests are counted. */
async function countingClient(
  server: TestServer,
  interceptors: readonly WorkflowClientInterceptor[] = [],
): Promise<{ client: Client; requests: string[] }> {
  const connection = await Connection.connect({ address: server.url });
  const requests: string[] = [];
  const request = connection.request.bind(connection);
  connection.request = (method, path, options) => {
    requests.push(`${method} ${path.replace(/^.*\/workflows/, '/workflows')}`);
    return request(method, path, options);
  };
  return { client: new Client({ connection, interceptors }), requests };
}

describe('a start that waits for the outcome', () => {
  it('answers the run’s result, "still running" when the wait runs out, or the failure', async () => {
    t = await startTestServer();
    const plain = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'greet', args: ['ada'] },
    });
    expect(plain.status).toBe(201);
    expect(Object.keys(plain.body).sort()).toEqual(['runId', 'workflowId']);

    const done = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'greet', args: ['bob'], workflowId: 'g-1', waitMs: 30_000 },
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ workflowId: 'g-1', status: 'COMPLETED', result: 'hi bob' });
    expect(typeof done.body.runId).toBe('string');

    // The run outlives the wait: the start still answers (and the run goes on).
    const running = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'counter', args: [1], workflowId: 'c-1', waitMs: 0 },
    });
    expect(running.status).toBe(201);
    expect(running.body).toMatchObject({ workflowId: 'c-1', status: 'RUNNING' });
    await call(t.url, 'POST', `${ns}/workflows/c-1/signal`, { body: { name: 'finish' } });
    const result = await call(t.url, 'GET', `${ns}/workflows/c-1/result?waitMs=30000`);
    expect(result.body).toEqual({ status: 'COMPLETED', result: 1 });

    // A run that fails: the start succeeded, so the failure is in the answer's body.
    const failed = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'failing', args: ['no stock'], waitMs: 30_000 },
    });
    expect(failed.status).toBe(201);
    expect(failed.body.status).toBe('FAILED');
    const error = failed.body.error as { code: string; details: { failure: { message: string } } };
    expect(error.code).toBe('workflow_failed');
    expect(error.details.failure.message).toBe('no stock');
  });

  it('refuses a wait out of range, naming the field', async () => {
    t = await startTestServer();
    for (const waitMs of [-1, 60_001, 1.5, '10']) {
      const res = await call(t.url, 'POST', `${ns}/workflows`, {
        body: { workflowType: 'greet', args: ['x'], waitMs },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_argument');
      expect(String(res.body.message)).toContain('waitMs');
    }
    expect((await call(t.url, 'GET', `${ns}/workflows-count`)).body.count).toBe(0);
  });
});

describe('the remote client’s execute', () => {
  it('takes one request when the run closes within the wait; a failure comes back typed', async () => {
    t = await startTestServer();
    const { client, requests } = await countingClient(t);
    expect(await client.workflow.execute('greet', { args: ['ada'] })).toBe('hi ada');
    expect(requests).toEqual(['POST /workflows']);

    const err = await client.workflow.execute('failing', { args: ['no stock'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).message).toBe('no stock');
    expect(requests).toHaveLength(2);
  });

  it('waits with the result long-poll when the start did not carry the outcome', async () => {
    t = await startTestServer();
    const { client: other } = await countingClient(t);
    // An interceptor that answers the start itself (as a start routed elsewhere would).
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => (started = resolve));
    const { client, requests } = await countingClient(t, [
      {
        start: async (input) => {
          const h = await other.workflow.start(input.workflowType, {
            ...input.options,
            workflowId: 'c-2',
          });
          started();
          return { workflowId: h.workflowId, runId: h.firstExecutionRunId! };
        },
      },
    ]);
    const result = client.workflow.execute('counter', { args: [5] });
    await isStarted;
    const h = other.workflow.getHandle('c-2');
    await h.signal('add', 2);
    await h.signal('finish');
    expect(await result).toBe(7);
    expect(requests).toEqual(['GET /workflows/c-2/result']);
  });
});
