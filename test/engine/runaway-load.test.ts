// Workflow code that loops or allocates without bound while it loads — a module's top level
// (run for each run's fresh module instance) or a bundle's top level (run once, when the
// package is loaded) — parks the runs of that package with a clear reason; the engine starts
// and the runs of other packages complete. The packages here are archives built elsewhere
// (their top level is changed after the build, whose inspection would have refused them) and
// put in the store directly, as a store written before deploys checked packages holds them.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, WorkflowHandle } from '../../src/index.js';
import {
  buildPackage,
  computeVersion,
  readArchive,
  sha256Hex,
  writeArchive,
  type BuiltPackage,
} from '../../src/package/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { countingMetrics } from '../support/counting-metrics.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { parkedReason, untilTrue } from '../support/parked-runs.js';
import { quiet } from '../support/quiet-logger.js';

const STEADY = `import { sleep } from 'aion/workflow';
export async function steady(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await sleep(20);
  return n;
}
`;
const MARKER = 'AION_TEST_TOP_LEVEL';
const SLEEPS = 'await sleep(1);';
const WAITS =
  "let go = false; setHandler(defineSignal('go'), () => { go = true; }); await condition(() => go);";
const source = (
  type: string,
  body: string,
): string => `import { condition, defineSignal, setHandler, sleep } from 'aion/workflow';
export const topLevel = '${MARKER}';
export async function ${type}(): Promise<string> {
  ${body}
  return topLevel;
}
`;
const ALLOCATE =
  '(() => { const all = []; for (;;) all.push(new Array(1048576).fill(all.length)); })()';
const LOOP = '(() => { for (;;) {} })()';
/** Keeps 60 MiB alive: within the budget of a 1 GiB heap limit, not of a 96 MiB one. */
const BALLAST =
  'globalThis.ballast = Array.from({ length: 30 }, (_, i) => new Array(262144).fill(i))';

const { metrics, counted } = countingMetrics();
const engines = engineOnFileEachTest('aion-runaway-load-');
const { close } = engines;

async function open(maxRestarts: number, heapLimitMb = 96): Promise<Engine> {
  counted.clear();
  return engines.open({
    workflowsPath: path.join(engines.dir, 'steady.ts'),
    logger: quiet,
    metrics,
    workflowHeapLimitMb: heapLimitMb,
    // Wide enough that allocating up to the heap cap, slowed down on a loaded machine, hits
    // the cap first (charged as memory) and never this time limit (charged as a deadlock).
    deadlockTimeoutMs: 3000,
    supervision: { maxRestarts, withinMs: 60_000 },
  });
}

/** A package of `type` whose top level is changed after the build (`where` it runs). */
async function archive(
  type: string,
  code: string,
  where: 'module' | 'bundle',
  body = SLEEPS,
): Promise<Uint8Array> {
  const file = path.join(engines.dir, `${type}.ts`);
  writeFileSync(file, source(type, body));
  const built: BuiltPackage = await buildPackage({ workflowsPath: file });
  const marked = new RegExp(`(["'])${MARKER}\\1`);
  expect(built.bundle).toMatch(marked);
  const bundle =
    where === 'module' ? built.bundle.replace(marked, code) : `${code};\n${built.bundle}`;
  const base = {
    formatVersion: built.manifest.formatVersion,
    protocolVersion: built.manifest.protocolVersion,
    workflowTypes: built.manifest.workflowTypes,
    bundleSha256: sha256Hex(bundle),
  };
  return writeArchive({ ...built.manifest, ...base, version: computeVersion(base) }, bundle);
}

/** Stores packages and routes their types, bypassing the deploy checks (no engine open). */
async function stored(...archives: Uint8Array[]): Promise<void> {
  const store = await openSqliteStore({ path: engines.db });
  try {
    for (const archive of archives) {
      const { manifest, version } = readArchive(archive);
      const record = { manifest: JSON.stringify(manifest), deployedAt: Date.now() };
      const types = manifest.workflowTypes.map((t) => t.name);
      await store.putPackage({ namespace: 'default', version, archive, ...record }, types);
    }
  } finally {
    await store.close();
  }
}

async function taskFailures(h: WorkflowHandle): Promise<{ cause: string; message: string }[]> {
  return (await h.fetchHistory()).events.flatMap((e) =>
    e.type === 'WorkflowTaskFailed' ? [{ cause: e.cause, message: e.failure.message }] : [],
  );
}

