// Drivers of the samples about time: timers, long sleeps, polling, a lock held for a while.
import { EventEmitter, once } from 'node:events';
import { assert } from '../check.js';
import type { Activities, Sample, SampleContext } from '../types.js';

async function mutexActivities(ctx: SampleContext, events: EventEmitter): Promise<Activities> {
  const m = await ctx.load<{ createActivities: (c: unknown) => Activities }>('src/activities.ts');
  // createActivities takes a @temporalio/client Client for signalWithStart: the Aion client.
  const client = {
    workflow: {
      signalWithStart: (w: string, o: never) => ctx.env().client.workflow.signalWithStart(w, o),
    },
  };
  // The test's stubs of notifyLocked / notifyUnlocked, reporting to the test.
  return {
    ...m.createActivities(client),
    notifyLocked: (resourceId: string, releaseSignalName: string) =>
      Promise.resolve(void events.emit('locked', { resourceId, releaseSignalName })),
    notifyUnlocked: (resourceId: string) =>
      Promise.resolve(void events.emit('unlocked', { resourceId })),
  };
}

function mutex(): Sample {
  const events = new EventEmitter();
  return {
    name: 'mutex',
    local: true,
    workflows: 'src/workflows.ts',
    activityUse: 'needs-client',
    note: 'createActivities(client) takes a @temporalio/client Client and calls client.workflow.signalWithStart: given the Aion client (same call shape), the module itself unchanged. On a time-skipping environment the test hangs (time passes only while results are awaited or env.sleep runs; the activity sleeps while the test awaits an event): run on the wall clock',
    activities: (ctx) => mutexActivities(ctx, events),
    // test/workflows.test.ts, both cases
    async run(env) {
      const c = env.client.workflow;
      const gotLocked = once(events, 'locked');
      await c.start('oneAtATimeWorkflow', { workflowId: 'test-1', args: ['lock-1', 1000, 1500] });
      await gotLocked;
      const lock1 = c.getHandle('lock-1');
      assert.equal(await lock1.query('current-workflow-id'), 'test-1');
      await once(events, 'unlocked');
      assert.equal(await lock1.query('current-workflow-id'), null);

      const lockedAgain = once(events, 'locked');
      await c.start('oneAtATimeWorkflow', { workflowId: 'test-2', args: ['lock-2', 10000] });
      await lockedAgain;
      const lock2 = c.getHandle('lock-2');
      assert.equal(await lock2.query('current-workflow-id'), 'test-2');
      await c.start('oneAtATimeWorkflow', { workflowId: 'test-3', args: ['lock-2', 10000] });
      await env.sleep('100ms');
      assert.equal(await lock2.query('current-workflow-id'), 'test-2');
      await env.sleep('1200ms');
      assert.equal(await lock2.query('current-workflow-id'), 'test-3');
    },
  };
}

const pollingInfrequent: Sample = {
  name: 'polling/infrequent',
  workflows: 'src/workflows.ts',
  taskQueue: 'infrequent-activity-polling-task-queue',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.ts'),
  // test/workflows.test.ts
  async run(env) {
    const h = await env.client.workflow.start('greetingWorkflow', {
      args: ['Temporal'],
      workflowId: 'poll-1',
    });
    await env.sleep('241s');
    assert.equal(await h.result(), 'Hello, Temporal!');
  },
};

function sleepForDays(): Sample {
  const emails = { sent: 0 };
  return {
    name: 'sleep-for-days',
    workflows: 'src/workflows.ts',
    taskQueue: 'sleep-for-days',
    activityUse: 'unchanged',
    async activities(ctx) {
      const m = await ctx.load<{ sendEmail: (msg: string) => Promise<void> }>('src/activities.ts');
      // The test counts calls with a sinon spy: counted around the unchanged activity.
      return { sendEmail: (msg: string) => (emails.sent++, m.sendEmail(msg)) };
    },
    // test/workflows.test.ts
    async run(env) {
      const h = await env.client.workflow.start('sleepForDays', { workflowId: 'sfd-1' });
      const start = env.currentTimeMs;
      await env.sleep('5m');
      assert.equal(emails.sent, 1);
      await env.sleep('90d');
      assert.equal(emails.sent, 4);
      await h.signal('complete');
      assert.equal(emails.sent, 4);
      assert.ok(env.currentTimeMs - start > 90 * 24 * 3600 * 1000);
      await h.result();
    },
  };
}

