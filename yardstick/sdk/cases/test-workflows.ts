// Cases from `packages/test/src/test-workflows.ts` (part 1: results, timers, promises,
// signals, queries). Temporal activates each workflow in its VM and compares the commands and
// `console.log` lines of each activation; here the workflow runs on an engine to its end and
// its result, failure and log lines are compared with what those activations end with.
import { ACTIVITIES, failingHttpGet, html } from '../activities.js';
import type { SdkCase } from '../case.js';
import { onVirtualClock, queries, signals } from '../drives.js';

const FROM = 'test-workflows.ts';

type Extra = Partial<Omit<SdkCase, 'name' | 'from' | 'file' | 'type' | 'expect'>>;

/** A case whose run completes with `result`. */
export function returns(
  file: string,
  type: string,
  result: unknown,
  extra: Extra & { name?: string; from?: string } = {},
): SdkCase {
  return { name: type, from: FROM, file, type, expect: { result }, ...extra };
}

const URL = 'https://temporal.io';

export const WORKFLOWS_CASES: readonly SdkCase[] = [
  // Seed-specific values are not compared (Temporal seeds its VM with 1337).
  returns('random.ts', 'random', undefined),
  returns('success-string.ts', 'successString', 'success'),
  // Temporal injects continueAsNewSuggested=true; a fresh short run is not suggested to.
  returns('continue-as-new-suggested.ts', 'continueAsNewSuggested', false),
  {
    name: 'throwAsync',
    from: FROM,
    file: 'throw-async.ts',
    type: 'throwAsync',
    expect: { failure: { name: 'ApplicationFailure', message: 'failure', nonRetryable: true } },
  },
  returns('date.ts', 'date', undefined),
  returns('async-workflow.ts', 'asyncWorkflow', 'async'),
  returns('deferred-resolve.ts', 'deferredResolve', undefined, { logs: [[1], [2]] }),
  returns('sleep.ts', 'sleeper', undefined, { logs: [['slept']] }),
  returns('sleep.ts', 'sleeper', undefined, {
    name: 'with ms string - sleeper',
    args: ['10s'],
    clock: 'virtual',
    drive: onVirtualClock(),
    logs: [['slept']],
  }),
  returns('set-timeout-after-microtasks.ts', 'setTimeoutAfterMicroTasks', undefined, {
    logs: [['slept']],
  }),
  returns('promise-then-promise.ts', 'promiseThenPromise', undefined, { logs: [[2]] }),
  returns('reject-promise.ts', 'rejectPromise', undefined, { logs: [[true], [true]] }),
  returns('promise-all.ts', 'promiseAll', undefined, {
    logs: [[1, 2, 3], [1, 2, 3], [1, 2, 3], ['wow']],
  }),
  returns('tasks-and-microtasks.ts', 'tasksAndMicrotasks', undefined, {
    logs: [['script start'], ['script end'], ['promise1'], ['promise2'], ['setTimeout']],
  }),
  returns('trailing-timer.ts', 'trailingTimer', 'first', { logs: [] }),
  returns('promise-race.ts', 'promiseRace', undefined, {
    logs: [[1], [1], [1], [1], [20], ['wow']],
  }),
  returns('race.ts', 'race', undefined, { logs: [[1], [2], [3]] }),
  returns('importer.ts', 'importer', undefined, { logs: [['slept']] }),
  returns('args-and-return.ts', 'argsAndReturn', 'Hello, world', {
    args: ['Hello', undefined, new TextEncoder().encode('world')],
  }),
  {
    name: 'invalidOrFailedQueries/invalidAsyncMethod',
    from: FROM,
    file: 'invalid-or-failed-queries.ts',
    type: 'invalidOrFailedQueries',
    drive: queries(['invalidAsyncMethod']),
    expect: { error: { message: /Query handlers should not return a Promise/ } },
  },
  {
    name: 'invalidOrFailedQueries/fail',
    from: FROM,
    file: 'invalid-or-failed-queries.ts',
    type: 'invalidOrFailedQueries',
    drive: queries(['fail']),
    expect: { error: { message: /fail/ } },
  },
  {
    name: 'interruptableWorkflow',
    from: FROM,
    file: 'interrupt-signal.ts',
    type: 'interruptableWorkflow',
    drive: signals(['interrupt', 'just because']),
    expect: { failure: { message: 'just because', type: 'Error', nonRetryable: false } },
  },
  {
    name: 'failSignalWorkflow',
    from: FROM,
    file: 'fail-signal.ts',
    type: 'failSignalWorkflow',
    drive: signals(['fail']),
    expect: { failure: { message: 'Signal failed', nonRetryable: true } },
  },
  {
    name: 'asyncFailSignalWorkflow',
    from: FROM,
    file: 'async-fail-signal.ts',
    type: 'asyncFailSignalWorkflow',
    drive: signals(['fail']),
    expect: { failure: { message: 'Signal failed', nonRetryable: true } },
  },
  returns('http.ts', 'http', html(URL), {
    name: 'resolve activity with result - http',
    activities: ACTIVITIES,
  }),
  {
    name: 'resolve activity with failure - http',
    from: FROM,
    file: 'http.ts',
    type: 'http',
    activities: { httpGet: failingHttpGet },
    expect: { failure: { cause: { message: 'Connection timeout', type: 'MockError' } } },
  },
  returns('global-overrides.ts', 'globalOverrides', undefined, {
    logs: ['WeakRef', 'FinalizationRegistry', 'WeakRef'].map((type) => [
      `DeterminismViolationError: ${type} cannot be used in Workflows because v8 GC is non-deterministic`,
    ]),
  }),
  returns('condition.ts', 'conditionWaiter', undefined),
  returns('condition-completion-race.ts', 'conditionRacer', true, {
    drive: signals(['unblock']),
  }),
  returns('signal-handlers-clear.ts', 'signalHandlersCanBeCleared', 111, {
    clock: 'virtual',
    drive: onVirtualClock(async ({ handle }) => {
      for (let i = 0; i < 3; i++) await handle.signal('unblock');
    }),
  }),
  returns('wait-on-user.ts', 'waitOnUser', undefined, {
    args: ['user'],
    drive: signals(['completeUserInteraction']),
    logs: [],
  }),
  returns(
    'scope-cancelled-while-waiting-on-external-workflow-cancellation.ts',
    'scopeCancelledWhileWaitingOnExternalWorkflowCancellation',
    undefined,
  ),
  {
    name: 'query not found - successString',
    from: FROM,
    file: 'success-string.ts',
    type: 'successString',
    drive: queries(['not-found']),
    expect: { error: { message: /not-found/ } },
  },
];
