// Cases from `test-integration-split-two.ts`: handles, continue-as-new chains, workflow retry,
// id conflicts, activity failures.
import { ACTIVITIES } from '../activities.js';
import type { DriveContext, SdkCase } from '../case.js';
import { signals } from '../drives.js';
import { describeAfter, firstEvent } from '../drives-more.js';
import { valueOf } from './test-integration-options.js';
import { returns } from './test-workflows.js';

const TWO = 'test-integration-split-two.ts';
const KEEP = { memo: { note: 'foo' }, searchAttributes: { CustomKeywordField: ['test-value'] } };
const RETRY = { initialInterval: 1, maximumInterval: 1, maximumAttempts: 2 };

/** What Temporal compares after a continue-as-new: type, new run, memo, search attribute. */
const chainView = (firstRunId: string | undefined) => (d: Record<string, unknown>) => ({
  type: d.workflowType,
  newRun: d.runId !== firstRunId,
  memo: d.memo,
  keyword: valueOf((d.searchAttributes as Record<string, unknown> | undefined)?.CustomKeywordField),
});

/** Starts another run under the first run's id once it ended; the first handle's result. */
async function ownChainOnly(c: DriveContext, byGetHandle: boolean): Promise<unknown> {
  const { engine, handle } = c;
  const mine = byGetHandle
    ? engine.getHandle(handle.workflowId, undefined, {
        firstExecutionRunId: handle.firstExecutionRunId ?? '',
      })
    : handle;
  await handle.result().catch(() => undefined);
  const next = await engine.start('sleeper', { workflowId: handle.workflowId, args: [1_000_000] });
  try {
    return await mine.result();
  } finally {
    await next.terminate();
  }
}

