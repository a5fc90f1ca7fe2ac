import { afterEach, describe, expect, it, vi } from 'vitest';
import { Context } from '../../src/activity/index.js';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';

const workflowsPath = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
  vi.restoreAllMocks();
});

describe('activity log lines', () => {
  it("reach the engine's logger (with the activity's ids) and never stdout", async () => {
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const at =
      (level: string) =>
      (message: string, fields?: Record<string, unknown>): void => {
        lines.push({ level, message, ...(fields ? { fields } : {}) });
      };
    const stdout = vi.spyOn(process.stdout, 'write');
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath,
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
      activities: {
        greet: async (name: string) => {
          Context.current().log.info('greeting', { name });
          return `hello ${name}`;
        },
      },
    });
    expect(await engine.execute('hello', { args: ['ada'] })).toBe('hello ada');
    expect(lines).toContainEqual({
      level: 'info',
      message: 'greeting',
      fields: expect.objectContaining({ name: 'ada', activityType: 'greet', attempt: 1 }),
    });
    const written = stdout.mock.calls.map((c) => String(c[0]));
    expect(written.filter((w) => w.includes('greeting'))).toEqual([]);
  });
});
