// A child start recorded by its parent: started exactly once (its run id was fixed at
// initiation), and the parent told ChildWorkflowStarted or ChildWorkflowStartFailed.
import { isAionError, type NewEvent } from '../../core/index.js';
import type { OutboxRow } from '../../store/index.js';
import type { ChildStartData } from '../commands/index.js';
import type { OutboxDeps } from './outbox-deps.js';

type StartFailure = 'already_started' | 'unknown_type' | 'version_missing' | 'invalid';

export async function startChild(d: OutboxDeps, row: OutboxRow): Promise<void> {
  const data = JSON.parse(row.data) as ChildStartData;
  const parentKey = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
  const tell = (event: NewEvent): void =>
    d.scheduler.enqueue(parentKey, { event, removeOutbox: [row.id] });
  const failed = (cause: StartFailure, message: string): void =>
    tell({
      type: 'ChildWorkflowStartFailed',
      initiatedSeq: data.initiatedSeq,
      cause,
      failure: { type: 'ChildWorkflowStartFailed', message, retryable: false },
    });
  const started: NewEvent = {
    type: 'ChildWorkflowStarted',
    initiatedSeq: data.initiatedSeq,
    runId: data.runId,
  };
  const parentInfo = await d.store.getRun(parentKey).catch(() => undefined);
  if (parentInfo?.closeTime !== undefined) {
    // The parent closed before its child could start: nothing to start any more.
    await d.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
    return;
  }
  if (data.version === '') {
    failed(
      'unknown_type',
      `no deployed package exports workflow type ${JSON.stringify(data.workflowType)}`,
    );
    return;
  }
  const existing = await d.store.getRun({
    namespace: row.namespace,
    workflowId: data.workflowId,
    runId: data.runId,
  });
  if (existing) {
    // Started before a crash (or by a concurrent dispatch): tell the parent now.
    tell(started);
    return;
  }
  try {
    await d.starter.startRun({
      namespace: row.namespace,
      workflowId: data.workflowId,
      runId: data.runId,
      workflowType: data.workflowType,
      taskQueue: data.taskQueue,
      args: data.args,
      firstRunId: data.runId,
      version: data.version,
      ...(data.headers ? { headers: data.headers } : {}),
      parent: { ...parentKey, initiatedSeq: data.initiatedSeq },
      // The parent learns of the start before anything the child's first commit sends it.
      onCommitted: () => tell(started),
      ...(data.executionTimeoutMs !== undefined
        ? {
            executionTimeoutMs: data.executionTimeoutMs,
            executionDeadline: d.clock.now() + data.executionTimeoutMs,
          }
        : {}),
      ...(data.runTimeoutMs !== undefined ? { runTimeoutMs: data.runTimeoutMs } : {}),
      ...(data.retryPolicy ? { retryPolicy: data.retryPolicy } : {}),
      ...(data.priority ? { priority: data.priority } : {}),
    });
  } catch (err) {
    await onStartError(d, row, data, err, { tell: () => tell(started), failed });
  }
}

/** A start that threw: the parent learns why, or the row is tried again later. */
async function onStartError(
  d: OutboxDeps,
  row: OutboxRow,
  data: ChildStartData,
  err: unknown,
  to: { tell: () => void; failed: (cause: StartFailure, message: string) => void },
): Promise<void> {
  if (isAionError(err) && err.code === 'workflow_already_started') {
    const current = await d.store.getCurrentRun(row.namespace, data.workflowId);
    if (current?.runId === data.runId) to.tell();
    else to.failed('already_started', err.message);
  } else if (
    isAionError(err) &&
    (err.code === 'package_version_missing' || err.code === 'not_found')
  ) {
    to.failed('version_missing', err.message);
  } else {
    d.retryLater(row, { error: err }); // logged there unless the store is merely away
  }
}
