// Operator routes that recover a run: reset (new run from a workflow-task boundary), reopen
// (a FAILED or CANCELLED run as a new run) and retry (a stuck run now, maybe re-pinned).
import type { FastifyInstance } from 'fastify';
import type { ResetPoint } from '../../../engine/index.js';
import type { ServerContext } from '../../context.js';
import { mutation } from '../common.js';
import { runIdOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { body, NAME, REASON, VERSION } from './validation.js';

interface ResetRoute {
  Params: WorkflowParams;
  Body: {
    runId?: string;
    to?: number | string;
    reason?: string;
    version?: string;
    resetReapplyType?: string;
    resetReapplyExcludeTypes?: string[];
  };
}

interface ReopenRoute {
  Params: WorkflowParams;
  Body: { runId?: string; reason?: string; version?: string };
}

interface RetryRoute {
  Params: WorkflowParams;
  Body: { runId?: string; version?: string };
}

export function recoveryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<ResetRoute>(
    `${WORKFLOWS}/:workflowId/reset`,
    {
      schema: {
        body: body({
          to: {
            anyOf: [
              { type: 'integer', minimum: 1 },
              { enum: ['firstWorkflowTask', 'lastWorkflowTask'] },
            ],
          },
          reason: REASON,
          version: VERSION,
          resetReapplyType: NAME,
          resetReapplyExcludeTypes: { type: 'array', maxItems: 10, items: NAME },
        }),
      },
    },
    mutation<ResetRoute>(ctx, 'write', 'workflow.reset', async (req) => {
      ctx.namespace(req.params.namespace);
      const b = req.body ?? {};
      const handle = await ctx.scope(req.params.namespace).reset(req.params.workflowId, {
        ...(b.runId ? { runId: b.runId } : {}),
        ...(b.to !== undefined ? { to: b.to as ResetPoint } : {}),
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.version ? { version: b.version } : {}),
        ...(b.resetReapplyType ? { resetReapplyType: b.resetReapplyType } : {}),
        ...(b.resetReapplyExcludeTypes
          ? { resetReapplyExcludeTypes: b.resetReapplyExcludeTypes }
          : {}),
      });
      return {
        target: req.params.workflowId,
        body: { workflowId: handle.workflowId, runId: await runIdOf(handle) },
      };
    }),
  );

  app.post<ReopenRoute>(
    `${WORKFLOWS}/:workflowId/reopen`,
    { schema: { body: body({ reason: REASON, version: VERSION }) } },
    mutation<ReopenRoute>(ctx, 'write', 'workflow.reopen', async (req) => {
      ctx.namespace(req.params.namespace);
      const b = req.body ?? {};
      const handle = await ctx.scope(req.params.namespace).reopen(req.params.workflowId, {
        ...(b.runId ? { runId: b.runId } : {}),
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.version ? { version: b.version } : {}),
      });
      return {
        target: req.params.workflowId,
        body: { workflowId: handle.workflowId, runId: await runIdOf(handle) },
      };
    }),
  );

  app.post<RetryRoute>(
    `${WORKFLOWS}/:workflowId/retry`,
    { schema: { body: body({ version: VERSION }) } },
    mutation<RetryRoute>(ctx, 'write', 'workflow.retry', async (req) => {
      ctx.namespace(req.params.namespace);
      const b = req.body ?? {};
      const out = await ctx.scope(req.params.namespace).retry(req.params.workflowId, {
        ...(b.runId ? { runId: b.runId } : {}),
        ...(b.version ? { version: b.version } : {}),
      });
      return { target: req.params.workflowId, body: out };
    }),
  );
}
