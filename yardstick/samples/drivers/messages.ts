// Drivers of the message-passing samples: signals, queries, updates, update-with-start.
import { WithStartWorkflowOperation, type WorkflowClient } from '../../../src/index.js';
import { assert, expectReject } from '../check.js';
import type { Activities, Sample } from '../types.js';

const earlyReturn: Sample = {
  name: 'early-return',
  local: true, // its mocha test uses createLocal; the update waits on a 500 ms workflow timer
  workflows: 'src/workflows.ts',
  taskQueue: 'early-return',
  activityUse: 'none',
  note: 'the test builds the operation with `new WithStartWorkflowOperation(...)`; Aion types its constructor private, so the driver calls WithStartWorkflowOperation.create',
  // test/workflows.test.ts: executeUpdateWithStart, then the run's result through the operation
  async run(env) {
    const startOp = WithStartWorkflowOperation.create('transactionWorkflow', {
      workflowId: 'transaction-early-return',
      taskQueue: 'early-return',
      workflowIdConflictPolicy: 'FAIL',
    });
    const confirmation = await env.client.workflow.executeUpdateWithStart<{ status: string }>(
      'get-transaction-confirmation',
      { startWorkflowOperation: startOp },
    );
    assert.equal(confirmation.status, 'confirmed');
    const handle = await startOp.workflowHandle();
    const report = (await handle.result()) as { status: string; finalAmount: number };
    assert.equal(report.status, 'complete');
    assert.equal(report.finalAmount, 77);
  },
};

const executeUpdate: Sample = {
  name: 'message-passing/execute-update',
  workflows: 'src/workflows.ts',
  taskQueue: 'my-task-queue',
  activityUse: 'none',
  // client.ts
  async run(env) {
    const h = await env.client.workflow.start('counter', { workflowId: 'counter-update' });
    assert.equal(await h.executeUpdate('fetchAndAdd', { args: [1] }), 0);
    await expectReject(h.executeUpdate('fetchAndAdd', { args: [-1] }));
    await h.executeUpdate('done');
    assert.equal(await h.result(), 1);
  },
};

/** Starts a greeting workflow, approves it and checks its greeting. */
async function greet(
  c: WorkflowClient,
  id: string,
  steps: (h: Awaited<ReturnType<WorkflowClient['start']>>) => Promise<void>,
  greeting: string,
): Promise<void> {
  const h = await c.start('greetingWorkflow', { workflowId: id });
  await steps(h);
  await h.signal('approve', { name: 'test-approver' });
  assert.equal(await h.result(), greeting);
}

/** The five cases of message-passing/introduction's mocha test. */
async function introductionTests(c: WorkflowClient): Promise<void> {
  const all = ['ARABIC', 'CHINESE', 'ENGLISH', 'FRENCH', 'HINDI', 'PORTUGUESE', 'SPANISH'];
  for (const includeUnsupported of [false, true]) {
    await greet(
      c,
      `intro-langs-${includeUnsupported}`,
      async (h) => {
        const langs = await h.query('getLanguages', { includeUnsupported });
        assert.deepEqual(langs, includeUnsupported ? all : ['CHINESE', 'ENGLISH']);
      },
      'Hello, world',
    );
  }
  await greet(
    c,
    'intro-set',
    async (h) => {
      assert.equal(await h.query('getLanguage'), 'ENGLISH');
      await h.executeUpdate('setLanguage', { args: ['CHINESE'] });
      assert.equal(await h.query('getLanguage'), 'CHINESE');
    },
    '你好，世界',
  );
  await greet(
    c,
    'intro-rejected',
    async (h) => {
      const e = await expectReject(h.executeUpdate('setLanguage', { args: ['PORTUGUESE'] }));
      assert.match(String((e as Error).message), /PORTUGUESE is not supported/);
      assert.equal(await h.query('getLanguage'), 'ENGLISH');
    },
    'Hello, world',
  );
  await greet(
    c,
    'intro-activity',
    async (h) => {
      await h.executeUpdate('setLanguageUsingActivity', { args: ['PORTUGUESE'] });
      assert.equal(await h.query('getLanguage'), 'PORTUGUESE');
    },
    'Olá mundo',
  );
}

