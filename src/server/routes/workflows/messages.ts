// Routes that message one run: signal (idempotent by requestId), query (read-only) and
// update (recorded, idempotent by updateId); headers are encoded as payloads.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { mutation, read } from '../common.js';
import { handleOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { ARGS, body, HEADERS, headersOf, NAME } from './validation.js';

interface SignalRoute {
  Params: WorkflowParams;
  Body: {
    name: string;
    args?: unknown[];
    requestId?: string;
    runId?: string;
    headers?: Record<string, unknown>;
  };
}

interface QueryRoute {
  Params: WorkflowParams;
  Body: { name: string; args?: unknown[]; runId?: string };
}

interface UpdateRoute {
  Params: WorkflowParams;
  Body: {
    name: string;
    args?: unknown[];
    updateId?: string;
    runId?: string;
    headers?: Record<string, unknown>;
  };
}

export function messageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<SignalRoute>(
    `${WORKFLOWS}/:workflowId/signal`,
    {
      schema: {
        body: body({ name: NAME, args: ARGS, requestId: NAME, headers: HEADERS }, ['name']),
      },
    },
    mutation<SignalRoute>(ctx, 'write', 'workflow.signal', async (req) => {
      const handle = handleOf(ctx, req);
      const args = req.body.args ?? [];
      const headers = headersOf(req.body.headers);
      await handle.signalWithOptions(
        {
          ...(headers ? { headers } : {}),
          ...(req.body.requestId ? { requestId: req.body.requestId } : {}),
        },
        req.body.name,
        ...args,
      );
      return { target: req.params.workflowId, body: {} };
    }),
  );

  app.post<QueryRoute>(
    `${WORKFLOWS}/:workflowId/query`,
    { schema: { body: body({ name: NAME, args: ARGS }, ['name']) } },
    read<QueryRoute>(ctx, 'workflow.query', async (req) => {
      const result = await handleOf(ctx, req).query(req.body.name, ...(req.body.args ?? []));
      return { result: result ?? null };
    }),
  );

  app.post<UpdateRoute>(
    `${WORKFLOWS}/:workflowId/update`,
    {
      schema: {
        body: body({ name: NAME, args: ARGS, updateId: NAME, headers: HEADERS }, ['name']),
      },
    },
    mutation<UpdateRoute>(ctx, 'write', 'workflow.update', async (req) => {
      const headers = headersOf(req.body.headers);
      const result = await handleOf(ctx, req).executeUpdate(req.body.name, {
        args: req.body.args ?? [],
        ...(req.body.updateId ? { updateId: req.body.updateId } : {}),
        ...(headers ? { headers } : {}),
      });
      return { target: req.params.workflowId, body: { result: result ?? null } };
    }),
  );
}
