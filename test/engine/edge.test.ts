import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPackage } from '../../src/package/index.js';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { HistoryEvent } from '../../src/core/index.js';

const workflowsPath = new URL('../fixtures/workflows/edge.ts', import.meta.url).pathname;
const activities = { echo: async (x: string) => x };

const engines: Engine[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const e of engines.splice(0)) await e.shutdown({ timeoutMs: 500 });
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function engineOn(options: Parameters<typeof createEngine>[0]): Promise<Engine> {
  const e = await createEngine({
    workflowsPath,
    activities,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
  });
  engines.push(e);
  return e;
}

async function waitForEvent(
  e: Engine,
  workflowId: string,
  type: HistoryEvent['type'],
): Promise<HistoryEvent> {
  for (let i = 0; i < 300; i++) {
    const found = (await e.getHandle(workflowId).fetchHistory()).events.find(
      (x) => x.type === type,
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no ${type} in ${workflowId}`);
}

describe('engine edge cases', () => {
  it('buffers signals sent before a handler exists and delivers them in arrival order', async () => {
    const e = await engineOn({ store: createMemoryStore() });
    const h = await e.start('lateHandler');
    await h.signal('item', 'a');
    await h.signal('item', 'b');
    await h.signal('item', 'c');
    await h.signal('done');
    expect(await h.result()).toEqual(['a', 'b', 'c']);
  });

  it('restarts over the same SQLite store: the open run is rebuilt, no second start', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-restart-'));
    const file = path.join(dir, 'aion.db');
    const first = await engineOn({ store: await openSqliteStore({ path: file }) });
    await first.start('waitsForItem', { workflowId: 'w' });
    const before = (await first.getHandle('w').fetchHistory()).events;
    await first.shutdown();
    await first.store.close();
    engines.length = 0;
    const second = await engineOn({ store: await openSqliteStore({ path: file }) });
    const after = (await second.getHandle('w').fetchHistory()).events;
    expect(after).toEqual(before); // rebuilt, not re-recorded
    await second.getHandle('w').signal('item', 'x');
    expect(await second.getHandle('w').result()).toBe('x');
    const events = (await second.getHandle('w').fetchHistory()).events;
    expect(events.filter((x) => x.type === 'WorkflowStarted')).toHaveLength(1);
    await second.shutdown();
    await second.store.close();
    engines.length = 0;
  });

  it('keeps a paused run paused across a restart; signals are recorded; resume continues it', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-pause-'));
    const file = path.join(dir, 'aion.db');
    const first = await engineOn({ store: await openSqliteStore({ path: file }) });
    const h = await first.start('waitsForItem', { workflowId: 'paused' });
    await h.pause('maintenance');
    await first.shutdown();
    await first.store.close();
    engines.length = 0;
    const second = await engineOn({ store: await openSqliteStore({ path: file }) });
    const again = second.getHandle('paused');
    expect((await again.describe()).status).toBe('PAUSED');
    await again.signal('item', 'while paused');
    await second.whenIdle();
    expect((await again.describe()).status).toBe('PAUSED');
    await again.resume();
    expect(await again.result()).toBe('while paused');
    await second.shutdown();
    await second.store.close();
    engines.length = 0;
  });

  it('reports sandbox violations (setInterval) as task failures with a clear message', async () => {
    const e = await engineOn({ store: createMemoryStore() });
    const h = await e.start('usesSetInterval', { workflowId: 'st' });
    const failed = await waitForEvent(e, 'st', 'WorkflowTaskFailed');
    expect(failed).toMatchObject({ cause: 'sandbox' });
    expect((failed as { failure: { message: string } }).failure.message).toMatch(
      /setInterval is not available in workflow code: use sleep\(\)/,
    );
    expect((await h.describe()).status).toBe('RUNNING');
  });

  it('treats an invalid duration in workflow code as a task failure naming the value', async () => {
    const e = await engineOn({ store: createMemoryStore() });
    await e.start('badSleep', { workflowId: 'bs' });
    const failed = await waitForEvent(e, 'bs', 'WorkflowTaskFailed');
    expect((failed as { failure: { message: string } }).failure.message).toContain(
      'invalid sleep duration "soon"',
    );
  });

  it('detects non-determinism when a rebuilt run issues different commands; other runs keep going', async () => {
    const e = await engineOn({ store: createMemoryStore(), maxResidentRuns: 1 });
    await e.start('leaky', { workflowId: 'nd-1' });
    await e.whenIdle();
    // Evict nd-1 by starting others; its rebuild sees a different global count.
    await e.start('waitsForItem', { workflowId: 'other-1' });
    await e.start('waitsForItem', { workflowId: 'other-2' });
    await e.whenIdle();
    await e.getHandle('nd-1').signal('item', 'wake');
    const failed = await waitForEvent(e, 'nd-1', 'WorkflowTaskFailed');
    expect(failed).toMatchObject({ cause: 'nondeterminism' });
    expect((failed as { failure: { message: string } }).failure.message).toMatch(
      /non-determinism .* at seq \d+/,
    );
    expect((await e.getHandle('nd-1').describe()).status).toBe('RUNNING');
    await e.getHandle('other-1').signal('item', 'fine');
    expect(await e.getHandle('other-1').result()).toBe('fine');
  });

  it('refuses oversize arguments before anything is recorded', async () => {
    const e = await engineOn({ store: createMemoryStore(), limits: { maxPayloadBytes: 1024 } });
    await expect(
      e.start('waitsForItem', { workflowId: 'big', args: ['x'.repeat(2000)] }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(e.getHandle('big').describe()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses Node built-in imports at build time, naming the import', async () => {
    const forbidden = new URL('../fixtures/workflows/forbidden-import.ts', import.meta.url)
      .pathname;
    await expect(buildPackage({ workflowsPath: forbidden })).rejects.toMatchObject({
      code: 'package_build_failed',
      message: expect.stringContaining('"node:fs"'),
    });
  });

  it('validates start options and ids at the edge', async () => {
    const e = await engineOn({ store: createMemoryStore() });
    await expect(e.start('waitsForItem', { workflowId: '' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(e.start('waitsForItem', { args: 'nope' as never })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(e.start('waitsForItem', { args: [10n] })).rejects.toMatchObject({
      code: 'codec_error',
    });
    await expect(e.getHandle('missing').signal('item', 'x')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
