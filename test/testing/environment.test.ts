import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/activity/index.js';
import type { HistoryEvent } from '../../src/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';

const workflowsPath = new URL('../fixtures/testing/workflows.ts', import.meta.url).pathname;

const DAY = 24 * 3600_000;
const START = Date.UTC(2026, 0, 1);

const activities = {
  fetchGreeting: async (name: string) => {
    // Real asynchronous I/O: time skipping must wait for it, not run past it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return `Hello, ${name}`;
  },
  charge: async (amount: number) => `receipt-${amount}`,
  // Never finishes by itself; rejects when the attempt is aborted (timeout or cancel).
  hang: () => Context.current().cancelled,
  flaky: async () => {
    const { attempt } = Context.current().info;
    if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
    return attempt;
  },
};

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

async function timeSkipping(): Promise<TestWorkflowEnvironment> {
  env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, activities });
  return env;
}

function eventsOf<T extends HistoryEvent['type']>(
  events: readonly HistoryEvent[],
  type: T,
): Extract<HistoryEvent, { type: T }>[] {
  return events.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);
}

describe('TestWorkflowEnvironment.createTimeSkipping', () => {
  it('completes a 30-day sleep at once, firing the timer at start + 30 days', async () => {
    const e = await timeSkipping();
    expect(e.currentTimeMs).toBe(START);
    const wallStart = performance.now();
    const handle = await e.client.workflow.start('longSleep', { workflowId: 'sleepy' });
    const result = (await handle.result()) as { before: number; after: number };
    const wallMs = performance.now() - wallStart;
    expect(wallMs).toBeLessThan(1000);
    expect(result).toEqual({ before: START, after: START + 30 * DAY });
    const events = (await handle.fetchHistory()).events;
    const [fired] = eventsOf(events, 'TimerFired');
    expect(fired?.recordedAt).toBe(START + 30 * DAY);
    expect(eventsOf(events, 'WorkflowCompleted')[0]?.recordedAt).toBe(START + 30 * DAY);
    expect(e.currentTimeMs).toBe(START + 30 * DAY);
  });

  it('takes the timeout branch of condition() after one virtual day', async () => {
    const e = await timeSkipping();
    const handle = await e.client.workflow.start('approval', { args: ['1 day'] });
    expect(await handle.result()).toEqual({ approved: false });
    const events = (await handle.fetchHistory()).events;
    expect(eventsOf(events, 'TimerFired')[0]?.recordedAt).toBe(START + DAY);
    expect(eventsOf(events, 'WorkflowCompleted')[0]?.recordedAt).toBe(START + DAY);
  });

  it('lets a signal sent at virtual day 2 win over a 7-day timeout', async () => {
    const e = await timeSkipping();
    const handle = await e.client.workflow.start('approval', { args: ['7 days'] });
    await e.sleep('2 days');
    expect(e.currentTimeMs).toBe(START + 2 * DAY);
    await handle.signal('approve', 'ada');
    expect(await handle.result()).toEqual({ approved: true, by: 'ada' });
    const events = (await handle.fetchHistory()).events;
    expect(eventsOf(events, 'SignalReceived')[0]?.recordedAt).toBe(START + 2 * DAY);
    expect(eventsOf(events, 'TimerFired')).toEqual([]);
    expect(eventsOf(events, 'TimerCancelled')).toHaveLength(1);
    expect(eventsOf(events, 'WorkflowCompleted')[0]?.recordedAt).toBe(START + 2 * DAY);
    // The 7-day timer was cancelled: nothing pulled time forward to it.
    expect(e.currentTimeMs).toBeLessThan(START + 7 * DAY);
  });

  it('runs an activity with real async I/O between skipped timers', async () => {
    const e = await timeSkipping();
    const wallStart = performance.now();
    const result = await e.client.workflow.execute('greetLater', {
      workflowId: 'greeter',
      args: ['Ada'],
    });
    expect(result).toBe('Hello, Ada');
    expect(performance.now() - wallStart).toBeLessThan(2000);
    const events = (await e.client.workflow.getHandle('greeter').fetchHistory()).events;
    const [first, second] = eventsOf(events, 'TimerFired');
    const [completed] = eventsOf(events, 'ActivityCompleted');
    expect(first?.recordedAt).toBe(START + DAY);
    // Virtual time did not jump while the attempt ran: it followed wall time (~20 ms).
    expect(completed!.recordedAt - START - DAY).toBeGreaterThanOrEqual(0);
    expect(completed!.recordedAt - START - DAY).toBeLessThan(5000);
    expect(second?.recordedAt).toBe(completed!.recordedAt + DAY);
  });

  it('skips to activity retries at their backoff time', async () => {
    const e = await timeSkipping();
    const handle = await e.client.workflow.start('retried');
    expect(await handle.result()).toBe(3);
    const [completed] = eventsOf((await handle.fetchHistory()).events, 'ActivityCompleted');
    expect(completed).toMatchObject({ attempt: 3 });
    // Attempts at 0, +10 min and +30 min (coefficient 2), each taking a few ms of wall time.
    const elapsed = completed!.recordedAt - START;
    expect(elapsed).toBeGreaterThanOrEqual(30 * 60_000);
    expect(elapsed).toBeLessThan(30 * 60_000 + 5000);
  });

  it('skips time for several concurrent result waits', async () => {
    const e = await timeSkipping();
    const [a, b, c] = await Promise.all([
      e.client.workflow.execute('approval', { args: ['3 days'] }),
      e.client.workflow.execute('longSleep'),
      e.client.workflow.execute('ticker', { args: [50] }),
    ]);
    expect(a).toEqual({ approved: false });
    expect(b).toEqual({ before: START, after: START + 30 * DAY });
    expect(c).toBe(50);
  });

  it('fails a result wait with deadline_exceeded after maxTimeSkips jumps', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath,
      activities,
      maxTimeSkips: 20,
    });
    const handle = await env.client.workflow.start('ticker', { args: [1000] });
    await expect(handle.result()).rejects.toMatchObject({
      code: 'deadline_exceeded',
      message: expect.stringContaining('time skipping gave up after 20 jumps') as unknown,
    });
  });

  it('jumps straight to far timers, not through the engine idle polls', async () => {
    // Stopping at each 60 s idle poll would take 5,259,600 jumps for 10 years.
    env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath,
      activities,
      maxTimeSkips: 5,
    });
    const firedAt = await env.client.workflow.execute('sleepFor', { args: ['10 years'] });
    expect(firedAt).toBe(START + 10 * 365.25 * DAY);
    await env.sleep('1 year');
    expect(env.currentTimeMs).toBe(START + 11 * 365.25 * DAY);
  });

  it('advances time explicitly with env.sleep, even while an activity attempt hangs', async () => {
    const e = await timeSkipping();
    const handle = await e.client.workflow.start('hanging');
    // The attempt never ends by itself; its 1-minute start-to-close timeout does.
    await e.sleep('2 minutes');
    const result = (await handle.result()) as string;
    expect(result).toMatch(/^failed: /);
    const [timedOut] = eventsOf((await handle.fetchHistory()).events, 'ActivityTimedOut');
    expect(timedOut).toMatchObject({ timeoutType: 'START_TO_CLOSE' });
    expect(timedOut!.recordedAt).toBe(START + 60_000);
  });

  it('waits without spinning while nothing is scheduled, and teardown ends the wait', async () => {
    const e = await timeSkipping();
    const handle = await e.client.workflow.start('approvalForever');
    const pending = handle.result();
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cpu = process.cpuUsage(cpuBefore);
    // A busy loop would burn ~300 ms of CPU here.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(150);
    expect(e.currentTimeMs).toBe(START);
    await handle.signal('approve', 'grace');
    expect(await pending).toBe('grace');

    const stuck = (await e.client.workflow.start('approvalForever')).result();
    const outcome = expect(stuck).rejects.toMatchObject({ code: 'invalid_state' });
    await e.teardown();
    await outcome;
  });

  it('starts virtual time where asked and rejects bad options', async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath,
      activities,
      start: new Date('2030-06-01T00:00:00Z'),
    });
    expect(env.supportsTimeSkipping).toBe(true);
    expect(env.currentTimeMs).toBe(Date.UTC(2030, 5, 1));
    await expect(
      TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, maxTimeSkips: 0 }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(env.sleep('-1s')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('TestWorkflowEnvironment.createLocal', () => {
  it('runs on the wall clock', async () => {
    env = await TestWorkflowEnvironment.createLocal({ workflowsPath, activities });
    expect(env.supportsTimeSkipping).toBe(false);
    expect(Math.abs(env.currentTimeMs - Date.now())).toBeLessThan(1000);
    const before = Date.now();
    await env.sleep(30);
    expect(Date.now() - before).toBeGreaterThanOrEqual(25);
    const handle = await env.client.workflow.start('approval', { args: ['50ms'] });
    expect(await handle.result()).toEqual({ approved: false });
    const [fired] = eventsOf((await handle.fetchHistory()).events, 'TimerFired');
    expect(fired!.recordedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('TestWorkflowEnvironment.teardown', () => {
  it('returns promptly while an activity attempt is still running (time skipping)', async () => {
    const e = await timeSkipping();
    await e.client.workflow.start('hanging', { workflowId: 'still-running' });
    const deadline = Date.now() + 30_000;
    while (e.engine.stats.runningActivities === 0) {
      if (Date.now() > deadline) throw new Error('the activity did not start');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Virtual time stands still here (nobody awaits a result): only host time can end it.
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      e.teardown().then(() => 'returned'),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve('hung'), 30_000);
      }),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('returned');
    expect(e.currentTimeMs).toBe(START);
  }, 60_000);
});
