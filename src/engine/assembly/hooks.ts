// Late-bound callbacks from the engine's infrastructure (scheduler, activities, timers) into
// the services built after it; the assembly sets each once, before the engine starts.
import type { EventOf, HistoryEvent, RunKey } from '../../core/index.js';
import type { OutboxRow, TimerRow } from '../../store/index.js';

export interface EngineHooks {
  /** A run closed (its terminal committed; `found`: by a commit this engine did not make). */
  onClosed(
    run: RunKey,
    terminal: HistoryEvent,
    workflowType: string,
    found?: boolean,
    scheduleId?: string,
  ): void;
  /** A committed outbox row is due for dispatch. */
  onOutbox(row: OutboxRow): void;
  /** An UpdateCompleted was committed. */
  onUpdateCompleted(run: RunKey, event: EventOf<'UpdateCompleted'>): void;
  /** A durable timer fired. */
  onTimer(row: TimerRow): void;
}

function unwired(): never {
  throw new Error('engine hook called before the engine was assembled');
}

export function unwiredHooks(): EngineHooks {
  return {
    onClosed: unwired,
    onOutbox: unwired,
    onUpdateCompleted: unwired,
    onTimer: unwired,
  };
}
