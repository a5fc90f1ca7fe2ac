// A reopen whose new-run commit lands but reports a store failure (the outcome is unknown, so
// it is tried again and finds the run created): the new run's activities still run at once,
// not after a lease of minutes runs out.
import { afterEach, expect, it } from 'vitest';
import { AionError } from '../../src/core/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import type { RunCommit, Store } from '../../src/store/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/lifecycle.ts', import.meta.url).pathname;

let healed = false;
const activities = {
  block: async () => '',
  cleanup: async (label: string) => label,
  flaky: async (step: number) => {
    if (step === 3 && !healed) throw new Error('step 3 is broken');
    return step * 10;
  },
};

/** The memory store, but the first commit creating a reopened run lands and then fails. */
function lateFailingStore(inner: Store): { store: Store; failed: () => boolean } {
  let failed = false;
  const isReopen = (c: RunCommit): boolean =>
    c.expectedSeq === 0 &&
    c.events[0]?.type === 'WorkflowStarted' &&
    (c.events[0] as { reopenedFromRunId?: string }).reopenedFromRunId !== undefined;
  const store = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'commit') {
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return async (commits: RunCommit[]) => {
        const outcomes = await target.commit(commits);
        if (!failed && commits.some(isReopen)) {
          failed = true;
          throw new AionError('store_unavailable', 'connection lost after the commit was applied');
        }
        return outcomes;
      };
    },
  });
  return { store, failed: () => failed };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 600) throw new Error('timed out waiting for the reopened run');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  engine = undefined;
  healed = false;
});

it('reopen whose commit landed but reported a failure: the new run finishes without waiting out a lease', async () => {
  const { store, failed } = lateFailingStore(createMemoryStore());
  engine = await createEngine({ store, workflowsPath, activities, logger: quiet });
  const h = await engine.start('threeSteps', { workflowId: 'late' });
  await expect(h.result()).rejects.toMatchObject({ status: 'FAILED' });
  healed = true;
  // The caller hears the outcome is unknown, with the run to look for; the call is not
  // repeated (a repeat would find the new run open and refuse, or reset it again).
  const err = await engine.reopen('late').then(
    () => undefined,
    (e: unknown) => e as { code?: string; details?: Record<string, unknown> },
  );
  expect(err?.code).toBe('store_unavailable');
  expect(err?.details).toMatchObject({ outcome: 'unknown' });
  expect(failed()).toBe(true);
  const latest = engine.getHandle('late');
  await until(async () => (await latest.describe()).runId === err?.details?.newRunId);
  // Before, the new run's step-3 task stayed leased to this engine for 5.5 min.
  expect(await latest.result()).toBe(60);
}, 60_000);
