import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { BatchJobs, type BatchJob, type BatchOperation } from '../batch.js';
import { mutation, read, type Params } from './common.js';

const REASON = { type: 'string', maxLength: 1000 } as const;

const operationSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { enum: ['cancel', 'terminate'] }, reason: REASON },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'signal'],
      properties: {
        type: { const: 'signal' },
        signal: { type: 'string', minLength: 1, maxLength: 200 },
        args: { type: 'array', maxItems: 1000 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { const: 'reset' },
        to: {
          anyOf: [
            { type: 'integer', minimum: 1 },
            { enum: ['firstWorkflowTask', 'lastWorkflowTask'] },
          ],
        },
        reason: REASON,
      },
    },
  ],
} as const;

function view(job: BatchJob): Record<string, unknown> {
  return { ...job };
}

/** `{ns}/batches`: operations applied to every run a visibility query matches. */
export function batchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // One job registry per namespace: job ids and listings never cross namespaces.
  const registries = new Map<string, BatchJobs>();
  const jobsOf = (namespace: string): BatchJobs => {
    const scope = ctx.scope(namespace);
    let jobs = registries.get(namespace);
    if (!jobs) {
      jobs = new BatchJobs(scope);
      registries.set(namespace, jobs);
    }
    return jobs;
  };
  const base = '/api/v1/namespaces/:namespace/batches';

  app.post<{
    Params: Params;
    Body: { jobId?: string; query: string; operation: BatchOperation };
  }>(
    base,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['query', 'operation'],
          properties: {
            jobId: { type: 'string', minLength: 1, maxLength: 200 },
            query: { type: 'string', minLength: 1, maxLength: 10_000 },
            operation: operationSchema,
          },
        },
      },
    },
    mutation<{
      Params: Params;
      Body: { jobId?: string; query: string; operation: BatchOperation };
    }>(ctx, 'write', 'batch.start', async (req, reply, principal) => {
      const namespace = ctx.namespace(req.params.namespace);
      const jobs = jobsOf(namespace);
      await jobs.validate(req.body.query);
      const job = jobs.start({
        ...(req.body.jobId ? { jobId: req.body.jobId } : {}),
        namespace,
        query: req.body.query,
        operation: req.body.operation,
        subject: principal.subject,
      });
      void reply.code(202);
      return { target: job.jobId, body: view(job) };
    }),
  );

  app.get<{ Params: Params }>(
    base,
    read<{ Params: Params }>(ctx, 'batch.list', (req) => {
      ctx.namespace(req.params.namespace);
      return Promise.resolve({ jobs: jobsOf(req.params.namespace).list().map(view) });
    }),
  );

  app.get<{ Params: Params & { jobId: string } }>(
    `${base}/:jobId`,
    read<{ Params: Params & { jobId: string } }>(ctx, 'batch.describe', (req) => {
      ctx.namespace(req.params.namespace);
      return Promise.resolve(view(jobsOf(req.params.namespace).get(req.params.jobId)));
    }),
  );

  app.post<{ Params: Params & { jobId: string } }>(
    `${base}/:jobId/stop`,
    mutation<{ Params: Params & { jobId: string } }>(ctx, 'write', 'batch.stop', (req) => {
      ctx.namespace(req.params.namespace);
      return Promise.resolve({
        target: req.params.jobId,
        body: view(jobsOf(req.params.namespace).stop(req.params.jobId)),
      });
    }),
  );
}
