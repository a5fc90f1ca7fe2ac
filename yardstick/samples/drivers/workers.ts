// Drivers of the samples about worker set-up: sinks, replay, versions, several task queues,
// search attributes, start options.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from '../../../src/server/index.js';
import type { HistoryExport } from '../../../src/index.js';
import { TestWorkflowEnvironment, replayHistory } from '../../../src/testing/index.js';
import { Worker } from '../../../src/worker/index.js';
import { assert, expectReject } from '../check.js';
import type { Activities, Sample, SampleContext } from '../types.js';

function sinks(): Sample {
  const calls: unknown[] = [];
  return {
    name: 'sinks',
    workflows: 'src/workflows.ts',
    taskQueue: 'sinks',
    activityUse: 'none',
    note: 'worker.ts injects an alerter.alert sink (callDuringReplay false): the engine sinks option',
    engine: {
      sinks: {
        alerter: {
          alert: {
            fn: (info: { workflowId: string }, message: string) =>
              calls.push({ workflowId: info.workflowId, message }),
            callDuringReplay: false,
          },
        },
      },
    },
    async run(env) {
      const r = await env.client.workflow.execute('sinkWorkflow', { workflowId: 'log-sample-0' });
      assert.equal(r, 'Hello, Temporal!');
      const message = 'alerter: Workflow Execution started';
      assert.deepEqual(calls, [{ workflowId: 'log-sample-0', message }]);
    },
  };
}

const vscodeDebugger: Sample = {
  name: 'vscode-debugger',
  workflows: 'src/workflows.ts',
  taskQueue: 'replay-demo',
  activityUse: 'unchanged',
  note: 'debug-replayer.ts (replay inside the IDE debugger) is not driven; the run is replayed with replayHistory instead',
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env, ctx) {
    const h = await env.client.workflow.start('humanVerificationWorkflow', {
      workflowId: 'workflow-v',
      args: ['4 + 20 = 420'],
    });
    await env.sleep('1s');
    await h.signal('verify');
    await h.result();
    await replayHistory(await h.fetchHistory(), ctx.path('src/workflows.ts'));
  },
};

const UNIQUE_QUEUE = 'unique-worker-queue-1';

/** worker.ts's second worker: the per-worker queue, served by a worker over HTTP. */
async function withUniqueQueueWorker(
  env: TestWorkflowEnvironment,
  activities: Activities,
  body: () => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-yardstick-wstq-'));
  const config = { port: 0, auth: false, dataDir, logLevel: 'silent' as const };
  const server = await createServer({ engine: env.engine, config });
  const { port } = await server.listen();
  const worker = await Worker.create({
    connection: { address: `http://127.0.0.1:${port}` },
    taskQueue: UNIQUE_QUEUE,
    activities,
  });
  const running = worker.run();
  try {
    await body();
  } finally {
    await worker.shutdown();
    await running;
    await server.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type WstqModule = {
  createNormalActivities: (queue: string) => Activities;
  createActivitiesForSameWorker: () => Activities;
};

const workerSpecificTaskQueues: Sample = {
  name: 'worker-specific-task-queues',
  workflows: 'src/workflows.ts',
  taskQueue: 'normal-task-queue',
  activityUse: 'unchanged',
  local: true,
  note: 'worker.ts runs two workers: normal-task-queue in process; the per-worker queue by an aion/worker Worker connected to an aion server on the same engine (auth off, loopback)',
  async activities(ctx) {
    const m = await ctx.load<WstqModule>('src/activities.ts');
    return m.createNormalActivities(UNIQUE_QUEUE);
  },
  async run(env, ctx) {
    const m = await ctx.load<WstqModule>('src/activities.ts');
    await withUniqueQueueWorker(env, m.createActivitiesForSameWorker(), async () => {
      await env.client.workflow.execute('fileProcessingWorkflow', {
        workflowId: 'file-processing-0',
      });
    });
  },
};

/** A run of `myWorkflow` on one version of the workflow code, and its history. */
async function patchingRun(ctx: SampleContext, version: string): Promise<HistoryExport> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath: ctx.path(`src/workflows-${version}.ts`),
    activities: await ctx.load('src/activities/index.ts'),
    taskQueue: 'patching',
  });
  try {
    const h = await env.client.workflow.start('myWorkflow', {
      workflowId: `patching-workflows-${version}`,
    });
    await h.result();
    return await h.fetchHistory();
  } finally {
    await env.teardown();
  }
}

