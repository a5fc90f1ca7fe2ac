// Time travel (reader): a run's stack trace and queries answered from its state as of an
// earlier workflow-task boundary, replayed in a throwaway instance (nothing is recorded).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { read } from '../common.js';
import { handleOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { ARGS, body, NAME } from './validation.js';

interface TimeTravelRoute {
  Params: WorkflowParams;
  Body: {
    atSeq: number;
    queries?: { name: string; args?: unknown[] }[];
    runId?: string;
    firstExecutionRunId?: string;
  };
}

const QUERIES = {
  type: 'array',
  maxItems: 20,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: NAME, args: ARGS },
  },
} as const;

export function timeTravelRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<TimeTravelRoute>(
    `${WORKFLOWS}/:workflowId/time-travel`,
    {
      schema: {
        body: body({ atSeq: { type: 'integer', minimum: 1 }, queries: QUERIES }, ['atSeq']),
      },
    },
    read<TimeTravelRoute>(ctx, 'workflow.timeTravel', async (req) => {
      const out = await handleOf(ctx, req).timeTravel({
        atSeq: req.body.atSeq,
        queries: (req.body.queries ?? []).map((q) => ({ name: q.name, args: q.args ?? [] })),
      });
      return {
        ...out,
        // `undefined` would drop the field from the JSON: a query answering it says null.
        queries: out.queries.map((q) => (q.ok ? { ...q, result: q.result ?? null } : q)),
      };
    }),
  );
}
