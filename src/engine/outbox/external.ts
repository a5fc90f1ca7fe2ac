// A signal or cancellation a workflow sent to another workflow: delivered to the target, then
// the outcome recorded in the sender. A re-dispatch after a crash is deduplicated by the target.
import {
  AionError,
  isAionError,
  validateWorkflowId,
  type NewEvent,
  type RunKey,
} from '../../core/index.js';
import type { OutboxRow, Store } from '../../store/index.js';
import type { ExternalData } from '../commands/index.js';
import type { OutboxDeps } from './outbox-deps.js';

export async function deliverExternal(d: OutboxDeps, row: OutboxRow): Promise<void> {
  const data = JSON.parse(row.data) as ExternalData;
  const sender = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
  try {
    if (data.action === 'signal') {
      await signalTarget(d, row, data);
      d.scheduler.enqueue(sender, {
        event: { type: 'ExternalSignalDelivered', initiatedSeq: data.initiatedSeq },
        removeOutbox: [row.id],
      });
    } else {
      validateWorkflowId(data.workflowId);
      await d.control.cancel(
        { namespace: row.namespace, workflowId: data.workflowId, runId: data.runId },
        `requested by workflow ${row.workflowId}`,
      );
      d.scheduler.enqueue(sender, {
        event: { type: 'ExternalCancelDelivered', initiatedSeq: data.initiatedSeq },
        removeOutbox: [row.id],
      });
    }
  } catch (err) {
    if (
      data.action === 'cancel' &&
      isAionError(err) &&
      err.code === 'not_found' &&
      (await childStartPending(d.store, sender, data.workflowId))
    ) {
      // The sender's own child is recorded but not started yet: deliver once it exists.
      d.retryLater(row, 100);
      return;
    }
    if (isAionError(err) && (err.code === 'not_found' || err.code === 'workflow_closed')) {
      // Temporal's messages (code ported from it matches on them); the target is in the log.
      d.logger.debug('external workflow not found', {
        workflowId: data.workflowId,
        error: err.message,
      });
      const message =
        data.action === 'signal'
          ? 'Unable to signal external workflow because it was not found'
          : 'Unable to cancel external workflow because not found';
      const failure = { type: 'ExternalWorkflowNotFound', message, retryable: false };
      const event: NewEvent =
        data.action === 'signal'
          ? { type: 'ExternalSignalFailed', initiatedSeq: data.initiatedSeq, failure }
          : { type: 'ExternalCancelFailed', initiatedSeq: data.initiatedSeq, failure };
      d.scheduler.enqueue(sender, { event, removeOutbox: [row.id] });
      return;
    }
    d.retryLater(row, { error: err });
  }
}

async function signalTarget(d: OutboxDeps, row: OutboxRow, data: ExternalData): Promise<void> {
  const info = await d.resolver.resolve({
    namespace: row.namespace,
    workflowId: data.workflowId,
    runId: data.runId,
  });
  if (info.closeTime !== undefined) {
    throw new AionError(
      'workflow_closed',
      `workflow ${data.workflowId} run ${info.runId} is ${info.status}`,
      { status: info.status },
    );
  }
  await new Promise<void>((resolve, reject) => {
    d.scheduler.enqueue(info, {
      event: {
        type: 'SignalReceived',
        signalName: data.signalName ?? '',
        args: data.args ?? [],
        identity: `workflow ${row.workflowId}`,
        requestId: `external/${row.runId}/${data.initiatedSeq}`,
      },
      ack: { resolve, reject },
    });
  });
}

/** Whether `run` recorded a child start of `workflowId` that has not started (or failed) yet. */
async function childStartPending(store: Store, run: RunKey, workflowId: string): Promise<boolean> {
  const pending = new Set<number>();
  for (const e of await store.readHistory(run)) {
    if (e.type === 'ChildWorkflowInitiated' && e.workflowId === workflowId) pending.add(e.seq);
    else if (e.type === 'ChildWorkflowStarted' || e.type === 'ChildWorkflowStartFailed')
      pending.delete(e.initiatedSeq);
  }
  return pending.size > 0;
}
