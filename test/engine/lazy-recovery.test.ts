// Start-up with open runs: the engine serves before the sweep over its open runs is done (a
// run touched meanwhile is rebuilt on that touch), and a paused run's activity does not start
// while the sweep has not reached it (its status is read from the store first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const workflowsPath = new URL('../fixtures/workflows/lazy-recovery.ts', import.meta.url).pathname;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const attempts = new Map<string, number>();
const activities = {
  flaky: async (label: string): Promise<string> => {
    const n = (attempts.get(label) ?? 0) + 1;
    attempts.set(label, n);
    if (n === 1) throw new Error('first attempt fails');
    return `${label}:${n}`;
  },
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups.length = 0;
  attempts.clear();
});

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The store, with its paging of open runs held until `release()` and its run reads noted. */
function gated(store: Store): { store: Store; release: () => void; runReads: Set<string> } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runReads = new Set<string>();
  const proxy = new Proxy(store, {
    get(target, key) {
      if (key === 'listOpenRuns')
        return async (request: Parameters<Store['listOpenRuns']>[0]) => {
          if (request.limit > 1) await gate; // the sweep's pages, not the namespace probe
          return target.listOpenRuns(request);
        };
      if (key === 'getRun')
        return (run: Parameters<Store['getRun']>[0]) => {
          runReads.add(run.runId);
          return target.getRun(run);
        };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: proxy, release, runReads };
}

async function engineOn(store: Store): Promise<Engine> {
  const engine = await createEngine({ store, workflowsPath, activities, logger: quiet });
  cleanups.push(() => engine.shutdown({ timeoutMs: 1000 }));
  return engine;
}

it('serves before the open runs are swept; a paused run stays paused; every run recovers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aion-lazy-recovery-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'aion.db');

  const first = await openSqliteStore({ path });
  const before = await createEngine({ store: first, workflowsPath, activities, logger: quiet });
  for (let i = 0; i < 30; i++) await before.start('waiter', { workflowId: `w-${i}` });
  const paused = await before.start('retrying', { workflowId: 'p', args: ['p'] });
  await until(() => attempts.get('p') === 1); // its retry waits in the store
  await paused.pause('maintenance');
  const runId = paused.runId!;
  await before.whenIdle();
  await before.shutdown({ timeoutMs: 1000 });
  await first.close();

  const reopened = await openSqliteStore({ path });
  cleanups.push(() => reopened.close());
  const g = gated(reopened);
  const engine = await engineOn(g.store); // returns although no page of open runs was read
  expect(await engine.getHandle('w-13').signal('wake')).toBeUndefined();
  expect(await engine.getHandle('w-13').result()).toBe('woken');

  // The paused run's retry falls due: its status is read, and the attempt is handed back.
  await until(() => g.runReads.has(runId));
  expect(attempts.get('p')).toBe(1);

  g.release();
  await engine.whenIdle();
  expect(attempts.get('p')).toBe(1);
  await engine.getHandle('p').resume();
  expect(await engine.getHandle('p').result()).toBe('p:2');
  for (let i = 0; i < 30; i++) {
    if (i === 13) continue;
    await engine.getHandle(`w-${i}`).signal('wake');
    expect(await engine.getHandle(`w-${i}`).result()).toBe('woken');
  }
});

it('leaves a run started since start-up to the engine: its task retry keeps its backoff', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aion-lazy-recovery-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const store = await openSqliteStore({ path: join(dir, 'aion.db') });
  cleanups.push(() => store.close());
  const g = gated(store);
  const failures: number[] = []; // when each task failure was logged
  const engine = await createEngine({
    store: g.store,
    workflowsPath: new URL('../fixtures/workflows/limits.ts', import.meta.url).pathname,
    activities: { step: async (n: number) => n },
    limits: { maxPendingActivities: 5 },
    supervision: { maxRestarts: 5, withinMs: 600_000 },
    logger: {
      ...quiet,
      warn: (message: string) =>
        void (message === 'workflow task failed' && failures.push(Date.now())),
    },
  });
  cleanups.push(() => engine.shutdown({ timeoutMs: 1000 }));
  // Its first task fails (over the limit); the retry waits out a backoff of a second.
  const h = await engine.start('manyActivities', { workflowId: 'over', args: [6] });
  await until(() => failures.length === 1);
  g.release(); // the sweep now finds the run open, its last task failed
  await engine.whenIdle();
  // Not activated again ahead of its backoff (a second failure, if the backoff already ran
  // out on a slow machine, comes at least a second after the first).
  if (failures.length > 1) expect(failures[1]! - failures[0]!).toBeGreaterThanOrEqual(950);
  expect((await h.describe()).status).toBe('RUNNING');
});
