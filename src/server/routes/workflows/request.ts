// What the workflow routes read from a request besides its body: the path parameters, the
// run handle they address, and the drain check that refuses new workflows.
import type { FastifyRequest } from 'fastify';
import { AionError, type WorkflowHandle } from '../../../core/index.js';
import type { ServerContext } from '../../context.js';
import type { Params } from '../common.js';

export const WORKFLOWS = '/api/v1/namespaces/:namespace/workflows';

export interface WorkflowParams extends Params {
  workflowId: string;
}

/**
 * The handle of the run a request addresses: `runId` from the body, else the query string;
 * with `firstExecutionRunId` (and no `runId`), the latest run of that run's chain.
 */
export function handleOf(
  ctx: ServerContext,
  req: FastifyRequest<{
    Params: WorkflowParams;
    Body?: { runId?: string; firstExecutionRunId?: string };
  }>,
): WorkflowHandle {
  const query = req.query as { runId?: string; firstExecutionRunId?: string };
  const first = req.body?.firstExecutionRunId ?? query.firstExecutionRunId;
  return ctx
    .scope(req.params.namespace)
    .getHandle(
      req.params.workflowId,
      req.body?.runId ?? query.runId,
      first ? { firstExecutionRunId: first } : {},
    );
}

/**
 * The run id of a handle a start, reset or reopen returned. The engine's handles name their
 * run; describing it (four store reads) is only a fallback.
 */
export async function runIdOf(handle: WorkflowHandle): Promise<string> {
  return handle.runId ?? (await handle.describe()).runId;
}

export function refuseWhileDraining(ctx: ServerContext): void {
  if (ctx.draining()) {
    throw new AionError('unavailable', 'the server is draining and accepts no new workflows', {});
  }
}
