// What a run's closing commit implies beyond its terminal event: the parent learns how the
// child ended, and the run's open children get their parent close policy.
import type { HistoryEvent, NewEvent, RunKey } from '../../core/index.js';
import type { RunBook } from '../../runtime/index.js';
import type { CommitEffects } from './effects.js';
import {
  CHILD_RESULT_KIND,
  CLOSE_POLICY_KIND,
  type ChildResultData,
  type ClosePolicyData,
} from './kinds.js';

/** The event telling a parent how its child's chain ended. */
export function childOutcomeEvent(
  terminal: HistoryEvent,
  initiatedSeq: number,
): NewEvent | undefined {
  switch (terminal.type) {
    case 'WorkflowCompleted':
      return { type: 'ChildWorkflowCompleted', initiatedSeq, result: terminal.result };
    case 'WorkflowFailed':
      // A failure the retry policy retries: the chain goes on, the parent waits for its end.
      if (terminal.newRunId !== undefined) return undefined;
      return { type: 'ChildWorkflowFailed', initiatedSeq, failure: terminal.failure };
    case 'WorkflowCancelled':
      return {
        type: 'ChildWorkflowCancelled',
        initiatedSeq,
        ...(terminal.reason !== undefined ? { reason: terminal.reason } : {}),
      };
    case 'WorkflowTerminated':
      return { type: 'ChildWorkflowTerminated', initiatedSeq, reason: terminal.reason };
    case 'WorkflowTimedOut':
      return { type: 'ChildWorkflowTimedOut', initiatedSeq, timeoutType: terminal.timeoutType };
    default:
      return undefined;
  }
}

/**
 * Outbox rows implied by a run's closing commit: its parent learns the outcome (unless the
 * chain continues), and its open children get the parent close policy.
 */
export function closingEffects(
  run: RunKey,
  book: RunBook,
  terminal: HistoryEvent,
  now: number,
  effects: CommitEffects,
): void {
  const parent = book.started?.parent;
  const outcome = parent ? childOutcomeEvent(terminal, parent.initiatedSeq) : undefined;
  if (parent && outcome) {
    const data: ChildResultData = { parent, event: outcome };
    effects.outbox.push({
      namespace: run.namespace,
      id: `child-result/${run.runId}`,
      workflowId: run.workflowId,
      runId: run.runId,
      kind: CHILD_RESULT_KIND,
      data: JSON.stringify(data),
      createdAt: now,
    });
  }
  for (const [seq, child] of book.children) {
    if (!child.started || child.parentClosePolicy === 'ABANDON') continue;
    const data: ClosePolicyData = {
      workflowId: child.workflowId,
      runId: child.runId,
      action: child.parentClosePolicy,
      reason: `parent ${run.workflowId} closed (${terminal.type})`,
    };
    effects.outbox.push({
      namespace: run.namespace,
      id: `close-policy/${run.runId}/${seq}`,
      workflowId: run.workflowId,
      runId: run.runId,
      kind: CLOSE_POLICY_KIND,
      data: JSON.stringify(data),
      createdAt: now,
    });
  }
}
