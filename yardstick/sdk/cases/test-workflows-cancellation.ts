// Cases from `packages/test/src/test-workflows.ts` (part 2: cancellation scopes, patches,
// continue-as-new, message ordering).
import { ACTIVITIES, html, slowActivities, wait } from '../activities.js';
import type { VirtualClock } from '../../../src/index.js';
import type { SdkCase } from '../case.js';
import { cancelAfter, onVirtualClock, SETTLE_MS, signals } from '../drives.js';
import { returns } from './test-workflows.js';

const FROM = 'test-workflows.ts';
const URL = 'https://temporal.io';
/** Activities that take long enough for a cancellation to arrive while they run. */
const SLOW = slowActivities(1500);
const CANCELLED = { failure: { name: 'CancelledFailure' } } as const;

export const CANCELLATION_CASES: readonly SdkCase[] = [
  returns('cancel-workflow.ts', 'cancelWorkflow', html(URL), {
    args: [URL],
    activities: SLOW,
    drive: cancelAfter(),
  }),
  returns('unblock-or-cancel.ts', 'unblockOrCancel', undefined, {
    name: 'cancel - unblockOrCancel',
    drive: cancelAfter(),
    logs: [['Blocked'], ['Cancelled']],
  }),
  returns('unblock-or-cancel.ts', 'unblockOrCancel', [true, false], {
    name: 'unblock - unblockOrCancel',
    drive: async ({ handle }) => {
      await wait(SETTLE_MS);
      const before = await handle.query('isBlocked');
      await handle.signal('unblock');
      await handle.result();
      return [before, await handle.query('isBlocked')];
    },
  }),
  returns('cancel-timer-immediately.ts', 'cancelTimer', undefined, {
    logs: [['Timer cancelled 👍']],
  }),
  returns('cancel-timer-immediately-alternative-impl.ts', 'cancelTimerAltImpl', undefined, {
    logs: [['Timer cancelled 👍']],
  }),
  returns(
    'noncancellable-shields-children.ts',
    'nonCancellable',
    { url: URL },
    {
      args: [URL],
      activities: ACTIVITIES,
    },
  ),
  returns(
    'cancel-requested-with-non-cancellable.ts',
    'resumeAfterCancellation',
    { url: URL },
    {
      args: [URL],
      activities: SLOW,
      drive: cancelAfter(),
    },
  ),
  {
    name: 'handleExternalWorkflowCancellationWhileActivityRunning',
    from: FROM,
    file: 'handle-external-workflow-cancellation-while-activity-running.ts',
    type: 'handleExternalWorkflowCancellationWhileActivityRunning',
    args: [URL, { some: 'data' }],
    activities: SLOW,
    drive: cancelAfter(),
    expect: CANCELLED,
    logs: [['Workflow cancelled']],
  },
  {
    name: 'nestedCancellation',
    from: FROM,
    file: 'nested-cancellation.ts',
    type: 'nestedCancellation',
    args: [URL],
    activities: slowActivities(3000),
    expect: { failure: { name: 'ActivityFailure', cause: { name: 'CancelledFailure' } } },
  },
  {
    name: 'sharedCancellationScopes',
    from: FROM,
    file: 'shared-cancellation-scopes.ts',
    type: 'sharedCancellationScopes',
    activities: ACTIVITIES,
    expect: {
      check: (v) =>
        ['http://url1.ninja', 'http://url2.ninja'].includes((v as { url?: string })?.url ?? '')
          ? undefined
          : 'not the result of either activity',
    },
  },
  returns(
    'noncancellable-awaited-in-root-scope.ts',
    'nonCancellableAwaitedInRootScope',
    { url: 'http://example.com' },
    { activities: SLOW, drive: cancelAfter() },
  ),
  {
    name: 'cancellationScopesWithCallbacks',
    from: FROM,
    file: 'cancellation-scopes-with-callbacks.ts',
    type: 'cancellationScopesWithCallbacks',
    clock: 'virtual',
    drive: onVirtualClock(({ handle }) => handle.cancel()),
    expect: CANCELLED,
  },
  returns('cancellation-scopes.ts', 'cancellationScopes', undefined, {
    clock: 'virtual',
    // Temporal cancels the run once the last scope's timer is pending (after two timers).
    drive: onVirtualClock(async ({ engine, handle }) => {
      for (let i = 0; i < 2; i++) {
        (engine.clock as VirtualClock).runToNext();
        await engine.whenIdle();
      }
      await handle.cancel();
    }),
    logs: [
      ['Scope cancelled 👍'],
      ['Exception was propagated 👍'],
      ['Scope 2 was not cancelled 👍'],
      ['Scope cancelled 👍'],
      ['Exception was propagated 👍'],
    ],
  }),
  returns('child-and-noncancellable.ts', 'childAndNonCancellable', undefined, {
    logs: [['Slept in non-cancellable scope 👍']],
  }),
  returns('partial-noncancelable.ts', 'partialNonCancellable', undefined, {
    clock: 'virtual',
    drive: onVirtualClock(({ handle }) => handle.cancel()),
    logs: [['Workflow cancelled']],
  }),
  returns('noncancellable-in-noncancellable.ts', 'nonCancellableInNonCancellable', undefined, {
    logs: [['Timer 1 finished 👍'], ['Timer 0 finished 👍']],
  }),
  {
    name: 'cancellationErrorIsPropagated',
    from: FROM,
    file: 'cancellation-error-is-propagated.ts',
    type: 'cancellationErrorIsPropagated',
    expect: { failure: { name: 'CancelledFailure', message: 'Cancellation scope cancelled' } },
    logs: [],
  },
  returns(
    'cancel-activity-after-first-completion.ts',
    'cancelActivityAfterFirstCompletion',
    [html(URL), html(URL)],
    {
      args: [URL],
      activities: SLOW,
      drive: cancelAfter(),
      logs: [['Workflow cancelled while waiting on non cancellable scope']],
    },
  ),
  {
    name: 'multipleActivitiesSingleTimeout',
    from: FROM,
    file: 'multiple-activities-single-timeout.ts',
    type: 'multipleActivitiesSingleTimeout',
    args: [['http://url1.ninja', 'http://url2.ninja'], 1000],
    activities: slowActivities(5000),
    expect: { failure: { name: 'ActivityFailure', cause: { name: 'CancelledFailure' } } },
  },
];

