/**
 * A start of a given workflow id with the default id policies reads nothing before its start
 * commit, which refuses it when a run with that id is open; the policies are then applied from
 * the store (Temporal's "brand new" start). Starts whose policies or request id need the
 * id's current run read it first, as before. A start the store refused leaves no run instance
 * in the workflow thread.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { withNewRequestId } from '../../src/engine/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';

const workflowsPath = new URL('../fixtures/workflows/lifecycle.ts', import.meta.url).pathname;

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 1000 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
});

/** What the engine asks of its workflow thread: instances made (by workflow id) and evicted. */
function watchThread(): {
  made: Map<string, string[]>;
  evicted: Set<string>;
  stop(): void;
} {
  const made = new Map<string, string[]>();
  const evicted = new Set<string>();
  const proto = Worker.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const post = proto.postMessage!;
  proto.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    const m = message as {
      type?: string;
      keys?: string[];
      /** Evictions that ride on a request (made while the thread was idle). */
      evict?: string[];
      items?: { key: string; init?: { workflowId: string } }[];
    };
    for (const k of m.evict ?? []) evicted.add(k);
    if (m.type === 'evict') for (const k of m.keys ?? []) evicted.add(k);
    if (m.type === 'activate') {
      for (const item of m.items ?? []) {
        if (item.init === undefined) continue;
        const keys = made.get(item.init.workflowId) ?? [];
        made.set(item.init.workflowId, [...keys, item.key]);
      }
    }
    return post.call(this, message, ...rest);
  };
  return { made, evicted, stop: () => (proto.postMessage = post) };
}

describe.each(ENGINE_HARNESSES)('starts of a given workflow id on $name', (harness) => {
  async function start(): Promise<{ e: Engine; reads: () => number }> {
    handle = await harness.create();
    const store = handle.store;
    let reads = 0;
    const getCurrentRun = store.getCurrentRun.bind(store);
    store.getCurrentRun = (...args) => {
      reads++;
      return getCurrentRun(...args);
    };
    engine = await createEngine({
      store,
      workflowsPath,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return { e: engine, reads: () => reads };
  }

  it("reads the id's current run only when a policy or the request id needs it", async () => {
    const { e, reads } = await start();
    const first = await e.start('bumps', { workflowId: 'brand-new' });
    expect(reads()).toBe(0); // the defaults: the start commit alone decides
    // The id is open: the commit refuses the start, then the policies read the run.
    await expect(e.start('bumps', { workflowId: 'brand-new' })).rejects.toMatchObject({
      code: 'workflow_already_started',
      details: { runId: first.runId },
    });
    expect(reads()).toBe(1);
    // A caller's request id may have been sent before: the run it started is looked for.
    const withId = await e.start('bumps', { workflowId: 'with-id', requestId: 'r-1' });
    expect(reads()).toBe(2);
    const retried = await e.start('bumps', { workflowId: 'with-id', requestId: 'r-1' });
    expect(retried.runId).toBe(withId.runId);
    // One the caller made for this very call (a client's first send) cannot have been.
    await e.start('bumps', withNewRequestId({ workflowId: 'new-id', requestId: 'r-2' }));
    // USE_EXISTING and the reuse policies other than the default need the current run.
    const existing = await e.start('bumps', {
      workflowId: 'brand-new',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    expect(existing.runId).toBe(first.runId);
    await e.start('bumps', { workflowId: 'reject', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    expect(reads()).toBe(5);
    // Once the open run closed, a start of its id creates a run without reading.
    await first.signal('bump');
    await first.signal('bump');
    expect(await first.result()).toBe(2);
    const before = reads(); // (the handle's calls read the run too)
    const next = await e.start('bumps', { workflowId: 'brand-new' });
    expect(next.runId).not.toBe(first.runId);
    expect(reads()).toBe(before);
  });

  it('a start refused because its id is open leaves no instance in the workflow thread', async () => {
    const thread = watchThread();
    try {
      const { e } = await start();
      const open = await e.start('bumps', { workflowId: 'taken' });
      for (let i = 0; i < 3; i++) {
        await expect(e.start('bumps', { workflowId: 'taken' })).rejects.toMatchObject({
          code: 'workflow_already_started',
        });
      }
      const keys = thread.made.get('taken') ?? [];
      // The open run's instance, and one per refused start, each of them evicted.
      expect(keys).toHaveLength(4);
      const refused = keys.filter((k) => !k.endsWith(open.runId!));
      expect(refused).toHaveLength(3);
      await expect.poll(() => refused.every((k) => thread.evicted.has(k))).toBe(true);
      expect([...thread.evicted].some((k) => k.endsWith(open.runId!))).toBe(false);
    } finally {
      thread.stop();
    }
  });
});