describe('workflow code that runs away while loading', () => {
  it('parks the runs whose module top level allocates or loops, also when they are in the store at start-up', async () => {
    writeFileSync(path.join(engines.dir, 'steady.ts'), STEADY);
    // First engine: the runs start and crash (retried, not parked yet); then it stops.
    await stored(
      await archive('allocates', ALLOCATE, 'module'),
      await archive('loops', LOOP, 'module'),
    );
    let e = await open(100);
    const allocates = await e.start('allocates', { workflowId: 'allocates' });
    const loops = await e.start('loops', { workflowId: 'loops' });
    for (const h of [allocates, loops])
      await untilTrue(`${h.workflowId} to crash`, async () => (await taskFailures(h)).length > 0);
    await close();

    // The engine starts on that store; both runs are parked, the others complete.
    e = await open(1);
    const steady = await e.start('steady', { workflowId: 'steady', args: [20] });
    const allocated = await parkedReason(e.getHandle('allocates'));
    expect(allocated).toContain('[resource_exhausted]');
    expect(allocated).toContain("module's top-level code");
    expect(allocated).toContain('out of memory');
    expect(
      (await taskFailures(e.getHandle('allocates'))).every((f) => f.cause === 'resource_exhausted'),
    ).toBe(true);
    const looped = await parkedReason(e.getHandle('loops'));
    expect(looped).toContain("module's top-level code");
    expect(looped).toContain('did not finish within 3000 ms');
    const loopFailures = await taskFailures(e.getHandle('loops'));
    expect(
      loopFailures.filter((f) => f.cause !== 'deadlock'),
      JSON.stringify(loopFailures),
    ).toEqual([]);
    expect(await steady.result()).toBe(20);
  });

  it('parks the runs of a package whose bundle no longer loads within the heap limit', async () => {
    writeFileSync(path.join(engines.dir, 'steady.ts'), STEADY);
    // With a large heap limit the package loads (its top level keeps 60 MiB) and runs start.
    let e = await open(1, 1024);
    await e.deploy(await archive('heavy', BALLAST, 'bundle', WAITS));
    for (const i of [1, 2]) await e.start('heavy', { workflowId: `heavy-${i}` });
    await close();

    // With a small one the engine starts, the package fails to load once, and its runs are
    // parked when they wake; new starts on it are refused; the other runs complete.
    e = await open(1);
    const steady = await e.start('steady', { workflowId: 'steady', args: [20] });
    for (const i of [1, 2]) await e.getHandle(`heavy-${i}`).signal('go');
    for (const i of [1, 2]) {
      const reason = await parkedReason(e.getHandle(`heavy-${i}`));
      expect(reason).toContain('[resource_exhausted]');
      expect(reason).toContain("bundle's top-level code");
    }
    await expect(e.start('heavy', { workflowId: 'heavy-3' })).rejects.toMatchObject({
      code: 'resource_exhausted',
    });
    // The load was tried at most twice (the second time in a fresh thread), not per run or retry.
    const restarts = counted.get('aion_workflow_thread_restarts_total{"reason":"memory"}') ?? 0;
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(restarts).toBeLessThanOrEqual(2);
    expect(await steady.result()).toBe(20);
    expect(await e.execute('steady', { workflowId: 'steady-after', args: [2] })).toBe(2);
  });

  it('charges a module top level stopped by the vm watchdog as a deadlock, as the thread watchdog does', async () => {
    // On the inline runtime only the vm watchdog runs: the cause must not depend on which of
    // the two watchdogs stopped the code first.
    writeFileSync(path.join(engines.dir, 'steady.ts'), STEADY);
    await stored(await archive('loops', LOOP, 'module'));
    const e = await engines.open({
      workflowsPath: path.join(engines.dir, 'steady.ts'),
      logger: quiet,
      workflowRuntime: 'inline',
      deadlockTimeoutMs: 200,
      supervision: { maxRestarts: 1, withinMs: 60_000 },
    });
    const loops = await e.start('loops', { workflowId: 'loops' });
    expect(await parkedReason(loops)).toContain('did not finish within 200 ms');
    const failures = await taskFailures(loops);
    expect(failures.length).toBeGreaterThan(0);
    expect(
      failures.filter((f) => f.cause !== 'deadlock'),
      JSON.stringify(failures),
    ).toEqual([]);
  });
});