const timerProgress: Sample = {
  name: 'timer-progress',
  workflows: 'src/workflows.ts',
  taskQueue: 'timer-progress',
  activityUse: 'none',
  // client.ts
  async run(env) {
    const h = await env.client.workflow.start('progress', { workflowId: 'progress-0' });
    await env.sleep('2s');
    const v = await h.query<number>('getProgress');
    assert.ok(v >= 10 && v <= 30, `progress after 2 s: ${v}`);
    await h.result();
  },
};

type TimerMode = 'real' | 'slow' | 'fast';

/** The test's mocked activities (slow: the order takes 2 days) or the unchanged module (real). */
async function timerActivities(
  ctx: SampleContext,
  state: { mode: TimerMode; emailSent: boolean },
): Promise<Activities> {
  const m = await ctx.load<{ createActivities: (o: unknown) => Activities }>('src/activities.ts');
  const real = m.createActivities({ from: 'Temporal Bot <temporal@undefined>' });
  return {
    async processOrder() {
      if (state.mode === 'real') return real['processOrder']!();
      if (state.mode === 'slow') await ctx.env().sleep('2 days');
      return undefined;
    },
    async sendNotificationEmail() {
      state.emailSent = true;
      return state.mode === 'real' ? real['sendNotificationEmail']!() : undefined;
    },
  };
}

function timerExamples(): Sample {
  const state = { mode: 'real' as TimerMode, emailSent: false };
  return {
    name: 'timer-examples',
    workflows: 'src/workflows.ts',
    taskQueue: 'timer-examples',
    activityUse: 'stubbed-endpoint',
    note: "sendNotificationEmail calls Mailgun through axios only when MAILGUN_* are set (they are not: it logs and skips), axios is a stand-in only to load; the test's two cases use its mocked activities (the slow one sleeps 2 days inside the activity), the clients the unchanged module",
    activities: (ctx) => timerActivities(ctx, state),
    async run(env) {
      const c = env.client.workflow;
      const run = async (mode: TimerMode, id: string, orderMs: number, emailMs: number) => {
        state.mode = mode;
        state.emailSent = false;
        const args = [{ orderProcessingMS: orderMs, sendDelayedEmailTimeoutMS: emailMs }];
        return c.execute('processOrderWorkflow', { workflowId: id, args });
      };
      // test/workflows.test.ts
      await run('slow', 'test-slow', 3 * 86400_000, 86400_000);
      assert.ok(state.emailSent, 'email sent when the order is slow');
      await run('fast', 'test-fast', 3 * 86400_000, 86400_000);
      assert.equal(state.emailSent, false);
      // clients/fast.ts, clients/slow.ts
      assert.equal(await run('real', 'process-order-fast', 100, 1000), 'Order completed!');
      assert.equal(state.emailSent, false);
      assert.equal(await run('real', 'process-order-slow', 1000, 100), 'Order completed!');
      assert.ok(state.emailSent);
      // clients/updating-timer.ts
      const h = await c.start('countdownWorkflow', { workflowId: 'countdown-0' });
      assert.equal(typeof (await h.query('timeLeft')), 'number');
      await h.signal('setDeadline', env.currentTimeMs + 3000);
      const left = await h.query<number>('timeLeft');
      assert.ok(left <= 3000 && left > 0, `timeLeft ${left}`);
      await h.result();
    },
  };
}

export function timerSamples(): Sample[] {
  return [mutex(), pollingInfrequent, sleepForDays(), timerExamples(), timerProgress];
}
