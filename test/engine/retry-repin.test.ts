// engine.retry(id, { version }): a replay check that fails changes nothing about a healthy
// run (it keeps running and taking signals); a stuck run stays parked with an accurate reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPackage, createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const header = `import { condition, defineSignal, proxyActivities, setHandler, sleep } from 'aion/workflow';
const { step } = proxyActivities<{ step(n: number): Promise<number> }>({ startToCloseTimeout: '5s' });
const add = defineSignal<[number]>('add');
`;
/** Healthy: one step, then sums signals until they reach 3. */
const HEALTHY = `${header}export async function box(): Promise<number> {
  let n = await step(0);
  setHandler(add, (k) => { n += k; });
  await condition(() => n >= 3);
  return n;
}
/** Crashes (a bug, not a failure) after its first step. */
export async function buggy(): Promise<number> {
  const a = await step(1);
  if (a === 1) (undefined as unknown as { x: number }).x = 1;
  return a;
}`;
/** Starts with a timer instead of the step: histories of HEALTHY diverge here. */
const DIVERGENT = `${header}export async function box(): Promise<number> {
  await sleep(10);
  return await step(99);
}
export async function buggy(): Promise<number> {
  await sleep(10);
  return await step(99);
}`;

let dir: string | undefined;
let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `promise`, or a clear failure if it does not settle in a generous while. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(ENGINE_HARNESSES)('retry with a re-pin on $name', (harness) => {
  async function setup(): Promise<Engine> {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-repin-'));
    const healthy = path.join(dir, 'healthy.ts');
    writeFileSync(healthy, HEALTHY);
    handle = await harness.create();
    engine = await createEngine({
      store: handle.store,
      workflowsPath: healthy,
      activities: { step: async (n: number) => n },
      logger: quiet,
      supervision: { maxRestarts: 1, withinMs: 60_000 },
    });
    return engine;
  }

  /** Deploys (and routes) code the runs' histories do not replay on; returns its version. */
  async function deployDivergent(e: Engine): Promise<string> {
    const other = path.join(dir!, 'divergent.ts');
    writeFileSync(other, DIVERGENT);
    const built = await buildPackage({ workflowsPath: other });
    return (await e.deploy(built.archive)).version;
  }

  it('leaves a healthy run exactly as it was when the replay check fails', async () => {
    const e = await setup();
    const h = await e.start('box', { workflowId: 'b1' });
    await until(async () =>
      (await h.fetchHistory()).events.some((x) => x.type === 'ActivityCompleted'),
    );
    const divergent = await deployDivergent(e);
    const before = await h.describe();
    await expect(e.retry('b1', { version: divergent })).rejects.toMatchObject({
      code: 'nondeterminism',
    });
    const after = await h.describe();
    expect(after.status).toBe('RUNNING');
    expect(after.stuck).toBeUndefined();
    expect(after.version).toBe(before.version);
    expect(await e.count({ query: 'Stuck = true' })).toBe(0);
    // Still taking signals, without anyone calling retry again.
    await h.signal('add', 1);
    await h.signal('add', 2);
    expect(await within(h.result(), 'the run to take the signals and complete')).toBe(3);
  });

  it('keeps a stuck run parked, with a reason naming both its crash and the refused version', async () => {
    const e = await setup();
    const h = await e.start('buggy', { workflowId: 's1' });
    await until(async () => (await h.describe()).stuck !== undefined);
    const parked = (await h.describe()).stuck!;
    expect(parked.reason).toContain('Cannot set properties of undefined');
    // Routing it tries the re-pin too (and fails): the explicit retry below finds it so.
    const divergent = await deployDivergent(e);
    await expect(e.retry('s1', { version: divergent })).rejects.toMatchObject({
      code: 'nondeterminism',
    });
    // The reason is a visibility field, written with the run's next commit.
    await until(async () =>
      ((await h.describe()).stuck?.reason ?? '').includes(`on ${divergent.slice(0, 12)}`),
    );
    const still = await h.describe();
    expect(still.status).toBe('RUNNING');
    expect(still.stuck?.reason).toContain('Cannot set properties of undefined');
    expect(still.stuck?.reason).toContain(`does not replay on ${divergent.slice(0, 12)}`);
    expect(still.stuck?.reason.split('not re-pinned')).toHaveLength(2); // the latest refusal only
    expect(still.stuck?.since).toEqual(parked.since);
    expect(await e.count({ query: 'Stuck = true' })).toBe(1);
  });
});
