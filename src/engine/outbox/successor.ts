// The successor run recorded by a continue-as-new: started exactly once (its run id was
// fixed when the predecessor closed); the message stays in the outbox until it exists.
import type { OutboxRow } from '../../store/index.js';
import type { ContinueAsNewData } from '../commands/index.js';
import type { OutboxDeps } from './outbox-deps.js';

export function startSuccessor(d: OutboxDeps, row: OutboxRow): void {
  const data = JSON.parse(row.data) as ContinueAsNewData;
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
