/**
 * `GET {ns}/task-queues`: queues from the store's task counts, merged with the workers
 * serving them — a remote worker connected over loopback, and the server's own activities.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection, type TaskQueueInfo } from '../../src/client/index.js';
import { workersListing, type TaskQueueListing } from '../../src/core/index.js';
import { Worker } from '../../src/worker/index.js';
import { capture } from '../support/cli-io.js';
import { waitFor } from '../support/wait.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.shutdown();
  await t?.stop();
  t = undefined;
});

const quiet = (): void => undefined;

describe('task queues and their workers', () => {
  it('lists a connected remote worker with its types, the server’s own worker and task counts', async () => {
    t = await startTestServer({ auth: true, roles: ['reader', 'operator', 'worker'] });
    const client = new Client({
      connection: await Connection.connect({ address: t.url, apiKey: t.tokens.operator! }),
    });
    const reader = new Client({
      connection: await Connection.connect({ address: t.url, apiKey: t.tokens.reader! }),
    });
    const queue = (queues: readonly TaskQueueInfo[], name: string): TaskQueueInfo | undefined =>
      queues.find((q) => q.name === name);

    // A remote worker on `payments` whose echo holds until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const worker = await Worker.create({
      connection: { address: t.url, apiKey: t.tokens.worker! },
      taskQueue: 'payments',
      identity: 'payments-worker-1',
      maxConcurrentActivities: 3,
      activities: {
        echo: async (text: string) => {
          await held;
          return text;
        },
        refund: () => 'ok',
      },
      logger: quiet,
    });
    workers.push(worker);
    void worker.run();
    await waitFor(async () => queue(await reader.listTaskQueues(), 'payments') !== undefined, {
      what: 'the remote worker to show',
    });
    const listed = queue(await reader.listTaskQueues(), 'payments')!;
    expect(listed).toMatchObject({ name: 'payments', backlog: 0, running: 0, scheduled: 0 });
    expect(listed.workers).toEqual([
      {
        id: expect.any(String) as unknown,
        identity: 'payments-worker-1',
        connectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        activityTypes: ['echo', 'refund'],
        maxConcurrent: 3,
        inFlight: 0,
        draining: false,
        embedded: false,
      },
    ]);
    // The server's own activities serve its task queue.
    const own = queue(await reader.listTaskQueues(), 'default')!;
    expect(own.workers).toEqual([
      expect.objectContaining({ identity: t.engine.identity, embedded: true, maxConcurrent: 200 }),
    ]);
    expect(own.workers[0]!.activityTypes).toContain('echo');

    // One attempt running on the remote worker, one waiting on a queue nobody serves.
    const paying = await client.workflow.start('greet', { taskQueue: 'payments', args: ['a'] });
    await client.workflow.start('greet', { taskQueue: 'nobody', args: ['b'] });
    await waitFor(
      async () => {
        const qs = await reader.listTaskQueues();
        return (
          queue(qs, 'payments')?.running === 1 &&
          queue(qs, 'payments')?.workers[0]?.inFlight === 1 &&
          queue(qs, 'nobody')?.backlog === 1
        );
      },
      { what: 'one running attempt on payments and one waiting on nobody' },
    );
    expect(queue(await reader.listTaskQueues(), 'nobody')).toEqual({
      name: 'nobody',
      backlog: 1,
      running: 0,
      scheduled: 0,
      workers: [],
    });

    release();
    expect(await paying.result()).toBe('hi a');
    await waitFor(async () => queue(await reader.listTaskQueues(), 'payments')?.running === 0, {
      what: 'the attempt to finish',
    });

    // Over HTTP: the reader role suffices; no key is refused.
    const res = await call(t.url, 'GET', '/api/v1/namespaces/default/task-queues', {
      token: t.tokens.reader!,
    });
    expect(res.status).toBe(200);
    expect(res.body.namespace).toBe('default');
    expect((await call(t.url, 'GET', '/api/v1/namespaces/default/task-queues')).status).toBe(401);
    expect(
      (
        await call(t.url, 'GET', '/api/v1/namespaces/nowhere/task-queues', {
          token: t.tokens.reader!,
        })
      ).body.code,
    ).toBe('not_found');

    // `/workers` is the same listing in its older shape: remote workers only, ms times.
    const alias = await call(t.url, 'GET', '/api/v1/namespaces/default/workers', {
      token: t.tokens.reader!,
    });
    expect(alias.status).toBe(200);
    const canonical = (res.body as unknown as TaskQueueListing).taskQueues;
    expect(alias.body).toEqual(workersListing({ namespace: 'default', taskQueues: canonical }));
    const payments = canonical.find((q) => q.name === 'payments')!;
    expect(alias.body.workers).toEqual([
      {
        id: payments.workers[0]!.id,
        identity: 'payments-worker-1',
        namespace: 'default',
        taskQueue: 'payments',
        activityTypes: ['echo', 'refund'],
        maxConcurrent: 3,
        inFlight: 0,
        draining: false,
        connectedAt: Date.parse(payments.workers[0]!.connectedAt),
      },
    ]);
    expect(alias.body.taskQueues).toContainEqual({
      name: 'payments',
      backlog: 0,
      running: 0,
      scheduled: 0,
      inFlight: 0,
    });

    // The CLI: a table of queues, then one of workers; JSON with --json.
    const { main } = await import('../../src/cli/main.js');
    const flags = ['--address', t.url, '--api-key', t.tokens.reader!];
    const human = capture();
    expect(await main(['task-queue', 'list', ...flags], human)).toBe(0);
    expect(human.out).toMatch(/^TASK QUEUE\s+WORKERS\s+BACKLOG\s+RUNNING\s+SCHEDULED/);
    expect(human.out).toMatch(/^nobody\s+0\s+1\s+0\s+0$/m);
    expect(human.out).toMatch(
      /^payments-worker-1\s+payments\s+0\/3\s+ready\s+\S+ \S+\s+echo,refund$/m,
    );
    expect(human.out).toMatch(
      new RegExp(`^${t.engine.identity} \\(server\\)\\s+default\\s+0/200`, 'm'),
    );
    const json = capture();
    expect(await main(['--json', 'task-queue', 'list', ...flags], json)).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      namespace: 'default',
      taskQueues: expect.arrayContaining([
        expect.objectContaining({ name: 'payments' }),
      ]) as unknown,
    });
    // `aion workers` reads the same listing and prints the `/workers` shape.
    const workersJson = capture();
    expect(await main(['--json', 'workers', ...flags], workersJson)).toBe(0);
    expect(JSON.parse(workersJson.out)).toEqual(alias.body);
    const workersHuman = capture();
    expect(await main(['workers', ...flags], workersHuman)).toBe(0);
    expect(workersHuman.out).toMatch(/^TASK QUEUE\s+WORKERS\s+IN FLIGHT\s+BACKLOG/);
    expect(workersHuman.out).toMatch(/^payments\s+1\s+0\s+0\s+0\s+0$/m);
    expect(workersHuman.out).not.toContain('(server)');

    // A worker that leaves is no longer listed.
    await worker.shutdown();
    await waitFor(
      async () => (queue(await reader.listTaskQueues(), 'payments')?.workers.length ?? 0) === 0,
      { what: 'the remote worker to leave' },
    );
  });
});
