// A start whose commit the store applied only after the engine had read the history back to
// settle its unknown outcome (a database that finishes a commit after the connection that sent
// it was lost): the engine retries the start, finds its own run already there, and must take
// the start as committed — acknowledge it and rebuild the run — instead of retrying forever.
import { afterEach, describe, expect, it } from 'vitest';
import { AionError } from '../../src/core/index.js';
import { createEngine, createMemoryStore, type Engine, type Store } from '../../src/index.js';
import type { RunCommit } from '../../src/store/index.js';

const workflowsPath = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
});

/** A memory store whose first start commit of `workflowId` lands late; see the file comment. */
function lateStartStore(workflowId: string): Store {
  const inner = createMemoryStore();
  let held: readonly RunCommit[] | undefined;
  let done = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'commit') {
        return async (commits: readonly RunCommit[]) => {
          const start = commits.some((c) => c.expectedSeq === 0 && c.run.workflowId === workflowId);
          if (!done && start) {
            done = true;
            held = commits;
            throw new AionError('store_unavailable', 'connection lost while committing');
          }
          return target.commit(commits);
        };
      }
      if (prop === 'readHistory') {
        return async (...args: Parameters<Store['readHistory']>) => {
          const events = await target.readHistory(...args);
          if (held !== undefined && args[0].workflowId === workflowId) {
            const late = held;
            held = undefined;
            await target.commit(late); // applied only now, after the read-back
          }
          return events;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe('a start applied after its outcome was read back', () => {
  it('is acknowledged once, and the run goes on from the store', async () => {
    const warnings: string[] = [];
    engine = await createEngine({
      store: lateStartStore('late-start'),
      workflowsPath,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message, f) => void warnings.push(message + ' ' + JSON.stringify(f)),
        error: (message, f) => void warnings.push(message + ' ' + JSON.stringify(f)),
      },
      activities: { greet: async (name: string) => `hello ${name}` },
    });
    const result = engine.execute('hello', { workflowId: 'late-start', args: ['ada'] });
    const deadline = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('the start never settled')), 60_000).unref(),
    );
    expect(await Promise.race([result, deadline])).toBe('hello ada');
    expect(
      warnings.filter((w) => w.startsWith('start found committed by an earlier attempt')),
    ).toHaveLength(1);
    const history = await engine.getHandle('late-start').fetchHistory();
    expect(history.events.filter((e) => e.type === 'WorkflowStarted')).toHaveLength(1);
    expect(history.events.filter((e) => e.type === 'WorkflowCompleted')).toHaveLength(1);
  }, 90_000);
});
