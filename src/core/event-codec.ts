import { AionError } from './errors.js';
import { EVENT_SCHEMA_VERSION, isEventType, type HistoryEvent } from './events.js';

/** Serialises an event for storage (opaque JSON text, never re-parsed by a database). */
export function encodeEvent(event: HistoryEvent): string {
  return JSON.stringify(event);
}

/**
 * Parses a stored event and checks its envelope. Unknown types or newer schema versions are
 * a typed `unknown_event_type` error (the store was written by newer code or is corrupt).
 */
export function decodeEvent(text: string, where: { runId: string; seq: number }): HistoryEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AionError(
      'unknown_event_type',
      `stored event seq ${where.seq} of run ${where.runId} is not valid JSON`,
      where,
    );
  }
  const e = parsed as { type?: unknown; v?: unknown; seq?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !isEventType(e.type)) {
    throw new AionError(
      'unknown_event_type',
      `stored event seq ${where.seq} of run ${where.runId} has unknown type ${JSON.stringify(e.type)}; it was written by a newer Aion or the store is corrupt`,
      { ...where, eventType: e.type },
    );
  }
  if (typeof e.v !== 'number' || e.v > EVENT_SCHEMA_VERSION || e.v < 1) {
    throw new AionError(
      'unknown_event_type',
      `stored event seq ${where.seq} of run ${where.runId} has schema version ${JSON.stringify(e.v)}; this code reads versions up to ${EVENT_SCHEMA_VERSION}`,
      { ...where, version: e.v },
    );
  }
  if (e.seq !== where.seq) {
    throw new AionError(
      'unknown_event_type',
      `stored event of run ${where.runId} at seq ${where.seq} claims seq ${String(e.seq)}`,
      where,
    );
  }
  return parsed as HistoryEvent;
}
