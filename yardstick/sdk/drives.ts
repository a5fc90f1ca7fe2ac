// Ways a case drives its run: messages to send, when to cancel, how to let time pass.
import type { VirtualClock } from '../../src/index.js';
import { wait } from './activities.js';
import type { DriveContext } from './case.js';

type Drive = (c: DriveContext) => Promise<unknown>;
/** A signal: its name and arguments. */
export type Send = readonly [name: string, ...args: unknown[]];

/** Lets the run reach its first await (real time: the engine runs it right after the start). */
export const SETTLE_MS = 300;

/** Sends the signals one after the other once the run settled, then waits for the result. */
export function signals(...sends: readonly Send[]): Drive {
  return async ({ handle }) => {
    await wait(SETTLE_MS);
    for (const [name, ...args] of sends) await handle.signal(name, ...args);
    return handle.result();
  };
}

/** Cancels the run after `ms`, then waits for its result. */
export function cancelAfter(ms = SETTLE_MS): Drive {
  return async ({ handle }) => {
    await wait(ms);
    await handle.cancel();
    return handle.result();
  };
}

/** Asks the queries (name, args) in turn once the run settled; the answers are the value. */
export function queries(...asks: readonly Send[]): Drive {
  return async ({ handle }) => {
    await wait(SETTLE_MS);
    const answers: unknown[] = [];
    for (const [name, ...args] of asks) answers.push(await handle.query(name, ...args));
    return answers;
  };
}

/**
 * For engines on a virtual clock: runs `before` (messages sent while no time passes), then
 * moves the clock from timer to timer until the run ends.
 */
export function onVirtualClock(before?: Drive): Drive {
  return async (c) => {
    const clock = c.engine.clock as VirtualClock;
    await c.engine.whenIdle();
    if (before) await before(c);
    let done = false;
    const result = c.handle.result().finally(() => (done = true));
    result.catch(() => undefined); // judged by the caller once awaited below
    while (!done) {
      await c.engine.whenIdle();
      if (!clock.runToNext()) await wait(20);
    }
    return result;
  };
}
