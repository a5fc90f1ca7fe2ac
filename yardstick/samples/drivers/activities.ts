// Drivers of the samples about activities: heartbeats and cancellation, async completion,
// retries, compensations.
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledFailure, CompleteAsyncError, activityInfo } from '../../../src/activity/index.js';
import { MockActivityEnvironment } from '../../../src/testing/index.js';
import { assert, expectReject } from '../check.js';
import type { Activities, Sample, SampleContext } from '../types.js';

type FakeProgress = { fakeProgress: (sleepIntervalMs?: number) => Promise<void> };

/** The activity module alone: resumes from heartbeat details, sees cancellation as CancelledFailure. */
async function heartbeatingModuleCheck(ctx: SampleContext): Promise<void> {
  const m = await ctx.load<FakeProgress>('src/activities.ts');
  const resumed = new MockActivityEnvironment({ heartbeatDetails: 98 });
  const beats: unknown[] = [];
  resumed.on('heartbeat', (d: unknown) => beats.push(d));
  await resumed.run(m.fakeProgress, 5);
  assert.deepEqual(beats, [98, 99, 100]);
  const cancelled = new MockActivityEnvironment();
  const running = cancelled.run(m.fakeProgress, 1000);
  setTimeout(() => cancelled.cancel('test'), 50);
  const e = await expectReject(running);
  assert.ok(e instanceof CancelledFailure, `CancelledFailure, got ${String(e)}`);
}

const cancellationHeartbeating: Sample = {
  name: 'activities-cancellation-heartbeating',
  workflows: 'src/workflows.ts',
  taskQueue: 'cancellation-heartbeating',
  activityUse: 'unchanged',
  local: true,
  note: 'client.ts waits 40 s before cancelling: 3 s here (the activity heartbeats every second)',
  activities: (ctx) => ctx.load('src/activities.ts'),
  activityCheck: heartbeatingModuleCheck,
  // client.ts: start, wait, cancel; result() fails with WorkflowFailedError caused by CancelledFailure
  async run(env) {
    const h = await env.client.workflow.start('runCancellableActivity', {
      workflowId: 'cancellation-heartbeating-0',
    });
    await delay(3000);
    const d = await h.describe();
    const details = d.pendingActivities[0]?.heartbeatDetails;
    assert.ok(Number(details) >= 1, `heartbeats recorded: ${JSON.stringify(d.pendingActivities)}`);
    await h.cancel();
    const e = (await expectReject(h.result())) as Error & { cause?: { name?: string } };
    assert.equal(e.name, 'WorkflowFailedError', String(e));
    assert.equal(e.cause?.name, 'CancelledFailure', String(e));
    assert.equal((await h.describe()).status, 'CANCELLED');
    // WAIT_CANCELLATION_COMPLETED: the activity's cancellation is recorded before the run ends
    const types = (await h.fetchHistory()).events.map((ev) => ev.type);
    assert.ok(types.includes('ActivityCancelled'), `activity cancelled: ${types.join(',')}`);
  },
};

type Example = {
  impl: () => Promise<string>;
  complete?: (taskToken: string, result: unknown) => Promise<void>;
};

/** The mocha test's stubbed makeHTTPRequest, and async-completion.ts done by the engine. */
function examplesActivities(ex: Example): Activities {
  return {
    makeHTTPRequest: () => ex.impl(),
    completeSomethingAsync() {
      const { taskToken } = activityInfo();
      setTimeout(() => {
        ex.complete?.(taskToken, "Job's done!").catch((e) => console.error('completion failed', e));
      }, 1000);
      return Promise.reject(new CompleteAsyncError());
    },
  };
}

