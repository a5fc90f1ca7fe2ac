// The successor run recorded by a continue-as-new or a workflow retry: started exactly once
// (its run id was fixed when the predecessor closed); the message stays in the outbox until it
// exists. A retry's backoff is its due time in the row, so a restart keeps it.
import type { OutboxRow } from '../../store/index.js';
import type { ContinueAsNewData } from '../commands/index.js';
import type { OutboxDeps } from './outbox-deps.js';

export function startSuccessor(d: OutboxDeps, row: OutboxRow): void {
  const data = JSON.parse(row.data) as ContinueAsNewData;
  const wait = data.notBefore !== undefined ? data.notBefore - d.clock.now() : 0;
  if (wait > 0) {
    d.retryLater(row, wait);
    return;
  }
  void d.starter
    .startRun({
      namespace: row.namespace,
      workflowId: row.workflowId,
      runId: data.newRunId,
      workflowType: data.workflowType,
      taskQueue: data.taskQueue,
      args: data.args,
      firstRunId: data.firstRunId,
      continuedFromRunId: row.runId,
      ...(data.searchAttributes ? { searchAttributes: data.searchAttributes } : {}),
      ...(data.memo ? { memo: data.memo } : {}),
      ...(data.executionTimeoutMs !== undefined
        ? { executionTimeoutMs: data.executionTimeoutMs }
        : {}),
      ...(data.executionDeadline !== undefined
        ? { executionDeadline: data.executionDeadline }
        : {}),
      ...(data.runTimeoutMs !== undefined ? { runTimeoutMs: data.runTimeoutMs } : {}),
      removeOutbox: [row.id],
      ...(data.parent ? { parent: data.parent } : {}),
      ...(data.headers ? { headers: data.headers } : {}),
      ...(data.retryPolicy ? { retryPolicy: data.retryPolicy } : {}),
      ...(data.priority ? { priority: data.priority } : {}),
      ...(data.attempt !== undefined ? { attempt: data.attempt } : {}),
      ...(data.cronSchedule !== undefined ? { cronSchedule: data.cronSchedule } : {}),
      ...(data.firstTaskAt !== undefined ? { firstTaskAt: data.firstTaskAt } : {}),
      ...(data.lastResult ? { lastResult: data.lastResult } : {}),
      ...(data.lastFailure ? { lastFailure: data.lastFailure } : {}),
    })
    .catch(async (err: unknown) => {
      const current = await d.store
        .getCurrentRun(row.namespace, row.workflowId)
        .catch(() => undefined);
      if (current?.runId === data.newRunId) {
        // The successor exists already (a concurrent dispatch won): settle the message.
        await d.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
        return;
      }
      // Try again later; the message stays in the outbox until a successor exists.
      d.retryLater(row, { error: err });
    });
}
