/**
 * A commit the store refuses for a reason other than an outage (here: an `internal` error for
 * one run) is tried a few times, spaced out, then the run is parked as stuck with the reason —
 * never retried in a loop. Other runs are not affected; an operator retry un-parks it.
 */
import { afterEach, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { AionError } from '../../src/core/index.js';
import type { AuditEntry, RunCommit, Store } from '../../src/store/index.js';

const workflowsPath = new URL('./fixtures/fault-workflows.ts', import.meta.url).pathname;
const activities = { work: async (workflowId: string, i: number) => `${workflowId}:${i}` };

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 1000 });
  engine = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A memory store that refuses every commit carrying events of workflow `victim` once armed. */
function refusingStore(victim: string): {
  store: Store;
  armed: { on: boolean };
  refused: () => number;
} {
  const inner = createMemoryStore();
  const armed = { on: false };
  let refused = 0;
  const commit = (commits: readonly RunCommit[], audit?: readonly AuditEntry[]) => {
    if (armed.on && commits.some((c) => c.run.workflowId === victim && c.events.length > 0)) {
      refused++;
      return Promise.reject(
        new AionError('internal', 'PostgreSQL error during commit: value too long', {
          sqlState: '22001',
        }),
      );
    }
    return inner.commit(commits, audit);
  };
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { store, armed, refused: () => refused };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

it('parks a run whose commits the store keeps refusing, after a few spaced attempts', async () => {
  const { store, armed, refused } = refusingStore('victim');
  const errors: string[] = [];
  engine = await createEngine({
    store,
    workflowsPath,
    activities,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: (m) => errors.push(m) },
  });
  const e = engine;
  await e.start('faulty', { workflowId: 'victim', args: ['victim', 1] });
  // From now on the store refuses the victim's commits: its first activity's outcome, first.
  armed.on = true;
  await e.start('faulty', { workflowId: 'bystander', args: ['bystander', 1] });
  await e.getHandle('bystander').signal('go', 'now');
  expect(await e.getHandle('bystander').result()).toContain('now');

  await until('the victim to be parked', async () => {
    return (await e.getHandle('victim').describe()).stuck !== undefined;
  });
  const stuck = (await e.getHandle('victim').describe()).stuck!;
  expect(stuck.reason).toMatch(/the store refuses its commits: \[internal\]/);
  const attempts = refused();
  // Three attempts (a refused group commit is tried once more alone, to spare the others).
  expect(attempts).toBeGreaterThanOrEqual(3);
  expect(attempts).toBeLessThanOrEqual(6);
  await sleep(3000); // no more attempts once parked
  expect(refused()).toBe(attempts);
  expect(errors).toContain('workflow run parked as stuck: the store refuses it');
  // A sender is told the run is parked.
  await expect(e.getHandle('victim').signal('go', 'now')).rejects.toMatchObject({
    code: 'invalid_state',
  });

  // Fixed: an operator retry un-parks it; it picks up where it stopped.
  armed.on = false;
  await e.retry('victim');
  await e.getHandle('victim').signal('go', 'later');
  expect(await e.getHandle('victim').result()).toContain('later');
  expect((await e.getHandle('victim').describe()).stuck).toBeUndefined();
}, 60_000);
