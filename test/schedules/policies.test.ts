import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleOverlapPolicy } from '../../src/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';

const workflowsPath = new URL('../fixtures/testing/workflows.ts', import.meta.url).pathname;
const MINUTE = 60_000;

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

async function schedules() {
  env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
  return { env, schedule: env.client.schedule };
}

/** A schedule firing every minute whose action (ticker) runs `seconds`. */
async function everyMinute(
  overlap: ScheduleOverlapPolicy | undefined,
  seconds: number,
  extra: { remainingActions?: number; catchupWindow?: string } = {},
) {
  const { env, schedule } = await schedules();
  const handle = await schedule.create({
    scheduleId: 'every-minute',
    spec: { intervals: [{ every: '1 minute' }] },
    action: { type: 'startWorkflow', workflowType: 'ticker', args: [seconds] },
    policies: {
      ...(overlap ? { overlap } : {}),
      ...(extra.catchupWindow ? { catchupWindow: extra.catchupWindow } : {}),
    },
    ...(extra.remainingActions !== undefined
      ? { state: { remainingActions: extra.remainingActions } }
      : {}),
  });
  return { env, handle };
}

const outcomes = (d: { info: { recentActions: readonly { outcome: string }[] } }) =>
  d.info.recentActions.map((a) => a.outcome);

describe('schedule overlap policies', () => {
  it('SKIP (default) skips fires while the action runs', async () => {
    const { env, handle } = await everyMinute(undefined, 150);
    await env.sleep(6 * MINUTE + 1000);
    const d = await handle.describe();
    // Fires at 1..6 min; each action runs 2.5 min: starts at 1, 4 (2,3 skipped), 5,6 skipped.
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.info.numActionsSkippedOverlap).toBe(4);
    expect(outcomes(d)).toEqual(['started', 'skipped', 'skipped', 'started', 'skipped', 'skipped']);
  });

  it('BUFFER_ONE starts one waiting fire when the running action closes', async () => {
    const { env, handle } = await everyMinute('BUFFER_ONE', 150);
    await env.sleep(6 * MINUTE + 1000);
    const d = await handle.describe();
    const started = d.info.recentActions.filter((a) => a.outcome === 'started');
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(d.info.numActionsSkippedOverlap).toBeGreaterThan(0);
    expect(d.info.bufferedActions).toBeLessThanOrEqual(1);
    // The buffered fire starts when the first action closes (at 1 min + 150 s).
    const second = started[1]!;
    expect(second.takenAt.getTime() - second.scheduledAt.getTime()).toBeGreaterThan(0);
  });

  it('BUFFER_ALL keeps every fire and starts them one after another', async () => {
    const { env, handle } = await everyMinute('BUFFER_ALL', 90, { remainingActions: 4 });
    await env.sleep(20 * MINUTE);
    const d = await handle.describe();
    // Four actions and no more: fires beyond the actions left are not buffered.
    expect(d.info.numActionsTaken).toBe(4);
    expect(d.info.bufferedActions).toBe(0);
    const started = d.info.recentActions.filter((a) => a.outcome === 'started');
    expect(started.some((a) => a.takenAt.getTime() > a.scheduledAt.getTime())).toBe(true);
    expect(d.state.remainingActions).toBe(0);
    expect(d.info.nextActionTimes).toEqual([]);
  });

  it('ALLOW_ALL starts every fire', async () => {
    const { env, handle } = await everyMinute('ALLOW_ALL', 150);
    await env.sleep(4 * MINUTE + 1000);
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(4);
    expect(d.info.runningActions.length).toBeGreaterThanOrEqual(2);
  });

  it('TERMINATE_OTHER terminates the running action and starts the new fire', async () => {
    const { env, handle } = await everyMinute('TERMINATE_OTHER', 150);
    await env.sleep(3 * MINUTE + 1000);
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(3);
    const first = d.info.recentActions[0]!.action!.workflow.workflowId;
    const desc = await env.client.workflow.getHandle(first).describe();
    expect(desc.status).toBe('TERMINATED');
  });

  it('CANCEL_OTHER cancels the running action and starts the new fire', async () => {
    const { env, handle } = await everyMinute('CANCEL_OTHER', 150);
    await env.sleep(3 * MINUTE + 1000);
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(3);
    const first = d.info.recentActions[0]!.action!.workflow.workflowId;
    const desc = await env.client.workflow.getHandle(first).describe();
    expect(desc.status).toBe('CANCELLED');
  });
});

