import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';
import { REPLAY_BATCH, withQueuedReplays, type QueuedRequest } from './replay-batch.js';
import { WorkflowThreadRestartedError } from './thread-errors.js';
import type { WorkerResponse } from './worker-protocol.js';

interface Settled {
  res?: WorkerResponse;
  err?: unknown;
}

function replay(key: string, settled: Map<string, Settled>, id = 1): QueuedRequest {
  settled.set(key, {});
  return {
    request: {
      id,
      type: 'replay',
      key,
      version: 'v',
      run: { namespace: 'default', workflowId: key, runId: key },
      events: '[]',
      stacks: false,
    },
    timeoutMs: 1000,
    resolve: (res) => (settled.get(key)!.res = res),
    reject: (err) => (settled.get(key)!.err = err),
  };
}

const ids = (): (() => number) => {
  let n = 100;
  return () => n++;
};

describe('replays queued together', () => {
  it('go as one request, each answered its own outcome or error', () => {
    const settled = new Map<string, Settled>();
    const queue = new Fifo<QueuedRequest>();
    const first = replay('a', settled, 1);
    queue.push(replay('b', settled, 2));
    queue.push(replay('c', settled, 3));
    const evict: QueuedRequest = {
      request: { id: 4, type: 'evict', keys: ['x'] },
      timeoutMs: 1000,
      resolve: () => undefined,
      reject: () => undefined,
    };
    queue.push(evict);
    queue.push(replay('d', settled, 5));
    const batch = withQueuedReplays(first, queue, new Set(), ids());
    expect(batch.request).toMatchObject({ id: 100, type: 'replays' });
    expect(
      (batch.request as unknown as { items: { key: string }[] }).items.map((i) => i.key),
    ).toEqual(['a', 'b', 'c']);
    expect(queue.peek()).toBe(evict); // the order of the queue is kept
    batch.resolve({
      id: 100,
      ok: true,
      replays: [
        { replay: { ok: true, activations: 1 } },
        { error: { message: 'boom' } },
        { replay: { ok: true, activations: 2 } },
      ],
    });
    expect(settled.get('a')!.res).toEqual({
      id: 1,
      ok: true,
      replay: { ok: true, activations: 1 },
    });
    expect(settled.get('b')!.err).toMatchObject({ code: 'internal', message: 'boom' });
    expect(settled.get('c')!.res).toMatchObject({ id: 3, replay: { activations: 2 } });
    expect(settled.get('d')).toEqual({});
  });

  it('sends a replay alone when nothing follows it, and at most REPLAY_BATCH together', () => {
    const settled = new Map<string, Settled>();
    const queue = new Fifo<QueuedRequest>();
    const alone = replay('a', settled);
    expect(withQueuedReplays(alone, queue, new Set(), ids())).toBe(alone);
    for (let i = 0; i < REPLAY_BATCH + 5; i++) queue.push(replay(`r${i}`, settled));
    const batch = withQueuedReplays(replay('z', settled), queue, new Set(), ids());
    expect((batch.request as unknown as { items: unknown[] }).items).toHaveLength(REPLAY_BATCH);
    expect(queue.length).toBe(6);
  });

  it('retries each replay of a batch the thread did not survive alone', () => {
    const settled = new Map<string, Settled>();
    const queue = new Fifo<QueuedRequest>();
    const solo = new Set<string>();
    queue.push(replay('b', settled));
    const batch = withQueuedReplays(replay('a', settled), queue, solo, ids());
    batch.reject(new Error('out of memory'));
    expect(settled.get('a')!.err).toBeInstanceOf(WorkflowThreadRestartedError);
    expect(settled.get('b')!.err).toBeInstanceOf(WorkflowThreadRestartedError);
    expect([...solo].sort()).toEqual(['a', 'b']);
    // Retried: each goes alone, once.
    const again = replay('a', settled);
    queue.push(replay('b', settled));
    expect(withQueuedReplays(again, queue, solo, ids())).toBe(again);
    const b = queue.shift()!;
    queue.push(replay('c', settled));
    expect(withQueuedReplays(b, queue, solo, ids())).toBe(b);
    expect(solo.size).toBe(0);
  });
});