const introduction: Sample = {
  name: 'message-passing/introduction',
  workflows: 'src/workflows.ts',
  taskQueue: 'message-passing-introduction',
  activityUse: 'unchanged',
  packages: ['async-mutex'],
  note: "the activity (callGreetingService) lives in workflows.ts and is registered from it, as the sample's worker does",
  local: true, // as its test
  async activities(ctx) {
    return (await ctx.load<{ activities: Activities }>('src/workflows.ts')).activities;
  },
  async run(env) {
    const c = env.client.workflow;
    await introductionTests(c);
    // client.ts: executeUpdate, startUpdate (ACCEPTED) + result(), an update calling an activity
    const h = await c.start('greetingWorkflow', { workflowId: 'messages-introduction' });
    assert.deepEqual(await h.query('getLanguages', { includeUnsupported: false }), [
      'CHINESE',
      'ENGLISH',
    ]);
    assert.equal(await h.executeUpdate('setLanguage', { args: ['CHINESE'] }), 'ENGLISH');
    const u = await h.startUpdate('setLanguage', { args: ['ENGLISH'], waitForStage: 'ACCEPTED' });
    assert.equal(await u.result(), 'CHINESE');
    assert.equal(await h.query('getLanguage'), 'ENGLISH');
    assert.equal(
      await h.executeUpdate('setLanguageUsingActivity', { args: ['ARABIC'] }),
      'ENGLISH',
    );
    assert.equal(await h.query('getLanguage'), 'ARABIC');
    await h.signal('approve', { name: '' });
    assert.equal(await h.result(), 'مرحبا بالعالم');
  },
};

type Allocation = { assignedNodes: number; maxAssignedNodes: number };

/** safe-message-handlers' mocha test. */
async function clusterTest(c: WorkflowClient): Promise<void> {
  const w = await c.start('clusterManagerWorkflow', { workflowId: 'cluster-manager-test' });
  await w.signal('startCluster');
  const allocate = (numNodes: number, jobName: string) =>
    w.executeUpdate<Allocation>('allocateNodesToJob', { args: [{ numNodes, jobName }] });
  const r1 = await allocate(5, 'job1');
  assert.deepEqual([r1.assignedNodes, r1.maxAssignedNodes], [5, 5]);
  const r2 = await allocate(6, 'job2');
  assert.deepEqual([r2.assignedNodes, r2.maxAssignedNodes], [11, 11]);
  await w.executeUpdate('deleteJob', { args: [{ jobName: 'job2' }] });
  const q = await w.query<Allocation>('getClusterStatus');
  assert.deepEqual([q.assignedNodes, q.maxAssignedNodes], [5, 11]);
  assert.equal(await w.executeUpdate('shutdownCluster'), true);
  assert.deepEqual(await w.result(), q);
}

const safeMessageHandlers: Sample = {
  name: 'message-passing/safe-message-handlers',
  workflows: 'src/workflows.ts',
  taskQueue: 'safe-message-handlers-task-queue',
  activityUse: 'unchanged',
  packages: ['async-mutex'],
  local: true, // as its test
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env) {
    const c = env.client.workflow;
    await clusterTest(c);
    // run-simulation.ts: concurrent updates
    const w = await c.start('clusterManagerWorkflow', {
      workflowId: 'cluster-manager-simulation',
      args: [{ testContinueAsNew: false }],
    });
    await w.signal('startCluster');
    const jobs = [0, 1, 2, 3, 4, 5].map((i) => `task-${i}`);
    await Promise.all(
      jobs.map((jobName) =>
        w.executeUpdate('allocateNodesToJob', { args: [{ numNodes: 2, jobName }] }),
      ),
    );
    await Promise.all(jobs.map((jobName) => w.executeUpdate('deleteJob', { args: [{ jobName }] })));
    assert.equal(await w.executeUpdate('shutdownCluster'), true);
    await w.result();
  },
};

const signalsQueries: Sample = {
  name: 'signals-queries',
  workflows: 'src/workflows.ts',
  taskQueue: 'signals-queries',
  activityUse: 'none',
  // the start / query / signal and start / cancel scripts
  async run(env) {
    const c = env.client.workflow;
    await c.start('unblockOrCancel', { workflowId: 'unblock-or-cancel-0' });
    const h = c.getHandle('unblock-or-cancel-0');
    assert.equal(await h.query('isBlocked'), true);
    await h.signal('unblock');
    await h.result();
    await c.start('unblockOrCancel', { workflowId: 'unblock-or-cancel-1' });
    const h2 = c.getHandle('unblock-or-cancel-1');
    await h2.cancel();
    await expectReject(h2.result());
    assert.equal((await h2.describe()).status, 'CANCELLED');
  },
};

const state: Sample = {
  name: 'state',
  workflows: 'src/workflows.ts',
  taskQueue: 'state',
  activityUse: 'none',
  async run(env) {
    await env.client.workflow.start('trackState', { workflowId: 'state-id-0' });
    const h = env.client.workflow.getHandle('state-id-0');
    assert.equal(await h.query('getValue', 'meaning-of-life'), undefined);
    await h.signal('setValue', 'meaning-of-life', 42);
    assert.equal(await h.query('getValue', 'meaning-of-life'), 42);
    await h.cancel();
    await expectReject(h.result());
    assert.equal((await h.describe()).status, 'CANCELLED');
  },
};

export function messageSamples(): Sample[] {
  return [earlyReturn, executeUpdate, introduction, safeMessageHandlers, signalsQueries, state];
}