describe('schedule operations', () => {
  it('refuses an existing id, a bad cron and an unknown time zone with typed errors', async () => {
    const { schedule } = await schedules();
    const base = {
      scheduleId: 's',
      spec: { cronExpressions: ['0 9 * * *'] },
      action: { type: 'startWorkflow' as const, workflowType: 'ticker', args: [1] },
    };
    await schedule.create(base);
    await expect(schedule.create(base)).rejects.toMatchObject({ code: 'already_exists' });
    await expect(
      schedule.create({ ...base, scheduleId: 't', spec: { cronExpressions: ['61 * * * *'] } }),
    ).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('"61"') });
    await expect(
      schedule.create({ ...base, scheduleId: 'u', spec: { ...base.spec, timezone: 'Mars/Base' } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('spec.timezone'),
    });
    await expect(schedule.getHandle('missing').describe()).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('pauses, triggers while paused, unpauses without catching up, and deletes', async () => {
    const { env, schedule } = await schedules();
    const handle = await schedule.create({
      scheduleId: 'p',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
    });
    await handle.pause('maintenance');
    let d = await handle.describe();
    expect(d.state).toMatchObject({ paused: true, note: 'maintenance' });
    expect(d.info.nextActionTimes).toEqual([]);
    await env.sleep(3 * 3600_000);
    await handle.trigger();
    d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(1);
    expect(d.info.recentActions[0]?.kind).toBe('trigger');
    await handle.unpause();
    await env.sleep(3600_000 + 1000);
    d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(2);
    expect(d.info.numActionsMissedCatchupWindow).toBe(0);
    await handle.delete();
    await expect(handle.describe()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('backfills a past range, one workflow per nominal time', async () => {
    const { env, schedule } = await schedules();
    const now = env.currentTimeMs;
    const handle = await schedule.create({
      scheduleId: 'b',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
      policies: { overlap: 'ALLOW_ALL' },
    });
    await handle.backfill({ start: new Date(now - 5 * 3600_000), end: new Date(now - 1) });
    const d = await handle.describe();
    expect(d.info.recentActions.filter((a) => a.kind === 'backfill').length).toBe(5);
    // Backfilling the same range again starts nothing new: the workflow ids are taken.
    await handle.backfill({ start: new Date(now - 5 * 3600_000), end: new Date(now - 1) });
    const again = await handle.describe();
    expect(again.info.numActionsTaken).toBe(5);
    expect(again.info.numActionsFailed).toBe(5);
    expect(again.info.recentActions.filter((a) => a.outcome === 'started').length).toBe(5);
  });

  it('records a fire whose workflow type does not exist as failed and goes on', async () => {
    const { env, schedule } = await schedules();
    const handle = await schedule.create({
      scheduleId: 'f',
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'noSuchWorkflow' },
    });
    await env.sleep(2 * MINUTE + 1000);
    const d = await handle.describe();
    expect(d.info.numActionsFailed).toBe(2);
    expect(d.info.recentActions[0]).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('noSuchWorkflow'),
    });
  });

  it('updates the spec atomically (read, modify, write under the conflict token)', async () => {
    const { schedule } = await schedules();
    const handle = await schedule.create({
      scheduleId: 'up',
      spec: { cronExpressions: ['0 9 * * *'] },
      action: { type: 'startWorkflow', workflowType: 'ticker', args: [1] },
    });
    await handle.update((prev) => ({ ...prev, spec: { cronExpressions: ['30 10 * * *'] } }));
    const d = await handle.describe();
    expect(d.spec.cronExpressions).toEqual(['30 10 * * *']);
    expect(d.info.nextActionTimes[0]?.getUTCHours()).toBe(10);
    expect(d.conflictToken).toBeGreaterThan(1);
  });
});
