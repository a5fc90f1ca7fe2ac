// A failed run under a workflow retry policy: when the policy allows another attempt, the
// failure names its successor run and an outbox row (due after the backoff) starts it — both
// in the run's closing commit, so a crash neither loses nor doubles the retry.
import { decideRetry } from '../../activity/internal.js';
import type { EventOf, Failure } from '../../core/index.js';
import type { CommandOf, EventWriter } from './event-writer.js';
import { WORKFLOW_RETRY_KIND, type ContinueAsNewData } from './kinds.js';
import { cronSuccessor } from './cron.js';
import { rerunOf } from './successor-data.js';

export function failOrRetry(w: EventWriter, cmd: CommandOf<'failWorkflow'>): void {
  const started = w.book.started;
  const delayMs = started ? retryDelay(started, cmd.failure, w.now) : undefined;
  if (started === undefined || delayMs === undefined) {
    // Final for this run; a cron workflow goes on with its next run.
    const next = cronSuccessor(w, { failure: cmd.failure });
    w.push({ type: 'WorkflowFailed', failure: cmd.failure, ...(next ? { newRunId: next } : {}) });
    return;
  }
  const { run } = w;
  const newRunId = w.env.ids.uuid();
  const data: ContinueAsNewData = {
    ...rerunOf(started, run.runId, newRunId),
    attempt: (started.attempt ?? 1) + 1,
    ...(started.cronSchedule !== undefined ? { cronSchedule: started.cronSchedule } : {}),
    notBefore: w.now + delayMs,
  };
  w.push({ type: 'WorkflowFailed', failure: cmd.failure, newRunId });
  w.effects.outbox.push({
    namespace: run.namespace,
    id: `workflow-retry/${run.runId}`,
    workflowId: run.workflowId,
    runId: run.runId,
    kind: WORKFLOW_RETRY_KIND,
    data: JSON.stringify(data),
    createdAt: w.now,
  });
}

/**
 * The backoff before the next attempt, or undefined when the failure is final: no policy, a
 * non-retryable failure (`nonRetryable`, a listed type), the last attempt, or no time left
 * before the execution deadline.
 */
function retryDelay(
  started: EventOf<'WorkflowStarted'>,
  failure: Failure,
  now: number,
): number | undefined {
  if (!started.retryPolicy) return undefined;
  const decision = decideRetry({
    policy: started.retryPolicy,
    attempt: started.attempt ?? 1,
    failure,
    now,
    scheduledTime: now,
    ...(started.executionDeadline !== undefined
      ? { scheduleToCloseTimeoutMs: started.executionDeadline - now }
      : {}),
  });
  return decision.retry ? decision.delayMs : undefined;
}
