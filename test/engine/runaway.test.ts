// Workflow code that keeps allocating across activations (it yields on a 1 ms timer, so the
// deadlock watchdog never fires) must cost its own run, never the engine: the workflow thread
// runs under a heap cap, the run that runs out of memory alone is parked as stuck with
// `resource_exhausted`, the other runs complete, and a restart does not crash-loop.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type WorkflowHandle } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { countingMetrics } from '../support/counting-metrics.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { parkedReason } from '../support/parked-runs.js';

const WORKFLOWS = `import { sleep } from 'aion/workflow';
// Module-level state: one per run. Each activation keeps ~2 MiB more alive.
const chunks: number[][] = [];
export async function hoarder(): Promise<void> {
  for (;;) {
    chunks.push(new Array(256 * 1024).fill(chunks.length));
    await sleep(1);
  }
}
// One flat array that keeps growing: its backing store is reallocated at 1.5x, the kind of
// allocation V8 cannot survive past its cap.
const flat: number[] = [];
export async function grower(): Promise<void> {
  for (;;) {
    for (let i = 0; i < 256 * 1024; i++) flat.push(i + 0.5);
    await sleep(1);
  }
}
// Allocates without bound within one activation (no timer in between).
export async function burst(): Promise<void> {
  await sleep(1);
  const all: number[][] = [];
  for (;;) all.push(new Array(1024 * 1024).fill(all.length));
}
export async function steady(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await sleep(20);
  return n;
}
`;

/** What an operator sees: log lines and counter samples (by name and labels). */
let logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
const { metrics, counted } = countingMetrics();
const line =
  (level: string) =>
  (message: string, fields: Record<string, unknown> = {}): void =>
    void logged.push({ level, message, fields });
const logger = { debug() {}, info() {}, warn: line('warn'), error: line('error') };
const engines = engineOnFileEachTest('aion-runaway-');
const { close } = engines;

async function open(file: string): Promise<Engine> {
  logged = [];
  counted.clear();
  return engines.open({
    workflowsPath: file,
    logger,
    metrics,
    workflowHeapLimitMb: 96,
    supervision: { maxRestarts: 2, withinMs: 60_000 },
  });
}

async function parked(h: WorkflowHandle): Promise<void> {
  const reason = await parkedReason(h);
  expect(reason).toContain('[resource_exhausted]');
  expect(reason).toContain('out of memory');
  const failed = (await h.fetchHistory()).events.filter((e) => e.type === 'WorkflowTaskFailed');
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.every((e) => (e as { cause: string }).cause === 'resource_exhausted')).toBe(true);
}

describe('runaway workflow code (memory)', () => {
  it('parks the run that runs the workflow thread out of memory; the others complete, also after a restart', async () => {
    const file = path.join(engines.dir, 'workflows.ts');
    writeFileSync(file, WORKFLOWS);
    let e = await open(file);
    const steady = await e.start('steady', { workflowId: 'steady-1', args: [40] });
    const hoarder = await e.start('hoarder', { workflowId: 'hoarder' });
    const grower = await e.start('grower', { workflowId: 'grower' });
    const burst = await e.start('burst', { workflowId: 'burst' });
    expect(await steady.result()).toBe(40);
    for (const h of [hoarder, grower, burst]) await parked(h);
    expect((await e.getHandle('steady-1').describe()).stuck).toBeUndefined();
    expect(await e.count({ query: 'Stuck = true' })).toBe(3);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'workflow thread restarted; resident runs will be rebuilt by replay',
        fields: expect.objectContaining({ cause: 'memory' }),
      }),
    );
    const parkings = logged.filter((l) => l.message.startsWith('workflow run parked as stuck'));
    expect(parkings.map((l) => l.fields.workflowId).sort()).toEqual(['burst', 'grower', 'hoarder']);
    expect(counted.get('aion_workflow_runs_parked_total{"workflow_type":"hoarder"}')).toBe(1);
    expect(
      counted.get('aion_workflow_task_failures_total{"cause":"resource_exhausted"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(counted.get('aion_workflow_thread_restarts_total{"reason":"memory"}')).toBeGreaterThan(
      0,
    );

    // Same store, new engine: it starts, the parked runs stay parked, new work completes.
    await close();
    e = await open(file);
    const lengths = await Promise.all(
      ['hoarder', 'grower', 'burst'].map(
        async (id) => (await e.getHandle(id).fetchHistory()).events.length,
      ),
    );
    expect(await e.execute('steady', { workflowId: 'steady-2', args: [3] })).toBe(3);
    for (const [i, id] of ['hoarder', 'grower', 'burst'].entries()) {
      const h = e.getHandle(id);
      expect((await h.describe()).stuck?.reason).toContain('[resource_exhausted]');
      expect((await h.fetchHistory()).events.length).toBe(lengths[i]);
    }
  });

  it('refuses a heap limit too small to run anything', async () => {
    const store = createMemoryStore();
    await expect(createEngine({ store, workflowHeapLimitMb: 8 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await store.close();
  });
});
