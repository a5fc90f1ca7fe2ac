import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import type { ReminderResult } from '../../examples/long-sleep/workflows.js';
import { exampleWorkflows } from './helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
});

describe('examples/long-sleep', () => {
  it('sleeps on a durable timer, then sends the reminder', async () => {
    const sent: string[] = [];
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: exampleWorkflows('long-sleep'),
      activities: { sendReminder: async (to: string) => void sent.push(to) },
      workflowLogger: () => undefined,
    });
    const handle = await engine.start<ReminderResult>('reminder', {
      args: ['ada@example.com', 'renew', '100ms'],
    });
    const pending = await handle.describe();
    expect(pending.pendingTimers).toHaveLength(1);
    const result = await handle.result();
    expect(result.sleptMs).toBeGreaterThanOrEqual(100);
    expect(sent).toEqual(['ada@example.com']);
  });

  it('sleeps 30 days at once in the time-skipping test environment (as main.ts does)', async () => {
    const sent: string[] = [];
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath: exampleWorkflows('long-sleep'),
      activities: { sendReminder: async (to: string) => void sent.push(to) },
      workflowLogger: () => undefined,
    });
    try {
      const before = env.currentTimeMs;
      const result = (await env.client.workflow.execute('reminder', {
        args: ['ada@example.com', 'renew', '30 days'],
      })) as ReminderResult;
      expect(result.sleptMs).toBeGreaterThanOrEqual(30 * 86_400_000);
      expect(env.currentTimeMs - before).toBeGreaterThanOrEqual(30 * 86_400_000);
      expect(sent).toEqual(['ada@example.com']);
    } finally {
      await env.teardown();
    }
  });
});
