import { isTerminalEventType, type HistoryEvent } from '../core/index.js';

/**
 * Does this event close a recorded activation (replay activates the run there)? A completed
 * workflow task does, and so do the terminal events decided by workflow code (they close the
 * activation that issued them). Compared name by name: this runs for every replayed event.
 */
export function closesActivation(event: HistoryEvent): boolean {
  const type = event.type;
  return (
    type === 'WorkflowTaskCompleted' ||
    type === 'WorkflowCompleted' ||
    type === 'WorkflowFailed' ||
    type === 'WorkflowCancelled' ||
    type === 'WorkflowContinuedAsNew'
  );
}

/**
 * Which recorded activations started an operation (activity, timer, child workflow, signal
 * or cancellation of another workflow) that is still pending at the end of `events`: indexed
 * by activation (0 is the first), true where it did (an index past the end: it did not).
 * Only there must replay capture where operations start, which `__stack_trace` shows while
 * they are pending; capturing a stack costs more than the rest of starting an operation.
 * (`condition()` leaves no trace in history, so the runtime always captures its stack.)
 */
export function activationsWithPendingOps(events: readonly HistoryEvent[]): boolean[] {
  // A closed run has nothing pending (its terminal event ends every operation): no scan.
  const last = events[events.length - 1];
  if (last !== undefined && isTerminalEventType(last.type)) return [];
  // Each pending operation → the activation that started it.
  const activities = new Map<number, number>();
  const timers = new Map<string, number>();
  const others = new Map<number, number>(); // children and externals, by initiated seq
  let activation = 0;
  for (const e of events) {
    switch (e.type) {
      case 'ActivityScheduled':
        activities.set(e.seq, activation);
        break;
      case 'ActivityCompleted':
      case 'ActivityFailed':
      case 'ActivityTimedOut':
      case 'ActivityCancelled':
        activities.delete(e.scheduledSeq);
        break;
      case 'TimerStarted':
        timers.set(e.timerId, activation);
        break;
      case 'TimerFired':
      case 'TimerCancelled':
        timers.delete(e.timerId);
        break;
      case 'ChildWorkflowInitiated':
      case 'ExternalSignalInitiated':
      case 'ExternalCancelInitiated':
        others.set(e.seq, activation);
        break;
      case 'ChildWorkflowStartFailed':
      case 'ChildWorkflowCompleted':
      case 'ChildWorkflowFailed':
      case 'ChildWorkflowCancelled':
      case 'ChildWorkflowTerminated':
      case 'ChildWorkflowTimedOut':
      case 'ExternalSignalDelivered':
      case 'ExternalSignalFailed':
      case 'ExternalCancelDelivered':
      case 'ExternalCancelFailed':
        others.delete(e.initiatedSeq);
        break;
      default:
        break;
    }
    if (closesActivation(e)) activation++;
  }
  const out = new Array<boolean>(activation + 1).fill(false);
  for (const pending of [activities, timers, others])
    for (const a of pending.values()) out[a] = true;
  return out;
}
