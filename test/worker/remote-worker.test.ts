/**
 * The remote worker protocol end to end: a real engine and server on loopback, workers in
 * child processes (`node --import tsx`), no mocks. Conditions are polled with deadlines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/index.js';
import { Harness, startProxy, waitFor } from './harness.js';

let harness: Harness | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof Harness.start>[0] = {}): Promise<{
  h: Harness;
  tokens: string[];
}> {
  const { harness: h, tokens } = await Harness.start(options);
  harness = h;
  return { h, tokens };
}

function ofType<T extends HistoryEvent['type']>(
  events: readonly HistoryEvent[],
  type: T,
): Extract<HistoryEvent, { type: T }>[] {
  return events.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);
}

describe('remote workers', () => {
  it('runs a workflow activity on a remote worker end to end', async () => {
    const { h } = await start();
    h.spawnWorker('w1');
    await h.registered('w1');
    const listing = (await (await fetch(`${h.url}/api/v1/namespaces/default/workers`)).json()) as {
      workers: { identity: string; taskQueue: string; activityTypes: string[]; inFlight: number }[];
    };
    expect(listing.workers).toEqual([
      expect.objectContaining({ identity: 'w1', taskQueue: 'remote', inFlight: 0 }),
    ]);
    expect(listing.workers[0]!.activityTypes).toContain('echo');

    const handle = await h.engine.start('echoWorkflow', { workflowId: 'e1', args: ['hi'] });
    expect(await handle.result()).toBe('echo:hi');
    const { events } = await handle.fetchHistory();
    expect(ofType(events, 'ActivityCompleted')).toHaveLength(1);
    expect(h.entries().filter((e) => e.event === 'echo')).toEqual([
      expect.objectContaining({ identity: 'w1', attempt: 1 }),
    ]);
  });

  it('waits in the backlog until a worker for the type registers', async () => {
    const { h } = await start();
    const handle = await h.engine.start('echoWorkflow', { workflowId: 'b1', args: ['later'] });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.entries()).toEqual([]); // nobody runs it yet
    h.spawnWorker('late');
    expect(await handle.result()).toBe('echo:later');
  });

  it('fails a killed worker attempt as worker-lost and retries it on a second worker', async () => {
    const { h } = await start();
    const first = h.spawnWorker('first');
    await h.registered('first');
    const handle = await h.engine.start('blockWorkflow', { workflowId: 'k1', args: ['k'] });
    await waitFor(
      () => h.entries().some((e) => e.event === 'block-start' && e.identity === 'first'),
      'the first attempt to start',
    );
    first.child.kill('SIGKILL');
    h.spawnWorker('second');
    await waitFor(
      () => h.entries().some((e) => e.event === 'block-start' && e.identity === 'second'),
      'the retry on the second worker',
    );
    h.release('k');
    expect(await handle.result()).toBe('released:k:2');
    const starts = h.entries().filter((e) => e.event === 'block-start');
    expect(starts.map((e) => [e.identity, e.attempt])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    const [completed] = ofType((await handle.fetchHistory()).events, 'ActivityCompleted');
    expect(completed?.attempt).toBe(2);
  });

  it('re-reports an unacknowledged result after reconnecting, recorded exactly once', async () => {
    const { h } = await start();
    const proxy = await startProxy(Number(new URL(h.url).port));
    cleanups.push(() => proxy.close());
    h.spawnWorker('flaky-net', { address: `http://127.0.0.1:${proxy.port}` });
    await h.registered('flaky-net');
    const handle = await h.engine.start('effectWorkflow', { workflowId: 'r1', args: ['r'] });
    await waitFor(() => h.entries().some((e) => e.event === 'effect'), 'the side effect');
    const before = (await h.engine.workers()).workers.find((w) => w.identity === 'flaky-net')!.id;
    // The network drops while the activity runs: the attempt is lost on the server side
    // (retry in 60 s), and the worker's result cannot be delivered until it reconnects.
    proxy.cut();
    await waitFor(
      async () => (await h.engine.workers()).workers.every((w) => w.id !== before),
      'the server to notice the lost connection',
    );
    h.release('r');
    expect(await handle.result()).toBe('effect:r');
    const effects = h.entries().filter((e) => e.event === 'effect');
    expect(effects).toHaveLength(1);
    const { events } = await handle.fetchHistory();
    expect(ofType(events, 'ActivityCompleted')).toHaveLength(1);
    expect(ofType(events, 'ActivityCompleted')[0]!.attempt).toBe(1);
  });

  it('times out a connected worker that stops heartbeating, and aborts its signal', async () => {
    const { h } = await start();
    h.spawnWorker('silent');
    await h.registered('silent');
    const handle = await h.engine.start('silentWorkflow', { workflowId: 's1', args: ['s'] });
    await expect(handle.result()).rejects.toThrow();
    const { events } = await handle.fetchHistory();
    const [timedOut] = ofType(events, 'ActivityTimedOut');
    expect(timedOut?.timeoutType).toBe('HEARTBEAT');
    // The worker is still connected; the engine told it to stop.
    await waitFor(
      () => h.entries().some((e) => e.event === 'aborted' && e.key === 's'),
      'the worker to abort the timed-out attempt',
    );
    expect((await h.engine.workers()).workers.map((w) => w.identity)).toEqual(['silent']);
  });

  it('delivers cancellation to the activity AbortSignal in the worker', async () => {
    const { h } = await start();
    h.spawnWorker('c');
    await h.registered('c');
    const handle = await h.engine.start('blockWorkflow', { workflowId: 'c1', args: ['never'] });
    await waitFor(() => h.entries().some((e) => e.event === 'block-start'), 'the attempt to start');
    await handle.cancel('test cancels');
    const aborted = await waitFor(
      () => h.entries().find((e) => e.event === 'aborted' && e.key === 'never'),
      'the abort in the worker',
    );
    expect(aborted.reason).toBe('CancelledFailure');
    await expect(handle.result()).rejects.toThrow();
    const { events } = await handle.fetchHistory();
    expect(events.some((e) => e.type === 'ActivityCancelRequested')).toBe(true);
    expect(events.at(-1)?.type).toBe('WorkflowCancelled');
  });

  it('respects the per-queue concurrency limit', async () => {
    const { h } = await start({ taskQueues: { remote: { maxConcurrent: 2 } } });
    h.spawnWorker('wide', { maxConcurrent: 10 });
    await h.registered('wide');
    let maxSeen = 0;
    const sampler = setInterval(() => {
      void h.engine.workers().then(({ workers }) => {
        for (const w of workers) maxSeen = Math.max(maxSeen, w.inFlight);
      });
    }, 5);
    try {
      const handle = await h.engine.start('fanOutWorkflow', { workflowId: 'f1', args: [6, 200] });
      expect(await handle.result()).toBe(6);
    } finally {
      clearInterval(sampler);
    }
    const starts = h.entries().filter((e) => e.event === 'slow-start');
    expect(starts).toHaveLength(6);
    expect(Math.max(...starts.map((e) => e.running ?? 0))).toBeLessThanOrEqual(2);
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(maxSeen).toBeGreaterThanOrEqual(1);
  });

  it('refuses a key without the worker role and accepts a worker key', async () => {
    const { h, tokens } = await start({
      auth: true,
      keys: [
        { name: 'ops', role: 'operator' },
        { name: 'w', role: 'worker' },
      ],
    });
    const [operatorKey, workerKey] = tokens;
    const refused = h.spawnWorker('refused', { apiKey: operatorKey! });
    const code = await new Promise<number | null>((resolve) => refused.child.on('exit', resolve));
    expect(code).toBe(3);
    expect(h.entries().find((e) => e.event === 'fatal')).toMatchObject({
      identity: 'refused',
      code: 'permission_denied',
    });
    h.spawnWorker('allowed', { apiKey: workerKey! });
    await h.registered('allowed');
    const listing = await fetch(`${h.url}/api/v1/namespaces/default/workers`, {
      headers: { authorization: `Bearer ${workerKey!}` },
    });
    expect(listing.status).toBe(403); // listing needs read
    const ok = await fetch(`${h.url}/api/v1/namespaces/default/workers`, {
      headers: { authorization: `Bearer ${operatorKey!}` },
    });
    expect(ok.status).toBe(200);
  });
});
