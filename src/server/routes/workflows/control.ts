// Routes that steer one run's execution: cancel (cooperative), terminate (immediate),
// pause and resume.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { mutation } from '../common.js';
import { handleOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { body, REASON } from './validation.js';

interface ReasonRoute {
  Params: WorkflowParams;
  Body: { reason?: string; runId?: string };
}

interface ResumeRoute {
  Params: WorkflowParams;
  Body: { runId?: string };
}

export function controlRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const action of ['cancel', 'terminate', 'pause'] as const) {
    app.post<ReasonRoute>(
      `${WORKFLOWS}/:workflowId/${action}`,
      { schema: { body: body({ reason: REASON }) } },
      mutation<ReasonRoute>(ctx, 'write', `workflow.${action}`, async (req) => {
        await handleOf(ctx, req)[action](req.body?.reason);
        return { target: req.params.workflowId, body: {} };
      }),
    );
  }

  app.post<ResumeRoute>(
    `${WORKFLOWS}/:workflowId/resume`,
    { schema: { body: body({}) } },
    mutation<ResumeRoute>(ctx, 'write', 'workflow.resume', async (req) => {
      await handleOf(ctx, req).resume();
      return { target: req.params.workflowId, body: {} };
    }),
  );
}
