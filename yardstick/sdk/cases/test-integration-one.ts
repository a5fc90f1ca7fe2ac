// Cases from `test-integration-split-one.ts`, `test-integration-split-three.ts` and
// `test-integration-workflow-start.ts`: Temporal runs these on a worker against a server and
// checks results, failures, query answers and history; here the same workflows run on an
// embedded engine and the same facts are checked (history in Aion's event names).
import { ACTIVITIES, html, wait } from '../activities.js';
import type { SdkCase } from '../case.js';
import { SETTLE_MS, signals } from '../drives.js';
import { describeAfter, eventsAfter } from '../drives-more.js';
import { returns } from './test-workflows.js';

const ONE = 'test-integration-split-one.ts';
const THREE = 'test-integration-split-three.ts';
const START = 'test-integration-workflow-start.ts';

const MARKERS = (e: { type: string; markerName?: string }) => e.type;

export const INTEGRATION_ONE_CASES: readonly SdkCase[] = [
  returns('args-and-return.ts', 'argsAndReturn', 'Hello, world!', {
    name: 'args-and-return',
    from: ONE,
    args: ['Hello', undefined, new TextEncoder().encode('world!')],
  }),
  returns('child-workflow-cancel.ts', 'childWorkflowCancel', undefined, {
    name: 'child-workflow-cancel',
    from: ONE,
    with: ['signal-target.ts'],
  }),
  returns('cancel-fake-progress.ts', 'cancelFakeProgress', undefined, {
    name: 'cancel-fake-progress',
    from: ONE,
    activities: ACTIVITIES,
    // The SDK's fakeProgress signals `activityStarted` itself; here the drive does.
    drive: signals(['activityStarted']),
  }),
  returns('child-workflow-signals.ts', 'childWorkflowSignals', undefined, {
    name: 'child-workflow-signals',
    from: ONE,
    with: ['signal-target.ts'],
  }),
  {
    name: 'query not found',
    from: ONE,
    file: 'unblock-or-cancel.ts',
    type: 'unblockOrCancel',
    drive: async ({ handle }) => {
      await handle.signal('unblock');
      await handle.result();
      return handle.query('not found');
    },
    expect: { error: { message: /not found/ } },
  },
  returns('unblock-or-cancel.ts', 'unblockOrCancel', [true, false], {
    name: 'query and unblock',
    from: ONE,
    drive: async ({ handle }) => {
      await wait(SETTLE_MS);
      const before = await handle.query('isBlocked');
      await handle.signal('unblock');
      await handle.result();
      return [before, await handle.query('isBlocked')];
    },
  }),
  {
    name: 'interrupt-signal',
    from: ONE,
    file: 'interrupt-signal.ts',
    type: 'interruptableWorkflow',
    drive: signals(['interrupt', 'just because']),
    expect: { failure: { name: 'ApplicationFailure', message: 'just because' } },
  },
  {
    name: 'fail-signal',
    from: ONE,
    file: 'fail-signal.ts',
    type: 'failSignalWorkflow',
    drive: signals(['fail']),
    expect: { failure: { name: 'ApplicationFailure', message: 'Signal failed' } },
  },
  {
    name: 'async-fail-signal',
    from: ONE,
    file: 'async-fail-signal.ts',
    type: 'asyncFailSignalWorkflow',
    drive: async ({ handle }) => {
      await handle.signal('fail');
      return handle.result();
    },
    expect: { failure: { name: 'ApplicationFailure', message: 'Signal failed' } },
  },
  returns('http.ts', 'http', html('https://temporal.io'), {
    name: 'http',
    from: ONE,
    activities: ACTIVITIES,
  }),
  returns(
    'sleep.ts',
    'sleeper',
    [
      { type: 'TimerStarted', ms: 100 },
      { type: 'TimerFired', ms: undefined },
    ],
    {
      name: 'sleep',
      from: ONE,
      drive: eventsAfter(['TimerStarted', 'TimerFired'], (e) => ({
        type: e.type,
        ms: e.type === 'TimerStarted' ? e.durationMs : undefined,
      })),
    },
  ),
  returns('cancel-timer-immediately.ts', 'cancelTimer', [], {
    name: 'cancel-timer-immediately',
    from: ONE,
    drive: eventsAfter(['TimerStarted', 'TimerFired', 'TimerCancelled']),
  }),
  returns('patched.ts', 'patchedWorkflow', ['MarkerRecorded'], {
    name: 'patched',
    from: ONE,
    drive: eventsAfter(['MarkerRecorded'], MARKERS),
  }),
  returns('deprecate-patch.ts', 'deprecatePatchWorkflow', ['MarkerRecorded'], {
    name: 'deprecate-patch',
    from: ONE,
    drive: eventsAfter(['MarkerRecorded'], MARKERS),
  }),
  returns(
    'args-and-return.ts',
    'argsAndReturn',
    { type: 'argsAndReturn', memo: { note: 'foo' } },
    {
      name: 'WorkflowHandle.describe result is wrapped',
      from: ONE,
      args: ['hey', undefined, new TextEncoder().encode('abc')],
      start: { memo: { note: 'foo' } },
      drive: describeAfter((d) => ({ type: d.workflowType, memo: d.memo })),
    },
  ),
  upsertSearchAttributes(),
  returns('cancel-http-request.ts', 'cancellableHTTPRequest', undefined, {
    name: 'cancel-http-request',
    from: THREE,
    args: ['http://example.com'],
    activities: ACTIVITIES,
    drive: signals(['activityStarted']),
  }),
  returns('priority.ts', 'priorityWorkflow', undefined, {
    name: 'priorities can be specified and propagated across child workflows and activities',
    from: THREE,
    args: [false, 1],
    start: { priority: { priorityKey: 1, fairnessKey: 'main-workflow', fairnessWeight: 3.0 } },
    activities: ACTIVITIES,
  }),
  returns('priority.ts', 'priorityWorkflow', undefined, {
    name: 'workflow start without priorities sees undefined for the key',
    from: THREE,
    args: [true, undefined],
  }),
  returns('signal-target.ts', 'signalTarget', [true, 'TERMINATED', 'RUNNING'], {
    name: 'Start of workflow with signal respects conflict id policy',
    from: START,
    drive: async ({ engine, handle }) => {
      const opts = { workflowId: handle.workflowId, signal: 'argsTest', signalArgs: [123, 'kid'] };
      const same = await engine.signalWithStart('signalTarget', opts);
      const sameRun = (await same.describe()).runId === (await handle.describe()).runId;
      const fresh = await engine.signalWithStart('signalTarget', {
        ...opts,
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
      const first = engine.getHandle(handle.workflowId, handle.runId);
      return [sameRun, (await first.describe()).status, (await fresh.describe()).status];
    },
  }),
];

function upsertSearchAttributes(): SdkCase {
  const date = new Date(Date.UTC(2026, 0, 2));
  const attrs = {
    CustomBoolField: [true],
    CustomKeywordField: ['durable code'],
    CustomTextField: ['is useful'],
    CustomDatetimeField: [date.toISOString()],
    CustomDoubleField: [3.14],
  };
  return returns('upsert-and-read-search-attributes.ts', 'upsertAndReadSearchAttributes', attrs, {
    name: 'Workflow can upsert Search Attributes',
    from: ONE,
    args: [date.getTime()],
  });
}
