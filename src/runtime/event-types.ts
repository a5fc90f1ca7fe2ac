import { EVENT_TYPES, type EventType, type HistoryEvent } from '../core/index.js';

/** Each event type's name as this thread's code spells it (one string per name). */
const NAMES: ReadonlyMap<string, EventType> = new Map(EVENT_TYPES.map((type) => [type, type]));

/**
 * Points each event's type at this thread's own string for the name. The events of a message
 * are structured clones, whose type strings are copies: comparing one with a name written in
 * the code (replay and the run book compare every event's type several times) compares their
 * characters, while two references to the same string compare at once — about 5% of a replay.
 * Only for events this thread owns (a message's copy): it writes to them.
 */
export function adoptEventTypes(events: readonly HistoryEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as { type: string };
    const own = NAMES.get(event.type);
    if (own !== undefined) event.type = own;
  }
}
