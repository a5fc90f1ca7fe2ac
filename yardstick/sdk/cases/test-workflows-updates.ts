// Cases for updates, their ordering against signals, and the workflows Temporal's tests drive
// only through worker internals (log sinks, isolate timeouts).
import { wait } from '../activities.js';
import type { DriveContext, SdkCase } from '../case.js';
import { SETTLE_MS } from '../drives.js';
import { firstEvent } from '../drives-more.js';
import { returns } from './test-workflows.js';

const UPDATE = 'test-integration-update.ts';

/**
 * The first update alone; then a signal and a second update delivered together (the run is
 * paused while they arrive, as Temporal's test stops its worker): both see `numFoos` 3.
 */
async function signalThenUpdate({ handle }: DriveContext): Promise<unknown> {
  const first = await handle.executeUpdate('fooUpdate');
  await handle.pause('deliver the next signal and update together');
  await handle.signal('fooSignal');
  const second = handle.executeUpdate('fooUpdate', { updateId: 'update-id' });
  second.catch(() => undefined);
  await wait(SETTLE_MS);
  await handle.resume();
  return [first, await handle.result(), await second];
}

const BUFFERED_UPDATES = {
  kind: 'engine-feature',
  reason:
    "updates cannot wait in a run's first activation for handlers registered later: " +
    'the workflow returns before they arrive',
} as const;

/** Sends one update right after the start; the handler that answered it. */
function firstUpdate(name: string, arg: number) {
  return async ({ handle }: DriveContext) => handle.executeUpdate(name, { args: [arg] });
}

const SCHEDULE_ACTIVITY = {
  kind: 'semantics',
  reason:
    "Temporal's test feeds one synthetic activation (signal, update, timer fired and activity " +
    'resolved together); here the activity on the unserved `-activity` queue times out and ' +
    'the timer fires alone',
} as const;

export const UPDATE_CASES: readonly SdkCase[] = [
  returns('signal-update-ordering.ts', 'signalUpdateOrderingWorkflow', [1, 3, 3], {
    name: "Pending promises can't unblock between signals and updates - 1.11.0+ - signalUpdateOrderingWorkflow",
    drive: signalThenUpdate,
  }),
  returns('signal-update-ordering.ts', 'signalUpdateOrderingWorkflow', [1, 3, 3], {
    name: "Pending promises can't unblock between signals and updates",
    from: UPDATE,
    drive: signalThenUpdate,
  }),
  returns(
    'updates-ordering.ts',
    'updatesOrdering',
    { handler: 'updateA', args: [2] },
    {
      name: 'Buffered updates are dispatched in the correct order - updatesOrdering',
      drive: firstUpdate('updateA', 2),
      gap: BUFFERED_UPDATES,
    },
  ),
  returns(
    'updates-ordering.ts',
    'updatesAreReentrant',
    { handler: 'updateA', args: [2] },
    {
      name: 'Buffered updates are reentrant - updatesAreReentrant',
      drive: firstUpdate('updateA', 2),
      gap: BUFFERED_UPDATES,
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrdering',
    undefined,
    {
      name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering (w/ signals) - signalsActivitiesTimersPromiseOrdering',
      gap: SCHEDULE_ACTIVITY,
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrdering',
    undefined,
    {
      name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering',
      from: UPDATE,
      gap: SCHEDULE_ACTIVITY,
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrderingTracer',
    undefined,
    {
      name: 'Signals/Updates/Activities/Timers - Trace promises completion order - 1.11.0+ - signalsActivitiesTimersPromiseOrderingTracer',
      gap: SCHEDULE_ACTIVITY,
    },
  ),
  returns('log-before-timing-out.ts', 'logAndTimeout', true, {
    name: 'logAndTimeout',
    // Temporal fails the activation once its isolate ran 400 ms; Aion's deadlock watchdog
    // fails the workflow task the same way (WorkflowTaskFailed).
    drive: async (c) => {
      const e = await firstEvent(c, 'WorkflowTaskFailed', 15_000);
      await c.handle.terminate().catch(() => undefined);
      return e !== undefined;
    },
    logs: [['logging before getting stuck']],
    gap: {
      kind: 'semantics',
      reason: 'the log line of an activation that never finishes is dropped with the activation',
    },
  }),
];
