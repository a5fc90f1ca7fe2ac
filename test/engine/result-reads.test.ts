// A caller waiting for the result of a run this engine drives and holds open is told of its
// close directly: no store read to find the run or to look for a close that cannot have
// happened yet. A start reads nothing either: without a workflow id the id is new, and with
// one the default id policies are applied by the start commit.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const workflowsPath = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;
const activities = { greet: async (name: string) => `Hello, ${name}` };
let engine: Engine | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A SQLite store counting the run look-ups made through it. */
async function countingStore(): Promise<{ store: Store; reads: Map<string, number> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-result-reads-'));
  dirs.push(dir);
  const store = await openSqliteStore({ path: path.join(dir, 'aion.db') });
  const reads = new Map<string, number>();
  for (const name of ['getRun', 'getCurrentRun'] as const) {
    const original = store[name].bind(store) as (...args: unknown[]) => unknown;
    (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      reads.set(name, (reads.get(name) ?? 0) + 1);
      return original(...args);
    };
  }
  return { store, reads };
}

describe('waiting for a result', () => {
  it('reads nothing for a run this engine holds open, and still follows it to its close', async () => {
    const { store, reads } = await countingStore();
    engine = await createEngine({ store, workflowsPath, activities });
    await engine.execute('hello', { args: ['warm-up'] });
    reads.clear();
    expect(await engine.execute('hello', { args: ['Ada'] })).toBe('Hello, Ada');
    const handle = await engine.start('hello', { args: ['Grace'] });
    expect(await handle.result()).toBe('Hello, Grace');
    expect(Object.fromEntries(reads)).toEqual({});
  });

  it('looks in the store for a run it does not hold (closed, or addressed by its id)', async () => {
    const { store, reads } = await countingStore();
    engine = await createEngine({ store, workflowsPath, activities });
    const handle = await engine.start('hello', { args: ['Ada'], workflowId: 'given' });
    // The default id policies are applied by the start commit: nothing is read (ADR 0022).
    expect(reads.get('getCurrentRun')).toBeUndefined();
    await handle.result();
    reads.clear();
    // Closed and forgotten: the result comes from the store.
    expect(await engine.getHandle('given').result()).toBe('Hello, Ada');
    expect((reads.get('getRun') ?? 0) + (reads.get('getCurrentRun') ?? 0)).toBeGreaterThan(0);
  });
});
