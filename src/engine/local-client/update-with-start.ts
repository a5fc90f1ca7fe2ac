// Update-with-start of the in-process client: starts the workflow when no run of its id is
// open (the operation's conflict policy decides otherwise) with the update recorded in the
// start's commit, so the run's first activation handles it; else sends the update to the open
// run. A retried call with the same update id finds the run by the start's idempotency key and
// the update's recorded outcome, so it neither starts twice nor applies the update twice.
import {
  AionError,
  type MessageRef,
  type StartWorkflowOperation,
  type WorkflowHandle,
  type WorkflowUpdateOptions,
} from '../../core/index.js';
import { withinDeadline } from '../store-retry.js';
import { makeHandle, type HandleDeps } from './handles.js';

export interface UpdateWithStartDeps extends HandleDeps {
  readonly newId: () => string;
}

export interface AcceptedWithStart {
  readonly handle: WorkflowHandle;
  readonly updateId: string;
  readonly runId: string;
  readonly result: () => Promise<unknown>;
}

/** Starts (if needed) and sends the update; resolves once the update is accepted. */
export async function updateWithStart(
  d: UpdateWithStartDeps,
  ns: string,
  update: MessageRef,
  options: WorkflowUpdateOptions & { readonly startWorkflowOperation: StartWorkflowOperation },
): Promise<AcceptedWithStart> {
  const { startWorkflowOperation: op, ...updateOptions } = options;
  op.claim();
  try {
    const start = op.options;
    if (start.workflowId === undefined || start.workflowIdConflictPolicy === undefined) {
      throw new AionError(
        'invalid_argument',
        'update-with-start needs the start operation to give a workflowId and a workflowIdConflictPolicy',
        { field: 'startWorkflowOperation' },
      );
    }
    const updateId = updateOptions.updateId ?? d.newId();
    // The start's idempotency key comes from the update id unless the caller gave one.
    const requestId = start.requestId ?? `update-with-start/${updateId}`.slice(0, 200);
    const accepted = await withinDeadline(d.retry, () =>
      d.calls.startWithUpdate(ns, op.workflow, { ...start, requestId }, update, {
        ...updateOptions,
        updateId,
      }),
    );
    const handle = makeHandle(d, ns, accepted.workflowId, accepted.runId, {
      firstExecutionRunId: accepted.runId,
    });
    op.settle({ handle });
    return {
      handle,
      updateId: accepted.updateId,
      runId: accepted.runId,
      result: () => accepted.result(),
    };
  } catch (error) {
    op.settle({ error });
    throw error;
  }
}