export const PATCH_AND_ORDER_CASES: readonly SdkCase[] = [
  returns('continue-as-new-same-workflow.ts', 'continueAsNewSameWorkflow', undefined, {
    drive: signals(['continueAsNew']),
  }),
  returns('patched.ts', 'patchedWorkflow', undefined, {
    name: 'not-replay patchedWorkflow',
    logs: [['has change'], ['has change 2']],
  }),
  returns('deprecate-patch.ts', 'deprecatePatchWorkflow', undefined, {
    logs: [['has change']],
  }),
  returns('patched-top-level.ts', 'patchedTopLevel', undefined, {
    logs: [[['Patches cannot be used before Workflow starts']]],
  }),
  {
    name: 'tryToContinueAfterCompletion',
    from: FROM,
    file: 'try-to-continue-after-completion.ts',
    type: 'tryToContinueAfterCompletion',
    expect: { failure: { message: 'fail before continue', nonRetryable: true } },
  },
  returns('fail-unless-signaled-before-start.ts', 'failUnlessSignaledBeforeStart', undefined, {
    drive: async ({ engine }) =>
      engine
        .signalWithStart('failUnlessSignaledBeforeStart', {
          workflowId: 'yardstick-failUnlessSignaledBeforeStart-2',
          signal: 'someShallPass',
        })
        .then((h) => h.result()),
  }),
];

/**
 * Temporal's test feeds the start and every signal in one activation. Here the run starts
 * with its first task held (`startDelay`, on the virtual clock): the signals sent meanwhile
 * are recorded and delivered with the start in the run's first activation.
 */
function bufferedSignals(
  sends: readonly (readonly [string, number])[],
): NonNullable<SdkCase['drive']> {
  return onVirtualClock(async ({ handle }) => {
    for (const [name, arg] of sends) await handle.signal(name, arg);
  });
}

const HELD = { clock: 'virtual', start: { startDelay: '1s' } } as const;

const SEVEN: readonly (readonly [string, number])[] = [
  ['non-existant', 1],
  ['signalA', 2],
  ['signalA', 3],
];

export const ORDERING_CASES: readonly SdkCase[] = [
  returns(
    'signals-ordering.ts',
    'signalsOrdering',
    [
      { handler: 'signalA', args: [2] },
      { handler: 'signalB', args: [5] },
      { handler: 'signalB', args: [7] },
      { handler: 'default', signalName: 'non-existant', args: [1] },
      { handler: 'default', signalName: 'signalA', args: [3] },
      { handler: 'default', signalName: 'signalC', args: [4] },
      { handler: 'default', signalName: 'non-existant', args: [6] },
    ],
    {
      name: 'Buffered signals are dispatched to correct handler and in correct order - signalsOrdering',
      ...HELD,
      drive: bufferedSignals([
        ...SEVEN,
        ['signalC', 4],
        ['signalB', 5],
        ['non-existant', 6],
        ['signalB', 7],
      ]),
    },
  ),
  returns(
    'signals-ordering.ts',
    'signalsOrdering2',
    [
      { handler: 'signalA', args: [2] },
      { handler: 'signalB', args: [4] },
      { handler: 'signalC', args: [6] },
      { handler: 'default', signalName: 'non-existant', args: [1] },
      { handler: 'signalA', args: [3] },
      { handler: 'signalB', args: [5] },
      { handler: 'signalC', args: [7] },
    ],
    {
      name: 'Buffered signals dispatch is reentrant  - signalsOrdering2',
      ...HELD,
      drive: bufferedSignals([
        ...SEVEN,
        ['signalB', 4],
        ['signalB', 5],
        ['signalC', 6],
        ['signalC', 7],
      ]),
    },
  ),
];