export const INTEGRATION_TWO_CASES: readonly SdkCase[] = [
  {
    name: 'WorkflowHandle.result() throws if terminated',
    from: TWO,
    file: 'sleep.ts',
    type: 'sleeper',
    args: [1_000_000],
    drive: async ({ handle }) => {
      await handle.terminate('hasta la vista baby');
      return handle.result();
    },
    expect: { failure: { message: /hasta la vista baby/ } },
  },
  {
    name: 'WorkflowHandle.result() throws if continued as new',
    from: TWO,
    file: 'continue-as-new-same-workflow.ts',
    type: 'continueAsNewSameWorkflow',
    start: { followRuns: false },
    expect: { error: { name: 'WorkflowContinuedAsNewError' } },
  },
  returns('continue-as-new-same-workflow.ts', 'continueAsNewSameWorkflow', undefined, {
    name: 'WorkflowHandle.result() follows chain of execution',
    from: TWO,
    args: ['execute', 'none'],
  }),
  returns(
    'continue-as-new-to-different-workflow.ts',
    'continueAsNewToDifferentWorkflow',
    { type: 'sleeper', newRun: true, memo: {}, keyword: undefined },
    {
      name: 'continue-as-new-to-different-workflow',
      from: TWO,
      with: ['sleep.ts'],
      drive: (c) => describeAfter(chainView(c.handle.firstExecutionRunId))(c),
    },
  ),
  returns(
    'continue-as-new-same-workflow.ts',
    'continueAsNewSameWorkflow',
    {
      type: 'continueAsNewSameWorkflow',
      newRun: true,
      memo: { note: 'foo' },
      keyword: 'test-value',
    },
    {
      name: 'continue-as-new-to-same-workflow keeps memo and search attributes',
      from: TWO,
      start: KEEP,
      drive: (c) =>
        describeAfter(chainView(c.handle.firstExecutionRunId), signals(['continueAsNew']))(c),
    },
  ),
  returns(
    'continue-as-new-to-different-workflow.ts',
    'continueAsNewToDifferentWorkflow',
    { type: 'sleeper', newRun: true, memo: { note: 'foo' }, keyword: 'test-value' },
    {
      name: 'continue-as-new-to-different-workflow keeps memo and search attributes by default',
      from: TWO,
      with: ['sleep.ts'],
      start: KEEP,
      drive: (c) => describeAfter(chainView(c.handle.firstExecutionRunId))(c),
    },
  ),
  returns(
    'continue-as-new-to-different-workflow.ts',
    'continueAsNewToDifferentWorkflow',
    { type: 'sleeper', newRun: true, memo: { note: 'bar' }, keyword: 'test-value-2' },
    {
      name: 'continue-as-new-to-different-workflow can set memo and search attributes',
      from: TWO,
      with: ['sleep.ts'],
      args: [
        1,
        { memo: { note: 'bar' }, searchAttributes: { CustomKeywordField: ['test-value-2'] } },
      ],
      start: KEEP,
      drive: (c) => describeAfter(chainView(c.handle.firstExecutionRunId))(c),
    },
  ),
  {
    name: 'signalWithStart works as intended and returns correct runId',
    from: TWO,
    file: 'interrupt-signal.ts',
    type: 'interruptableWorkflow',
    drive: async ({ engine }) => {
      const h = await engine.signalWithStart('interruptableWorkflow', {
        workflowId: 'yardstick-signal-with-start',
        signal: 'interrupt',
        signalArgs: ['interrupted from signalWithStart'],
      });
      await h.result().catch(() => undefined);
      return engine.getHandle(h.workflowId, h.runId).result();
    },
    expect: {
      failure: { name: 'ApplicationFailure', message: 'interrupted from signalWithStart' },
    },
  },
  returns('activity-failures.ts', 'activityFailures', undefined, {
    name: 'activity-failures',
    from: TWO,
    activities: ACTIVITIES,
  }),
  returns(
    'unhandled-rejection.ts',
    'throwUnhandledRejection',
    { message: 'Unhandled Promise rejection: Error: unhandled rejection', root: 'root failure' },
    {
      name: 'unhandledRejection causes WFT to fail',
      from: TWO,
      args: [{ crashWorker: false }],
      activities: ACTIVITIES,
      drive: async (c) => {
        const e = await firstEvent(c, 'WorkflowTaskFailed');
        if (!e) return { status: (await c.handle.describe()).status };
        await c.handle.terminate();
        const f = (
          e as { failure?: { message?: string; cause?: { cause?: { message?: string } } } }
        )?.failure;
        return { message: f?.message, root: f?.cause?.cause?.message };
      },
    },
  ),
  returns('throw-async.ts', 'throwAsync', true, {
    name: 'Workflow RetryPolicy kicks in with retryable failure',
    from: TWO,
    args: ['retryable'],
    start: { retry: RETRY },
    drive: (c) => describeAfter((d) => d.runId !== c.handle.firstExecutionRunId)(c),
  }),
  returns(
    'throw-async.ts',
    'throwAsync',
    { status: 'FAILED', sameRun: true },
    {
      name: 'Workflow RetryPolicy ignored with nonRetryable failure',
      from: TWO,
      args: ['nonRetryable'],
      start: { retry: RETRY },
      drive: (c) =>
        describeAfter((d) => ({
          status: d.status,
          sameRun: d.runId === c.handle.firstExecutionRunId,
        }))(c),
    },
  ),
  {
    name: 'WorkflowClient.start fails with WorkflowExecutionAlreadyStartedError',
    from: TWO,
    file: 'sleep.ts',
    type: 'sleeper',
    args: [10_000_000],
    drive: async ({ engine, handle }) => {
      try {
        return await engine.start('sleeper', { workflowId: handle.workflowId });
      } finally {
        await handle.terminate();
      }
    },
    expect: { error: { name: 'WorkflowExecutionAlreadyStartedError' } },
  },
  {
    name: 'WorkflowClient.signalWithStart fails with WorkflowExecutionAlreadyStartedError',
    from: TWO,
    file: 'sleep.ts',
    type: 'sleeper',
    drive: async ({ engine, handle }) => {
      await handle.result();
      return engine.signalWithStart('sleeper', {
        workflowId: handle.workflowId,
        signal: 'interrupt',
        signalArgs: ['interrupted from signalWithStart'],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    },
    expect: { error: { name: 'WorkflowExecutionAlreadyStartedError' } },
  },
  {
    name: 'Handle from WorkflowClient.start follows only own execution chain',
    from: TWO,
    file: 'throw-async.ts',
    type: 'throwAsync',
    with: ['sleep.ts'],
    drive: (c) => ownChainOnly(c, false),
    expect: { failure: { message: 'failure' } },
  },
  {
    name: 'Handle from WorkflowClient.getHandle follows only own execution chain',
    from: TWO,
    file: 'throw-async.ts',
    type: 'throwAsync',
    with: ['sleep.ts'],
    drive: (c) => ownChainOnly(c, true),
    expect: { failure: { message: 'failure' } },
  },
  {
    name: 'Handle from WorkflowClient.start terminates run after continue as new',
    from: TWO,
    file: 'continue-as-new-to-different-workflow.ts',
    type: 'continueAsNewToDifferentWorkflow',
    args: [1_000_000],
    with: ['sleep.ts'],
    drive: async ({ handle }) => {
      for (let i = 0; i < 50 && (await handle.describe()).workflowType !== 'sleeper'; i++)
        await new Promise((r) => setTimeout(r, 100));
      await handle.terminate('Expect workflow to terminate due to CAN');
      return handle.result();
    },
    expect: { failure: { message: /Expect workflow to terminate due to CAN/ } },
  },
  returns('cancel-scope-on-failed-validation.ts', 'cancelScopeOnFailedValidation', undefined, {
    name: 'Runtime does not issue cancellations for activities and timers that throw during validation',
    from: TWO,
  }),
];
