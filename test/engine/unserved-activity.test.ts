import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';

const workflowsPath = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  engine = undefined;
});

describe('an activity type nothing serves', () => {
  it('is warned about once when scheduled, and describe says why it waits', async () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const quiet = (): void => undefined;
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath,
      // An implementation of another type only: `greet` (used by `hello`) has no worker.
      activities: { somethingElse: async () => 'x' },
      logger: {
        debug: quiet,
        info: quiet,
        warn: (message, fields) => warnings.push({ message, ...(fields ? { fields } : {}) }),
        error: quiet,
      },
    });
    const first = await engine.start('hello', { args: ['a'] });
    await engine.start('hello', { args: ['b'] });
    let pending = (await first.describe()).pendingActivities;
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pending = (await first.describe()).pendingActivities;
    }
    expect(pending).toHaveLength(1);
    expect(pending[0]!.warning).toMatch(/no worker serves activity type "greet" on task queue/);
    const unserved = warnings.filter((w) => w.message.includes('no worker serves activity type'));
    expect(unserved).toHaveLength(1); // once per namespace, queue and type
    expect(unserved[0]!.fields).toMatchObject({ activityType: 'greet', taskQueue: 'default' });
  });

  it('carries no warning when the engine implements it', async () => {
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath,
      activities: { greet: async () => new Promise<string>(() => undefined) },
    });
    const h = await engine.start('hello', { args: ['a'] });
    let pending = (await h.describe()).pendingActivities;
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pending = (await h.describe()).pendingActivities;
    }
    expect(pending).toHaveLength(1);
    expect(pending[0]!.warning).toBeUndefined();
  });
});
