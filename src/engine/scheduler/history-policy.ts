// The history limits a scheduler enforces: the hard cap on a run's history (the lower of the
// engine's and the store's `maxHistoryLength`), the workflow's share below the headroom, the
// byte limit, and the fraction where the engine warns.
import { AionError } from '../../core/index.js';

/** Events of every history kept for operator controls and the run's terminal event. */
export const HISTORY_HEADROOM_EVENTS = 20;

/** The reason of the WorkflowTerminated that ends a run at its history limit. */
export const HISTORY_TOO_LARGE = 'history_too_large';

/** Which history limit a run reached. */
export type HistoryLimit = 'length' | 'bytes';

export interface HistoryPolicy {
  /** No history goes past it: the lower of the engine's and the store's `maxHistoryLength`. */
  readonly maxEvents: number;
  /** The workflow's own events stay at or below it: `maxEvents − HISTORY_HEADROOM_EVENTS`. */
  readonly workflowEvents: number;
  /** The workflow's own events keep the history at or below this many bytes. */
  readonly maxBytes: number;
  /** Warn and suggest continue-as-new past this fraction of `workflowEvents` or `maxBytes`. */
  readonly warnFraction: number;
}

export function historyPolicy(
  maxEvents: number,
  maxBytes: number,
  warnFraction: number,
): HistoryPolicy {
  checkHeadroom(maxEvents);
  const workflowEvents = maxEvents - HISTORY_HEADROOM_EVENTS;
  return Object.freeze({ maxEvents, workflowEvents, maxBytes, warnFraction });
}

/** Throws `invalid_argument` unless a history of `maxEvents` has room beyond the headroom. */
export function checkHeadroom(maxEvents: number): void {
  if (maxEvents > HISTORY_HEADROOM_EVENTS) return;
  throw new AionError(
    'invalid_argument',
    `limits.maxHistoryLength must be more than the ${HISTORY_HEADROOM_EVENTS} events kept for a run's end, got ${maxEvents} (the lower of the engine's and the store's limit)`,
    { field: 'limits.maxHistoryLength' },
  );
}
