// Drives that read the run's record after it ended: history events, description.
import type { HistoryEvent } from '../../src/index.js';
import { wait } from './activities.js';
import type { DriveContext } from './case.js';

type Drive = (c: DriveContext) => Promise<unknown>;

/**
 * Waits for the result (ignoring its outcome), then returns the history events of the given
 * types, each as `pick` shows it (default: its type).
 */
export function eventsAfter(
  types: readonly string[],
  pick: (e: HistoryEvent) => unknown = (e) => e.type,
  before?: Drive,
): Drive {
  return async (c) => {
    if (before) await before(c);
    await c.handle.result().catch(() => undefined);
    const { events } = await c.handle.fetchHistory();
    return events.filter((e) => types.includes(e.type)).map(pick);
  };
}

/** Polls the history (up to `ms`) for the first event of `type`; returns it or undefined. */
export async function firstEvent(
  c: DriveContext,
  type: string,
  ms = 10_000,
): Promise<HistoryEvent | undefined> {
  for (let waited = 0; waited < ms; waited += 200) {
    const { events } = await c.handle.fetchHistory();
    const found = events.find((e) => e.type === type);
    if (found) return found;
    await wait(200);
  }
  return undefined;
}

/** Waits for the result (ignoring its outcome), then describes the run. */
export function describeAfter(pick: (d: Record<string, unknown>) => unknown, before?: Drive) {
  return async (c: DriveContext): Promise<unknown> => {
    if (before) await before(c);
    await c.handle.result().catch(() => undefined);
    const d = (await c.handle.describe()) as unknown as Record<string, unknown>;
    return pick(d);
  };
}