const patchingApi: Sample = {
  name: 'patching-api',
  workflows: 'src/workflows.ts',
  taskQueue: 'patching',
  activityUse: 'unchanged',
  note: 'the sample swaps the worker code v1 -> v2 -> v3 under a running workflow: driven as runs on v1 and v2 whose histories are replayed against v2 and v3 (v1 against v3 must diverge), then client.ts on the final code',
  activities: (ctx) => ctx.load('src/activities/index.ts'),
  async run(env, ctx) {
    const v1 = await patchingRun(ctx, 'v1');
    const v2 = await patchingRun(ctx, 'v2');
    await replayHistory(v1, ctx.path('src/workflows-v2.ts'));
    await replayHistory(v2, ctx.path('src/workflows-v3.ts'));
    await expectReject(replayHistory(v1, ctx.path('src/workflows-v3.ts')));
    const h = await env.client.workflow.start('myWorkflow', {
      workflowId: 'patching-workflows-v3',
    });
    await h.result();
  },
};

const searchAttributes: Sample = {
  name: 'search-attributes',
  workflows: 'src/workflows.ts',
  taskQueue: 'search-attributes',
  activityUse: 'none',
  note: 'client-operator-service.ts (operatorService.addSearchAttributes) translated to engine.registerSearchAttributes',
  async run(env) {
    await env.engine.registerSearchAttributes({
      CustomIntField: 'Int',
      CustomKeywordListField: 'KeywordList',
      CustomBoolField: 'Bool',
      CustomDatetimeField: 'Datetime',
      CustomTextField: 'Text',
      CustomDoubleField: 'Double',
    });
    const h = await env.client.workflow.start('example', {
      workflowId: 'search-attributes-example-0',
      searchAttributes: {
        CustomIntField: [2],
        CustomKeywordListField: ['keywordA', 'keywordB'],
        CustomBoolField: [true],
        CustomDatetimeField: [new Date()],
        CustomTextField: ['String field is for text.'],
      },
    });
    const d = await h.describe();
    assert.ok(d.searchAttributes['CustomIntField'] !== undefined, 'attributes set at start');
    const end = (await h.result()) as Record<string, unknown[]>;
    assert.deepEqual(end['CustomIntField'], [3]);
    assert.deepEqual(end['CustomDoubleField'], [3.14]);
    assert.equal(end['CustomBoolField'], undefined);
    assert.deepEqual(end['CustomKeywordListField'], ['keywordA', 'keywordB']);
  },
};

const snippets: Sample = {
  name: 'snippets',
  workflows: 'src/workflows.ts',
  taskQueue: 'snippets',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('src/activities.ts'),
  async run(env) {
    // client.ts: retry { maximumAttempts: 3 } on a workflow that fails at random (p = 0.6);
    // passed as a variable so that a client that does not know `retry` still type-checks
    const options = { workflowId: 'workflow-snip', retry: { maximumAttempts: 3 } };
    const h = await env.client.workflow.start('example', options);
    const outcome = await h.result().then(
      () => 'COMPLETED',
      (e: unknown) => `failed: ${String(e)}`,
    );
    // Each attempt is a run of the same workflow id: failed runs, then the last one.
    const runs = (await env.client.workflow.list({ workflowType: 'example' })).items;
    const statuses = runs.map((r) => r.status).join(',');
    if (outcome === 'COMPLETED') {
      assert.ok(runs.length <= 3, `at most 3 attempts: ${statuses}`);
      assert.equal(runs.filter((r) => r.status === 'COMPLETED').length, 1, statuses);
    } else {
      assert.equal(runs.length, 3, `${outcome} after 3 attempts: ${statuses}`);
      assert.ok(
        runs.every((r) => r.status === 'FAILED'),
        statuses,
      );
    }
    // the workflow timeouts of _snippets() (on helloWorld, whose result is checked)
    const timeouts = [
      { workflowTaskTimeout: '1 minute' },
      { workflowRunTimeout: '1 minute' },
      { workflowExecutionTimeout: '1 day' },
    ];
    for (const [i, o] of timeouts.entries()) {
      const r = await env.client.workflow.execute('helloWorld', { workflowId: `snip-${i}`, ...o });
      assert.equal(r, '👋 Hello World!');
    }
  },
};

export function workerSamples(): Sample[] {
  return [
    sinks(),
    vscodeDebugger,
    workerSpecificTaskQueues,
    patchingApi,
    searchAttributes,
    snippets,
  ];
}
