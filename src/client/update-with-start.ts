// The remote SDK's update-with-start: one call that starts the workflow when needed and sends
// it an update. The start goes through the `start` interceptors and the update through the
// `startUpdate` ones (nested, so both can add headers) before the single HTTP request.
import { randomUUID } from 'node:crypto';
import {
  composeInterceptors,
  messageName,
  workflowTypeName,
  type MessageRef,
  type StartWorkflowOperation,
  type WorkflowUpdateHandle,
  type WorkflowUpdateOptions,
} from '../core/index.js';
import type { ClientContext } from './context.js';
import { remoteUpdateHandle } from './update-handle.js';
import { namespacePath, withHeaders } from './wire.js';

type Accepted = { workflowId: string; runId: string; updateId: string };

/** Sends the update-with-start; resolves once the update is accepted. */
export async function updateWithStart<T>(
  ctx: ClientContext,
  update: MessageRef,
  options: WorkflowUpdateOptions & { readonly startWorkflowOperation: StartWorkflowOperation },
): Promise<WorkflowUpdateHandle<T>> {
  const { startWorkflowOperation: op, ...updateOptions } = options;
  op.claim();
  const base = `${namespacePath(ctx.namespace)}/workflows`;
  let accepted: Accepted | undefined;
  try {
    const { headers, ...startOptions } = op.options;
    await composeInterceptors(ctx.interceptors, 'start', (start) =>
      composeInterceptors(ctx.interceptors, 'startUpdate', async (input) => {
        accepted = await ctx.connection.request<Accepted>('POST', `${base}/update-with-start`, {
          body: {
            workflowType: start.workflowType,
            ...start.options,
            ...(start.options.args ? { args: [...start.options.args] } : {}),
            ...withHeaders(start.headers),
            update: input.updateName,
            updateArgs: [...input.args],
            // By update id (generated when not given) the call is safe to send again.
            updateId: input.updateId || randomUUID(),
            ...(Object.keys(input.headers).length > 0 ? { updateHeaders: input.headers } : {}),
            waitForStage: 'ACCEPTED',
          },
          idempotent: true,
        });
        return { updateId: accepted.updateId, workflowRunId: accepted.runId };
      })({
        workflowId: op.options.workflowId,
        runId: undefined,
        updateName: messageName(update),
        args: updateOptions.args ?? [],
        headers: updateOptions.headers ?? {},
        waitForStage: 'ACCEPTED',
        ...(updateOptions.updateId ? { updateId: updateOptions.updateId } : {}),
      }).then(() => ({ workflowId: accepted!.workflowId, runId: accepted!.runId })),
    )({
      workflowType: workflowTypeName(op.workflow),
      options: startOptions,
      headers: headers ?? {},
    });
  } catch (error) {
    op.settle({ error });
    throw error;
  }
  const out = accepted!;
  op.settle({
    handle: ctx.getHandle(out.workflowId, undefined, { firstExecutionRunId: out.runId }),
  });
  return remoteUpdateHandle<T>(ctx.connection, `${base}/${encodeURIComponent(out.workflowId)}`, {
    updateId: out.updateId,
    workflowId: out.workflowId,
    runId: out.runId,
    address: {},
  });
}
