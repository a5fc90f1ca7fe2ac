import { EVENT_TYPES, type EventType, type HistoryEvent } from '../core/index.js';

/** Each event type's name as this thread's code spells it (one string per name). */
const NAMES: ReadonlyMap<string, EventType> = new Map(EVENT_TYPES.map((type) => [type, type]));

/**
 * Points each event's type at this thread's own string for the name. Events parsed from a
 * message hold copies of the names: comparing one with a name written in the code (replay and
 * the run book compare every event's type several times) compares their characters, while two
 * references to the same string compare at once. Only for events this thread owns (its own
 * copy): it writes to them.
 */
export function adoptEventTypes(events: readonly HistoryEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as { type: string };
    const own = NAMES.get(event.type);
    if (own !== undefined) event.type = own;
  }
}

/**
 * The events of a replay request: parsed from its JSON text (the workflow thread's own copy,
 * whose type names it then points at its own strings), or the inline runtime's events as they
 * are (the engine's own objects: never written to).
 */
export function historyOf(events: readonly HistoryEvent[] | string): readonly HistoryEvent[] {
  if (typeof events !== 'string') return events;
  const parsed = JSON.parse(events) as HistoryEvent[];
  adoptEventTypes(parsed);
  return parsed;
}

/**
 * The history as a replay request carries it to a workflow thread: its JSON text, or the
 * events themselves (sent as a structured clone) when they have no JSON text — longer than a
 * string can be (a history past ~512 MiB, with `limits.maxHistoryBytes` raised that far).
 */
export function historyForThread(
  events: readonly HistoryEvent[],
): readonly HistoryEvent[] | string {
  try {
    return JSON.stringify(events);
  } catch {
    return events;
  }
}
