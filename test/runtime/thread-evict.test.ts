// Evictions queued while the workflow thread is busy travel together, and never ahead of a
// request queued after them; made while it is idle, they ride on the next request (or go
// alone after a while), and a dispose that never returns there is not that request's fault.
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage } from '../../src/package/index.js';
import {
  DeadlockError,
  WorkflowThread,
  WorkflowThreadRestartedError,
  type ActivateItem,
} from '../../src/runtime/index.js';
import type { WorkerRequest } from '../../src/runtime/worker-protocol.js';
import type { ActivationInput } from '../../src/core/index.js';
import { sandboxInitInfo } from '../support/init-info.js';

const fixture = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;
const stuckFixture = new URL('../fixtures/workflows/stuck-dispose.ts', import.meta.url).pathname;

/** The requests posted to workflow threads while watched. */
function watchRequests(): { readonly sent: WorkerRequest[]; stop(): void } {
  const proto = Worker.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const post = proto.postMessage!;
  const sent: WorkerRequest[] = [];
  proto.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    sent.push(message as WorkerRequest);
    return post.call(this, message, ...rest);
  };
  return { sent, stop: () => (proto.postMessage = post) };
}

const input = (jobs: ActivationInput['jobs']): ActivationInput => ({
  now: 2_000_000,
  replaying: false,
  jobs,
  historyLength: 1,
  continueAsNewSuggested: false,
});

const runIds = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
];

describe('workflow thread evictions', () => {
  let thread: WorkflowThread;
  let version: string;

  beforeAll(async () => {
    const pkg = await buildPackage({ workflowsPath: fixture });
    version = pkg.version;
    thread = new WorkflowThread({ deadlockTimeoutMs: 60_000, onRestart: () => undefined });
    await thread.loadPackage(pkg.version, pkg.bundle);
  });
  afterAll(() => thread.close());

  const start = (key: string, i: number): ActivateItem => ({
    key,
    init: { ...sandboxInitInfo('waitForApproval', runIds[i]), version },
    input: input([{ type: 'startWorkflow', args: [] }]),
  });
  const status = async (key: string): Promise<string> => {
    try {
      const answer = await thread.query(key, 'status', []);
      return 'result' in answer ? answer.result.data : 'failed';
    } catch (err) {
      return (err as Error).message.includes('not resident') ? 'evicted' : String(err);
    }
  };

  it('drops every run evicted while the thread was busy, and keeps the others', async () => {
    await thread.activate(['a', 'b', 'c', 'd'].map(start));
    // The first request goes at once; the evictions wait behind it and join one another.
    const busy = thread.query('d', 'status', []);
    thread.evict(['a']);
    thread.evict(['b']);
    thread.evict(['c']);
    await busy;
    expect(await status('a')).toBe('evicted');
    expect(await status('b')).toBe('evicted');
    expect(await status('c')).toBe('evicted');
    expect(await status('d')).toBe('"waiting"');
  });

  it('never moves an eviction ahead of a request queued before it', async () => {
    await thread.activate([start('e', 0), start('f', 1)]);
    const busy = thread.query('f', 'status', []);
    thread.evict(['e']);
    // Queued after the first eviction: `f` must still be resident when this runs.
    const signalled = thread.activate([
      {
        key: 'f',
        input: input([
          {
            type: 'signalWorkflow',
            signalName: 'approve',
            args: [{ encoding: 'json/plain', data: '"bob"' }],
          },
        ]),
      },
    ]);
    thread.evict(['f']);
    await busy;
    const [output] = await signalled;
    expect(output!.taskFailure).toBeUndefined();
    expect(output!.commands.map((c) => c.type)).toEqual(['cancelTimer', 'startTimer']);
    expect(await status('e')).toBe('evicted');
    expect(await status('f')).toBe('evicted');
  });

  describe('made while the thread is idle', () => {
    let watch: ReturnType<typeof watchRequests> | undefined;
    afterEach(() => watch?.stop());

    it('ride on the next request instead of waking the thread alone', async () => {
      await thread.activate([start('g', 2), start('h', 3)]);
      watch = watchRequests();
      thread.evict(['g']);
      expect(watch.sent).toEqual([]);
      expect(await status('h')).toBe('"waiting"');
      expect(watch.sent.map((r) => [r.type, r.evict])).toEqual([['query', ['g']]]);
      expect(await status('g')).toBe('evicted');
    });

    it('go alone when no request follows', async () => {
      await thread.activate([start('i', 0)]);
      watch = watchRequests();
      thread.evict(['i']);
      await expect
        .poll(() => watch!.sent.some((r) => r.type === 'evict' && r.keys.includes('i')), {
          timeout: 30_000,
        })
        .toBe(true);
      expect(await status('i')).toBe('evicted');
    });
  });
});

describe('a dispose that never returns, riding on a request', () => {
  let thread: WorkflowThread;
  let version: string;
  const restarts: string[] = [];

  beforeAll(async () => {
    const pkg = await buildPackage({ workflowsPath: stuckFixture });
    version = pkg.version;
    thread = new WorkflowThread({
      deadlockTimeoutMs: 2_000,
      onRestart: (_reason, kind) => restarts.push(kind),
    });
    await thread.loadPackage(pkg.version, pkg.bundle);
  });
  afterAll(() => thread.close());

  const start = (key: string, i: number, hang: boolean): ActivateItem => ({
    key,
    init: { ...sandboxInitInfo('waitForever', runIds[i]), version },
    input: input([{ type: 'startWorkflow', args: [{ encoding: 'json/plain', data: `${hang}` }] }]),
  });

  it('replaces the thread without blaming the request; the eviction is not tried again', async () => {
    await thread.activate([start('stuck', 0, true)]);
    thread.evict(['stuck']); // idle: held for the next request
    const error: unknown = await thread
      .activate([start('next', 1, false)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowThreadRestartedError);
    expect(error).not.toBeInstanceOf(DeadlockError);
    expect(restarts).toEqual(['deadlock']);
    // The fresh thread activates the run that was not at fault.
    const [output] = await thread.activate([start('next', 1, false)]);
    expect(output!.taskFailure).toBeUndefined();
    expect(restarts).toEqual(['deadlock']);
  });

  it('names a dispose that overran as such', () => {
    expect(new DeadlockError(2_000, 'dispose').message).toBe(
      "a closed run's dispose interceptors (leaving the workflow thread) did not return within 2000 ms (a synchronous loop?); the workflow thread was replaced",
    );
  });
});
