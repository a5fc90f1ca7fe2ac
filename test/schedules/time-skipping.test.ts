import { afterEach, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';

const workflowsPath = new URL('../fixtures/testing/workflows.ts', import.meta.url).pathname;
const DAY = 24 * 3600_000;
const START = Date.UTC(2026, 0, 1);

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

describe('schedules on the time-skipping clock', () => {
  it('runs a daily schedule for 30 days, one workflow per day with deterministic ids', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    const schedule = env.client.schedule!;
    const handle = await schedule.create({
      scheduleId: 'daily',
      spec: { calendars: [{ hour: 9 }] },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
    });
    await env.sleep(30 * DAY);
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(30);
    expect(d.info.recentActions.every((a) => a.outcome === 'started')).toBe(true);
    const list = await env.client.workflow.list({ query: "WorkflowType = 'ticker'" });
    expect(list.items.length).toBe(30);
    const ids = list.items.map((e) => e.workflowId).sort();
    expect(ids[0]).toBe(`daily-${new Date(START + 9 * 3600_000).toISOString()}`);
    expect(d.info.nextActionTimes[0]?.getTime()).toBe(START + 30 * DAY + 9 * 3600_000);
  });
});
