// Parent close policy: terminates or cancels a child (its current run) whose parent closed.
import { isAionError, validateWorkflowId } from '../../core/index.js';
import type { OutboxRow } from '../../store/index.js';
import type { ClosePolicyData } from '../commands/index.js';
import type { OutboxDeps } from './outbox-deps.js';

export async function applyClosePolicy(d: OutboxDeps, row: OutboxRow): Promise<void> {
  const data = JSON.parse(row.data) as ClosePolicyData;
  const child = { namespace: row.namespace, workflowId: data.workflowId, runId: undefined };
  try {
    validateWorkflowId(data.workflowId);
    if (data.action === 'TERMINATE') await d.control.terminate(child, data.reason);
    else await d.control.cancel(child, data.reason);
  } catch (err) {
    if (!(isAionError(err) && (err.code === 'workflow_closed' || err.code === 'not_found'))) {
      d.retryLater(row, { error: err });
      return;
    }
  }
  await d.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
}
