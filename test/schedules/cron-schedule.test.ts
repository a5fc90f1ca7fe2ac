import { afterEach, describe, expect, it } from 'vitest';
import { DataConverter, type HistoryEvent } from '../../src/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 1);

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

const last = (events: readonly HistoryEvent[]) => events[events.length - 1]!;

describe('the cronSchedule start option', () => {
  it('runs the chain at each cron time, handing each run the last result', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    const handle = await env.client.workflow.start('counter', {
      workflowId: 'cron-counter',
      cronSchedule: '0 9 * * *',
    });
    await env.sleep(3 * DAY);
    const runs = await env.client.workflow.list({ query: "WorkflowId = 'cron-counter'" });
    // Three runs completed (09:00 on days 1, 2 and 3); the fourth waits for day 4.
    expect(runs.items.length).toBe(4);
    const closed = runs.items.filter((r) => r.status === 'COMPLETED');
    expect(closed.length).toBe(3);
    const first = env.client.workflow.getHandle('cron-counter', handle.runId);
    const history = (await first.fetchHistory()).events;
    // The first run's code ran at the first cron time (09:00), not at the start (00:00).
    const completed = last(history);
    expect(completed.type).toBe('WorkflowCompleted');
    expect(completed.recordedAt).toBe(START + 9 * HOUR);
    // Each run names the next (newRunId) and hands it its result (lastResult).
    const counts: unknown[] = [];
    const converter = new DataConverter();
    for (const r of [...closed].sort((a, b) => a.startTime.getTime() - b.startTime.getTime())) {
      const h = (await env.client.workflow.getHandle('cron-counter', r.runId).fetchHistory())
        .events;
      const end = last(h);
      if (end.type !== 'WorkflowCompleted') continue;
      expect(end.newRunId).toBeDefined();
      counts.push((converter.decode(end.result) as { count: number }).count);
    }
    expect(counts).toEqual([1, 2, 3]);
    const current = await env.client.workflow.getHandle('cron-counter').describe();
    expect(current.status).toBe('RUNNING');
  });

  it('goes on after a failed run, and ends when terminated', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    await env.client.workflow.start('alwaysFails', {
      workflowId: 'cron-fails',
      cronSchedule: '@hourly',
    });
    await env.sleep(3 * HOUR + 1000);
    const runs = await env.client.workflow.list({ query: "WorkflowId = 'cron-fails'" });
    expect(runs.items.filter((r) => r.status === 'FAILED').length).toBe(3);
    await env.client.workflow.getHandle('cron-fails').terminate('enough');
    await env.sleep(3 * HOUR);
    const after = await env.client.workflow.list({ query: "WorkflowId = 'cron-fails'" });
    expect(after.items.length).toBe(4);
  });

  it('refuses a bad cron expression and startDelay with cronSchedule', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    await expect(
      env.client.workflow.start('counter', { cronSchedule: '61 * * * *' }),
    ).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('"61"') });
    await expect(
      env.client.workflow.start('counter', { cronSchedule: '@daily', startDelay: '1 hour' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('startDelay holds the first task', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    const handle = await env.client.workflow.start('counter', {
      workflowId: 'delayed',
      startDelay: '2 hours',
    });
    expect((await handle.describe()).status).toBe('RUNNING');
    await handle.result();
    const history = (await handle.fetchHistory()).events;
    expect(history.map((e) => e.type)).toEqual(['WorkflowStarted', 'WorkflowCompleted']);
    expect(last(history).recordedAt).toBe(START + 2 * HOUR);
  });
});
