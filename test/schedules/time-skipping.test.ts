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
    const schedule = env.client.schedule;
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

  it('fires a 02:30 Berlin schedule once at 03:00 on spring-forward and once at the first 02:30 on fall-back', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath,
      start: Date.UTC(2026, 2, 27, 12), // 2026-03-27 noon UTC, two days before spring-forward
    });
    const handle = await env.client.schedule.create({
      scheduleId: 'berlin',
      spec: { calendars: [{ hour: 2, minute: 30 }], timezone: 'Europe/Berlin' },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
    });
    await env.sleep(3 * DAY);
    const spring = await handle.describe();
    expect(spring.info.recentActions.map((a) => a.scheduledAt.toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST, the first instant after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    await handle.delete();
    const fall = await env.client.schedule.create({
      scheduleId: 'berlin-fall',
      spec: {
        calendars: [{ hour: 2, minute: 30 }],
        timezone: 'Europe/Berlin',
        startAt: new Date(Date.UTC(2026, 9, 24)),
        endAt: new Date(Date.UTC(2026, 9, 26, 12)),
      },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
      policies: { catchupWindow: '365 days' },
    });
    await env.sleep(240 * DAY);
    const d = await fall.describe();
    expect(d.info.recentActions.map((a) => a.scheduledAt.toISOString())).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 occurs twice: fires once, at the first (CEST)
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });
});
