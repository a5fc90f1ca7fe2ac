// Drivers of the introductory samples: one workflow, a few activities, driven by client.ts.
import { MockActivityEnvironment } from '../../../src/testing/index.js';
import { assert } from '../check.js';
import type { Activities, Sample } from '../types.js';

const helloWorld: Sample = {
  name: 'hello-world',
  workflows: 'src/workflows.ts',
  taskQueue: 'hello-world',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.ts'),
  // client.ts, mocha workflows.test.ts, activities.test.ts
  async run(env, ctx) {
    const h = await env.client.workflow.start('example', {
      args: ['Temporal'],
      workflowId: 'workflow-hw',
    });
    assert.equal(await h.result(), 'Hello, Temporal!');
    // activities.test.ts: MockActivityEnvironment runs the activity outside a worker.
    const acts = await ctx.load<{ greet: (n: string) => Promise<string> }>('src/activities.ts');
    assert.equal(
      await new MockActivityEnvironment().run(acts.greet, 'Temporal'),
      'Hello, Temporal!',
    );
  },
};

const helloWorldJs: Sample = {
  name: 'hello-world-js',
  workflows: 'src/workflows.js',
  taskQueue: 'hello-javascript',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.js'),
  async run(env) {
    const r = await env.client.workflow.execute('example', {
      workflowId: 'my-business-id',
      args: ['Temporal'],
    });
    assert.equal(r, 'Hello, Temporal!');
  },
};

const dependencyInjection: Sample = {
  name: 'activities-dependency-injection',
  workflows: 'src/workflows.ts',
  taskQueue: 'dependency-injection',
  activityUse: 'unchanged',
  // worker.ts: createActivities(db) with its mock db
  async activities(ctx) {
    const m = await ctx.load<{ createActivities: (db: unknown) => Activities }>(
      'src/activities.ts',
    );
    return m.createActivities({ get: () => Promise.resolve('Temporal') });
  },
  async run(env) {
    const r = await env.client.workflow.execute('dependencyWF', {
      workflowId: 'dependency-injection',
    });
    assert.match(String(r), /Temporal/);
  },
};

const childWorkflows: Sample = {
  name: 'child-workflows',
  workflows: 'src/workflows.ts',
  taskQueue: 'child-workflows',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env) {
    const r = await env.client.workflow.execute('parentWorkflow', {
      workflowId: 'parent-sample-0',
      args: ['Alice', 'Bob', 'Charlie'],
    });
    const want = ['Alice', 'Bob', 'Charlie'].map((n) => `I am a child named ${n}`).join('\n');
    assert.equal(r, want);
  },
};

const continueAsNew: Sample = {
  name: 'continue-as-new',
  workflows: 'src/workflows.ts',
  taskQueue: 'continue-as-new',
  activityUse: 'none',
  async run(env) {
    const r = await env.client.workflow.execute('loopingWorkflow', { workflowId: 'loop-0' });
    assert.equal(r, undefined);
    const d = await env.client.workflow.getHandle('loop-0').describe();
    assert.equal(d.status, 'COMPLETED');
    const all = await env.client.workflow.list({ workflowType: 'loopingWorkflow' });
    const continued = all.items.filter((i) => i.status === 'CONTINUED_AS_NEW');
    assert.equal(
      continued.length,
      10,
      `10 continued runs: ${all.items.map((i) => i.status).join(',')}`,
    );
  },
};

const customLogger: Sample = {
  name: 'custom-logger',
  workflows: 'src/workflows/index.ts',
  taskQueue: 'custom-logger',
  activityUse: 'unchanged',
  note: "worker.ts routes the SDK's own logs to winston (Runtime.install logger, Temporal worker infrastructure; Aion's equivalent is the engine logger option): not driven; the workflow and activity logging runs",
  activities: (ctx) => ctx.load('src/activities/index.ts'),
  async run(env) {
    await env.client.workflow.execute('logSampleWorkflow', { workflowId: 'workflow-log' });
  },
};

const dslInterpreter: Sample = {
  name: 'dsl-interpreter',
  workflows: 'src/workflows.ts',
  taskQueue: 'dsl-interpreter',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.ts'),
  // client.ts with its default DSL (workflow1.yaml)
  async run(env) {
    const step = (name: string, args: string[], result: string) => ({
      activity: { name, arguments: args, result },
    });
    const dsl = {
      variables: { arg1: 'value1', arg2: 'value2' },
      root: {
        sequence: {
          elements: [
            step('activity1', ['arg1'], 'result1'),
            step('activity2', ['result1'], 'result2'),
            step('activity3', ['arg2', 'result2'], 'result3'),
          ],
        },
      },
    };
    await env.client.workflow.execute('DSLInterpreter', { workflowId: 'my-dsl-id', args: [dsl] });
  },
};

const eagerWorkflowStart: Sample = {
  name: 'eager-workflow-start',
  workflows: 'src/workflows.ts',
  taskQueue: 'eager-workflow-start',
  activityUse: 'unchanged',
  note: 'requestEagerStart is accepted (an embedded start runs its first activation at once); handle.eagerlyStarted does not exist: the test check eagerlyStarted === true is skipped',
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env) {
    // test/workflows.test.ts
    const h = await env.client.workflow.start('eagerWorkflow', {
      args: ['Temporal'],
      workflowId: 'test',
      requestEagerStart: true,
    });
    assert.equal(await h.result(), 'Hello, Temporal!');
  },
};

const batchSlidingWindow: Sample = {
  name: 'batch-sliding-window',
  workflows: 'src/workflows.ts',
  taskQueue: 'batch-sliding-window',
  activityUse: 'unchanged',
  async activities(ctx) {
    const m = await ctx.load<{ createActivities: (n: number) => Activities }>('src/activities.ts');
    return m.createActivities(90);
  },
  async run(env) {
    const r = await env.client.workflow.execute('processBatchWorkflow', {
      workflowId: 'batch-sliding-window-1',
      args: [{ pageSize: 5, slidingWindowSize: 10, partitions: 3 }],
    });
    assert.equal(r, 90);
  },
};

const expense: Sample = {
  name: 'expense',
  workflows: 'src/workflows.ts',
  taskQueue: 'expense',
  activityUse: 'stubbed-endpoint',
  note: "the activities POST to the sample's own expense server (localhost:3000) through axios: axios is a recording stand-in",
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env) {
    // clients/timeout.ts
    const t = await env.client.workflow.execute('expense', {
      workflowId: 'exp-timeout',
      args: ['exp-timeout', '1s'],
    });
    assert.equal((t as { status: string }).status, 'TIMED_OUT');
    // clients/approve.ts
    const h = await env.client.workflow.start('expense', {
      workflowId: 'my-business-id',
      args: ['my-business-id'],
    });
    await h.signal('approve');
    assert.deepEqual(await h.result(), { status: 'COMPLETED' });
  },
};

export function basicSamples(): Sample[] {
  return [
    helloWorld,
    helloWorldJs,
    dependencyInjection,
    childWorkflows,
    continueAsNew,
    customLogger,
    dslInterpreter,
    eagerWorkflowStart,
    batchSlidingWindow,
    expense,
  ];
}
