// Cases for updates, their ordering against signals, and the workflows Temporal's tests drive
// only through worker internals (log sinks, isolate timeouts).
import type { VirtualClock } from '../../../src/index.js';
import { wait } from '../activities.js';
import type { DriveContext, SdkCase } from '../case.js';
import { onVirtualClock, SETTLE_MS } from '../drives.js';
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

/**
 * Temporal's test feeds the start and every update in one activation. Here the run starts with
 * its first task held (`startDelay`, on the virtual clock): the updates sent meanwhile (ids
 * `1`, `2`…) are recorded and delivered with the start in the run's first activation. The
 * value: each update's result, and the order in which they completed (ids).
 */
function bufferedUpdates(
  sends: readonly (readonly [string, number])[],
): NonNullable<SdkCase['drive']> {
  return async (c) => {
    const accepted = [];
    for (const [i, [name, arg]] of sends.entries()) {
      const updateId = String(i + 1);
      accepted.push(
        await c.handle.startUpdate(name, { args: [arg], updateId, waitForStage: 'ACCEPTED' }),
      );
    }
    await onVirtualClock()(c);
    const results = await Promise.all(accepted.map((u) => u.result()));
    const { events } = await c.handle.fetchHistory();
    const completed = events.flatMap((e) => (e.type === 'UpdateCompleted' ? [e.updateId] : []));
    return { results, completed };
  };
}

/** `myActivity`, held until the drive lets it finish (Temporal's test stops its worker in it). */
function heldActivity() {
  let release = (): void => undefined;
  let started = (): void => undefined;
  const running = new Promise<void>((r) => (started = r));
  const activities = {
    myActivity: () =>
      new Promise<void>((r) => {
        release = r;
        started();
      }),
  };
  return { activities, running, release: () => release() };
}

/** Polls the history until it holds every one of `types`. */
async function untilRecorded(c: DriveContext, types: readonly string[]): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const { events } = await c.handle.fetchHistory();
    const seen = events.map((e) => `${e.type}:${(e as { updateId?: string }).updateId ?? ''}`);
    if (types.every((t) => seen.some((e) => e === t || e === `${t}:`))) return;
    await wait(50);
  }
  const { events } = await c.handle.fetchHistory();
  throw new Error(`history never held ${types.join(', ')}: ${events.map((e) => e.type).join(' ')}`);
}

/**
 * One activation with everything, as Temporal's tests get it (the integration test stops its
 * worker; the others feed one activation): the run is paused once its activity runs, then
 * the signals and updates arrive, the timer fires (virtual time) and the activity completes,
 * in the order of Temporal's activation jobs; `resume()` delivers them together.
 */
function batched(sends: readonly [kind: 'signal' | 'update', arg?: string][]) {
  const held = heldActivity();
  const drive = async (c: DriveContext): Promise<unknown> => {
    const clock = c.engine.clock as VirtualClock;
    await held.running;
    await c.handle.pause('deliver the next events together');
    const updates: Promise<unknown>[] = [];
    for (const [kind, arg] of sends) {
      const args = arg === undefined ? [] : [arg];
      if (kind === 'signal') await c.handle.signal('aaSignal', ...args);
      else {
        const updateId = arg ?? 'update-id';
        updates.push(c.handle.executeUpdate('aaUpdate', { args, updateId }));
        await untilRecorded(c, [`UpdateAccepted:${updateId}`]);
      }
    }
    for (const u of updates) u.catch(() => undefined);
    clock.advance(100); // the workflow's timer (100 ms, or 1 ms) fires; nothing else is due
    await untilRecorded(c, ['TimerFired']);
    held.release();
    await untilRecorded(c, ['ActivityCompleted']);
    await wait(SETTLE_MS);
    await c.handle.resume();
    const result = await c.handle.result();
    await Promise.all(updates);
    return result;
  };
  return { activities: held.activities, drive, clock: 'virtual' as const };
}

const HELD = { clock: 'virtual', start: { startDelay: '1s' } } as const;

const UPDATES: readonly (readonly [string, number])[] = [
  ['non-existant', 1],
  ['updateA', 2],
  ['updateA', 3],
  ['updateC', 4],
  ['updateB', 5],
  ['non-existant', 6],
  ['updateB', 7],
];

const DEFAULT = (updateName: string, arg: number) => ({
  handler: 'default',
  updateName,
  args: [arg],
});
const OWN = (handler: string, arg: number) => ({ handler, args: [arg] });

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
    {
      results: [
        DEFAULT('non-existant', 1),
        OWN('updateA', 2),
        OWN('updateA', 3),
        DEFAULT('updateC', 4),
        OWN('updateB', 5),
        DEFAULT('non-existant', 6),
        OWN('updateB', 7),
      ],
      completed: ['2', '3', '5', '7', '1', '4', '6'],
    },
    {
      name: 'Buffered updates are dispatched in the correct order - updatesOrdering',
      ...HELD,
      drive: bufferedUpdates(UPDATES),
    },
  ),
  returns(
    'updates-ordering.ts',
    'updatesAreReentrant',
    {
      results: [
        DEFAULT('non-existant', 1),
        OWN('updateA', 2),
        OWN('updateA', 3),
        OWN('updateC', 4),
        OWN('updateB', 5),
        DEFAULT('non-existant', 6),
        OWN('updateB', 7),
        OWN('updateC', 8),
      ],
      completed: ['6', '8', '7', '3', '1', '4', '5', '2'],
    },
    {
      name: 'Buffered updates are reentrant - updatesAreReentrant',
      ...HELD,
      drive: bufferedUpdates([...UPDATES, ['updateC', 8]]),
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrdering',
    [true, true, true, true],
    {
      name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering (w/ signals) - signalsActivitiesTimersPromiseOrdering',
      start: { taskQueue: 'test' },
      activityQueue: 'test-activity',
      ...batched([['signal'], ['update']]),
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrdering',
    [true, true, true, true],
    {
      name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering',
      from: UPDATE,
      start: { taskQueue: 'test' },
      activityQueue: 'test-activity',
      ...batched([['signal'], ['update']]),
    },
  ),
  returns(
    'signals-timers-activities-order.ts',
    'signalsActivitiesTimersPromiseOrderingTracer',
    [
      'signal1.sync, update1.sync, signal2.sync, update2.sync',
      'signal1.1, update1.1, signal2.1, update2.1, timer.1, activity.1',
      'signal1.2, update1.2, signal2.2, update2.2, timer.2, activity.2',
      'signal1.3, update1.3, signal2.3, update2.3, timer.3, activity.3',
      'signal1.4, update1.4, signal2.4, update2.4, timer.4, activity.4',
    ].flatMap((x) => x.split(', ')),
    {
      name: 'Signals/Updates/Activities/Timers - Trace promises completion order - 1.11.0+ - signalsActivitiesTimersPromiseOrderingTracer',
      ...batched([
        ['signal', 'signal1'],
        ['update', 'update1'],
        ['signal', 'signal2'],
        ['update', 'update2'],
      ]),
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
  }),
];
