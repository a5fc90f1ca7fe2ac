// Which arrivals a run records: stale outcomes, duplicates and messages for a closed run are
// dropped or refused here, against the run's book, before anything is written.
import type { Arrival, RunActor } from '../run-actor.js';

/** `record` it; `drop` it quietly; refuse it because the run is `closed` or in the `wrong_state`. */
export type Verdict = 'record' | 'drop' | 'closed' | 'wrong_state';

export function admit(a: RunActor, arrival: Arrival): Verdict {
  const e = arrival.event;
  if (a.book.closed) {
    if (e.type === 'WorkflowPaused' || e.type === 'WorkflowResumed') return 'wrong_state';
    return arrival.ack ? 'closed' : 'drop';
  }
  switch (e.type) {
    case 'WorkflowPaused':
      return a.book.status === 'RUNNING' ? 'record' : 'wrong_state';
    case 'WorkflowResumed':
      return a.book.status === 'PAUSED' ? 'record' : 'wrong_state';
    case 'ActivityCompleted':
    case 'ActivityFailed':
    case 'ActivityTimedOut':
    case 'ActivityCancelled': {
      const id = a.book.activityBySeq.get(e.scheduledSeq);
      return id !== undefined && a.book.activities.has(id) ? 'record' : 'drop';
    }
    case 'TimerFired': {
      const t = a.book.timers.get(e.timerId);
      return t !== undefined && t.startedSeq === e.startedSeq ? 'record' : 'drop';
    }
    case 'WorkflowCancelRequested':
      return a.book.cancelRequested ? 'drop' : 'record';
    case 'ExternalSignalDelivered':
    case 'ExternalSignalFailed':
    case 'ExternalCancelDelivered':
    case 'ExternalCancelFailed':
      return a.book.externals.has(e.initiatedSeq) ? 'record' : 'drop';
    case 'ChildWorkflowStarted': {
      const child = a.book.children.get(e.initiatedSeq);
      return child !== undefined && !child.started ? 'record' : 'drop';
    }
    case 'ChildWorkflowStartFailed':
    case 'ChildWorkflowCompleted':
    case 'ChildWorkflowFailed':
    case 'ChildWorkflowCancelled':
    case 'ChildWorkflowTerminated':
    case 'ChildWorkflowTimedOut':
      return a.book.children.has(e.initiatedSeq) ? 'record' : 'drop';
    case 'UpdateAccepted':
      return a.book.openUpdates.has(e.updateId) || a.book.completedUpdates.has(e.updateId)
        ? 'drop'
        : 'record';
    case 'SignalReceived':
      return e.requestId !== undefined && a.book.signalRequestIds.has(e.requestId)
        ? 'drop'
        : 'record';
    default:
      return 'record';
  }
}
