// Routes that create runs: start, and signal-with-start (signals the open run or starts one);
// both are refused while the server drains. A plain start's audit entry is written by the run's
// start commit; the with-start routes write theirs after the call, as other mutations do.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { withNewRequestId, withStartAudit } from '../../../engine/index.js';
import { NEW_REQUEST_ID_HEADER } from '../../../protocol/index.js';
import {
  isAionError,
  WithStartWorkflowOperation,
  type WithStartWorkflowOptions,
} from '../../../core/index.js';
import { toErrorResponse } from '../../errors.js';
import { mutation, type Params } from '../common.js';
import { refuseWhileDraining, runIdOf, WORKFLOWS } from './request.js';
import { waitKey, type ResultWaits } from './result-waits.js';
import {
  headersOf,
  signalWithStartSchema,
  startOptions,
  startSchema,
  updateWithStartSchema,
  type StartBody,
} from './validation.js';

interface StartRoute {
  Params: Params;
  Body: StartBody & { waitMs?: number };
}

interface UpdateWithStartRoute {
  Params: Params;
  Body: StartBody & {
    workflowId: string;
    update: string;
    updateArgs?: unknown[];
    updateId?: string;
    updateHeaders?: Record<string, unknown>;
    waitForStage?: 'ACCEPTED' | 'COMPLETED';
  };
}

interface SignalWithStartRoute {
  Params: Params;
  Body: StartBody & { signal: string; signalArgs?: unknown[] };
}

export function startRoutes(app: FastifyInstance, ctx: ServerContext, waits: ResultWaits): void {
  const start = mutation<StartRoute>(
    ctx,
    'write',
    'workflow.start',
    async (req, reply, _principal, audit) => {
      ctx.namespace(req.params.namespace);
      refuseWhileDraining(ctx);
      const { waitMs: _wait, ...body } = req.body;
      // A client's first attempt of a request id it generated: no run can carry the id yet.
      const options =
        body.requestId !== undefined && req.headers[NEW_REQUEST_ID_HEADER] === '1'
          ? withNewRequestId(startOptions(body))
          : startOptions(body);
      // The ok entry is written by the run's start commit: one durable commit per start.
      const handle = await ctx
        .scope(req.params.namespace)
        .start(body.workflowType, withStartAudit(options, audit));
      const runId = await runIdOf(handle);
      void reply.code(201);
      return { target: handle.workflowId, body: { workflowId: handle.workflowId, runId } };
    },
  );
  app.post<StartRoute>(WORKFLOWS, { schema: { body: startSchema } }, async (req, reply) => {
    // The start is answered (and audited) as any start; with `waitMs` its answer also
    // carries the run's outcome once it is known — one request for start-then-result.
    const started = (await start(req, reply)) as { workflowId: string; runId: string };
    const waitMs = req.body.waitMs;
    if (waitMs === undefined) return started;
    const { workflowId, runId } = started;
    const namespace = req.params.namespace;
    const outcome = await waits.wait(
      waitKey(namespace, workflowId, runId),
      () => ctx.scope(namespace).getHandle(workflowId, runId).result(),
      waitMs,
    );
    if (outcome?.ok) return { ...started, status: 'COMPLETED', result: outcome.value ?? null };
    // A run that closed unsuccessfully is answered in the body: the start itself succeeded.
    // Anything else (the wait ran out, the server is closing, the store failed while waiting)
    // says "still running": the result long-poll asks again and reports what persists.
    if (
      outcome !== undefined &&
      isAionError(outcome.error) &&
      outcome.error.code === 'workflow_failed'
    )
      return { ...started, status: 'FAILED', error: toErrorResponse(outcome.error).body };
    return { ...started, status: 'RUNNING' };
  });

  app.post<SignalWithStartRoute>(
    `${WORKFLOWS}/signal-with-start`,
    { schema: { body: signalWithStartSchema } },
    mutation<SignalWithStartRoute>(ctx, 'write', 'workflow.signalWithStart', async (req) => {
      const scope = ctx.scope(req.params.namespace);
      refuseWhileDraining(ctx);
      const { signal, signalArgs, ...start } = req.body;
      const handle = await scope.signalWithStart(start.workflowType, {
        ...startOptions(start),
        workflowId: start.workflowId!,
        signal,
        signalArgs: signalArgs ?? [],
      });
      return {
        target: handle.workflowId,
        body: { workflowId: handle.workflowId, runId: await runIdOf(handle) },
      };
    }),
  );

  updateWithStartRoute(app, ctx);
}

/** Starts the workflow if needed and sends it an update (see `executeUpdateWithStart`). */
function updateWithStartRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<UpdateWithStartRoute>(
    `${WORKFLOWS}/update-with-start`,
    { schema: { body: updateWithStartSchema } },
    mutation<UpdateWithStartRoute>(ctx, 'write', 'workflow.updateWithStart', async (req) => {
      const scope = ctx.scope(req.params.namespace);
      refuseWhileDraining(ctx);
      const { update, updateArgs, updateId, updateHeaders, waitForStage, ...start } = req.body;
      const op = WithStartWorkflowOperation.create(
        start.workflowType,
        startOptions(start) as WithStartWorkflowOptions,
      );
      const headers = headersOf(updateHeaders);
      const accepted = await scope.client.workflow.startUpdateWithStart(update, {
        args: updateArgs ?? [],
        ...(updateId ? { updateId } : {}),
        ...(headers ? { headers } : {}),
        startWorkflowOperation: op,
        waitForStage: 'ACCEPTED',
      });
      const ids = {
        workflowId: accepted.workflowId,
        runId: accepted.workflowRunId ?? null,
        updateId: accepted.updateId,
      };
      if (waitForStage === 'ACCEPTED')
        return { target: accepted.workflowId, body: { stage: 'ACCEPTED', ...ids } };
      const result = await accepted.result();
      return {
        target: accepted.workflowId,
        body: { stage: 'COMPLETED', ...ids, result: result ?? null },
      };
    }),
  );
}