/** The mocha test's three cases (its sinon-stubbed makeHTTPRequest). */
async function examplesTest(env: Parameters<Sample['run']>[0], ex: Example): Promise<void> {
  const c = env.client.workflow;
  const http = (workflowId: string) =>
    c.execute('httpWorkflow', { workflowId, workflowExecutionTimeout: 10_000 });
  ex.impl = () => Promise.resolve('42');
  assert.equal(await http('test-1'), 'The answer is 42');
  let calls = 0;
  ex.impl = () =>
    ++calls === 1 ? Promise.reject(new Error('example error')) : Promise.resolve('88');
  assert.equal(await http('test-2'), 'The answer is 88');
  assert.equal(calls, 2);
  ex.impl = () => Promise.reject(new Error('example error'));
  type Chain = { name: string; message: string; cause?: Chain };
  const e = (await expectReject(http('test-3'))) as Chain;
  assert.equal(e.name, 'WorkflowFailedError');
  assert.equal(e.cause?.name, 'ActivityFailure');
  assert.equal(e.cause?.cause?.name, 'ApplicationFailure');
  assert.equal(e.cause?.cause?.message, 'example error');
}

function activitiesExamples(): Sample {
  const ex: Example = { impl: () => Promise.resolve('42') };
  return {
    name: 'activities-examples',
    workflows: 'src/workflows.ts',
    taskQueue: 'activities-examples',
    local: true, // the mocha test uses createLocal; async completion comes after 1 s of wall clock
    activityUse: 'needs-client',
    note: "async-completion.ts imports @temporalio/client (new Client(), client.activity.complete): replaced by a driver activity that throws CompleteAsyncError and completes through the environment's client.activity.complete (the module itself builds its own Client over a connection); make-http-request.ts runs unchanged against the axios stand-in; the mocha test's cases use its stubbed makeHTTPRequest",
    activities: () => Promise.resolve(examplesActivities(ex)),
    async run(env, ctx) {
      ex.complete = (token, result) => env.client.activity.complete(token, result);
      await examplesTest(env, ex);
      const m = await ctx.load<{ makeHTTPRequest: () => Promise<string> }>(
        'src/activities/make-http-request.ts',
      );
      ex.impl = m.makeHTTPRequest;
      const c = env.client.workflow;
      assert.equal(await c.execute('httpWorkflow', { workflowId: 'test-4' }), 'The answer is 42');
      const r = await c.execute('asyncActivityWorkflow', { workflowId: 'test-5' });
      assert.equal(r, "The Peon says: Job's done!");
    },
  };
}

const saga: Sample = {
  name: 'saga',
  workflows: 'src/workflows.ts',
  taskQueue: 'saga-demo',
  activityUse: 'unchanged',
  note: "worker.ts: createActivities(await createClients()), the sample's in-memory service clients",
  async activities(ctx) {
    const acts = await ctx.load<{ createActivities: (c: unknown) => Activities }>(
      'src/activities.ts',
    );
    const clients = await ctx.load<{ createClients: () => Promise<unknown> }>(
      'src/clients/index.ts',
    );
    return acts.createActivities(await clients.createClients());
  },
  // client.ts; the sample's addBankAccount throws: the workflow compensates in reverse order
  async run(env) {
    const openAccount = {
      accountId: 'acc-1',
      address: { address1: '123 Temporal Street', postalCode: '98006' },
      bankDetails: {
        accountNumber: 'n-1',
        routingNumber: '1234555',
        accountType: 'Checking',
        personalOwner: { firstName: 'Bart', lastName: 'Simpson' },
      },
      bankId: 'Foo Bar Savings and Loan',
      clientEmail: 'bart@simpson.io',
    };
    const h = await env.client.workflow.start('openAccount', {
      workflowId: 'saga-acc-1',
      args: [openAccount],
    });
    const e = (await expectReject(h.result())) as Error;
    assert.match(e.message, /add bank account failed/);
    const scheduled = (await h.fetchHistory()).events.flatMap((ev) =>
      ev.type === 'ActivityScheduled' ? [(ev as { activityType?: string }).activityType] : [],
    );
    const want = ['createAccount', 'addAddress', 'addClient', 'addBankAccount'];
    want.push('removeClient', 'clearPostalAddresses');
    assert.deepEqual(scheduled, want, `compensations in reverse order: ${scheduled.join(',')}`);
  },
};

export function activitySamples(): Sample[] {
  return [cancellationHeartbeating, activitiesExamples(), saga];
}
