import { AionError } from './errors.js';
import { isTerminalEventType, type HistoryEvent, type TerminalEventType } from './events.js';
import { WORKFLOW_STATUSES, type WorkflowStatus } from './visibility-names.js';

export { WORKFLOW_STATUSES, type WorkflowStatus };

export const OPEN_STATUSES: readonly WorkflowStatus[] = ['RUNNING', 'PAUSED'];

export function isOpenStatus(status: WorkflowStatus): boolean {
  return status === 'RUNNING' || status === 'PAUSED';
}

export function isWorkflowStatus(value: unknown): value is WorkflowStatus {
  return typeof value === 'string' && (WORKFLOW_STATUSES as readonly string[]).includes(value);
}

const TERMINAL_STATUS: Record<TerminalEventType, WorkflowStatus> = {
  WorkflowCompleted: 'COMPLETED',
  WorkflowFailed: 'FAILED',
  WorkflowCancelled: 'CANCELLED',
  WorkflowTerminated: 'TERMINATED',
  WorkflowTimedOut: 'TIMED_OUT',
  WorkflowContinuedAsNew: 'CONTINUED_AS_NEW',
};

export function statusOfTerminal(type: TerminalEventType): WorkflowStatus {
  return TERMINAL_STATUS[type];
}

/**
 * Incremental status projection: feed events in seq order. Used by stores (to maintain the
 * visibility row) and by describe.
 */
export function nextStatus(current: WorkflowStatus, event: HistoryEvent): WorkflowStatus {
  if (isTerminalEventType(event.type)) return TERMINAL_STATUS[event.type];
  if (event.type === 'WorkflowPaused' && current === 'RUNNING') return 'PAUSED';
  if (event.type === 'WorkflowResumed' && current === 'PAUSED') return 'RUNNING';
  return current;
}

/** Projects the status of a run from its full history (empty history → undefined). */
export function projectStatus(events: readonly HistoryEvent[]): WorkflowStatus | undefined {
  if (events.length === 0) return undefined;
  let status: WorkflowStatus = 'RUNNING';
  for (const event of events) status = nextStatus(status, event);
  return status;
}

function invalid(message: string, details: Record<string, unknown>): AionError {
  return new AionError('invalid_history', message, details);
}

/**
 * Checks that `events` may be appended after a head at `headSeq` whose state is
 * `closed`: contiguous seqs starting at headSeq + 1, `WorkflowStarted` first (and only
 * first), nothing after a terminal event.
 */
export function validateAppend(
  runId: string,
  events: readonly HistoryEvent[],
  headSeq: number,
  closed: boolean,
): void {
  if (events.length === 0) throw invalid(`append to run ${runId} has no events`, { runId });
  let terminal = closed;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const want = headSeq + 1 + i;
    if (event.seq !== want) {
      throw invalid(
        `event ${i} of the append to run ${runId} has seq ${event.seq}; expected ${want} (seqs must be contiguous)`,
        {
          runId,
          index: i,
          seq: event.seq,
          expectedSeq: want,
        },
      );
    }
    if (!Number.isSafeInteger(event.recordedAt) || event.recordedAt < 0) {
      throw invalid(`event seq ${event.seq} of run ${runId} has an invalid recordedAt`, {
        runId,
        seq: event.seq,
      });
    }
    if ((event.seq === 1) !== (event.type === 'WorkflowStarted')) {
      throw invalid(
        event.seq === 1
          ? `run ${runId} must start with WorkflowStarted, got ${event.type}`
          : `WorkflowStarted may only be the first event of run ${runId} (seq ${event.seq})`,
        { runId, seq: event.seq, eventType: event.type },
      );
    }
    if (terminal) {
      throw invalid(
        `run ${runId} is closed; event ${event.type} at seq ${event.seq} would follow its terminal event`,
        {
          runId,
          seq: event.seq,
          eventType: event.type,
        },
      );
    }
    if (isTerminalEventType(event.type)) terminal = true;
  }
}
