// Routes that message one run: signal (idempotent by requestId), query (read-only) and
// update (recorded, idempotent by updateId); headers are encoded as payloads.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { mutation, read } from '../common.js';
import { handleOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { ARGS, body, HEADERS, headersOf, intParam, NAME } from './validation.js';

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
    waitForStage?: 'ACCEPTED' | 'COMPLETED';
  };
}

interface UpdateResultRoute {
  Params: WorkflowParams & { updateId: string };
  Querystring: { runId?: string; firstExecutionRunId?: string; waitMs?: string };
}

const MAX_UPDATE_WAIT_MS = 60_000;

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
        body: body(
          {
            name: NAME,
            args: ARGS,
            updateId: NAME,
            headers: HEADERS,
            waitForStage: { enum: ['ACCEPTED', 'COMPLETED'] },
          },
          ['name'],
        ),
      },
    },
    mutation<UpdateRoute>(ctx, 'write', 'workflow.update', async (req) => {
      const headers = headersOf(req.body.headers);
      // One accepted update answers both stages; COMPLETED then waits for its result.
      const accepted = await handleOf(ctx, req).startUpdate(req.body.name, {
        args: req.body.args ?? [],
        ...(req.body.updateId ? { updateId: req.body.updateId } : {}),
        ...(headers ? { headers } : {}),
        waitForStage: 'ACCEPTED',
      });
      const ids = { updateId: accepted.updateId, runId: accepted.workflowRunId ?? null };
      if (req.body.waitForStage === 'ACCEPTED')
        return { target: req.params.workflowId, body: { stage: 'ACCEPTED', ...ids } };
      const result = await accepted.result();
      return {
        target: req.params.workflowId,
        body: { stage: 'COMPLETED', ...ids, result: result ?? null },
      };
    }),
  );

  updateResultRoute(app, ctx);
}

/** Long-poll of an accepted update's outcome: 202 `{status: 'PENDING'}` when not there yet. */
function updateResultRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<UpdateResultRoute>(
    `${WORKFLOWS}/:workflowId/updates/:updateId/result`,
    read<UpdateResultRoute>(ctx, 'workflow.updateResult', async (req, reply) => {
      const waitMs =
        intParam(req.query.waitMs, 'waitMs', { min: 0, max: MAX_UPDATE_WAIT_MS }) ?? 30_000;
      const pending = handleOf(ctx, req)
        .getUpdateHandle(req.params.updateId)
        .result()
        .then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        pending,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), waitMs);
        }),
      ]);
      clearTimeout(timer);
      if (outcome === undefined) {
        void reply.code(202);
        return { status: 'PENDING' };
      }
      if (!outcome.ok) throw outcome.error;
      return { status: 'COMPLETED', result: outcome.value ?? null };
    }),
  );
}
