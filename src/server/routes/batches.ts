import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { codecStore } from '../../engine/index.js';
import { BatchJobs, type BatchOperation } from '../batch.js';
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

interface StartRoute {
  Params: Params;
  Body: { jobId?: string; query: string; operation: BatchOperation; dryRun?: boolean };
}

const startSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['query', 'operation'],
  properties: {
    jobId: { type: 'string', minLength: 1, maxLength: 200 },
    query: { type: 'string', minLength: 1, maxLength: 10_000 },
    operation: operationSchema,
    // With `true`: count and show the matching runs, start nothing.
    dryRun: { type: 'boolean' },
  },
} as const;

/** `{ns}/batches`: operations applied to every run a visibility query matches. */
export function batchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Jobs are keyed by namespace in the store: job ids and listings never cross namespaces.
  const { engine } = ctx;
  const jobs = new BatchJobs({
    store: codecStore(engine.store, engine.payloadCodecs),
    scope: (namespace) => ctx.scope(namespace),
    now: () => engine.clock.now(),
    concurrency: ctx.config.batchConcurrency,
    onError: (message, fields) => ctx.logger.warn(message, fields),
  });
  jobs.open();
  // Runners stop before the engine does; their jobs stay RUNNING for another server.
  app.addHook('onClose', () => jobs.close());
  const base = '/api/v1/namespaces/:namespace/batches';

  const start = mutation<StartRoute>(ctx, 'write', 'batch.start', async (req, reply, principal) => {
    const namespace = ctx.namespace(req.params.namespace);
    await jobs.validate(namespace, req.body.query);
    const job = await jobs.start({
      ...(req.body.jobId ? { jobId: req.body.jobId } : {}),
      namespace,
      query: req.body.query,
      operation: req.body.operation,
      subject: principal.subject,
    });
    void reply.code(202);
    return { target: job.jobId, body: job };
  });
  app.post<StartRoute>(base, { schema: { body: startSchema } }, async (req, reply) => {
    // A dry run changes nothing: the operator's permission, but no audit entry.
    if (req.body.dryRun !== true) return start(req, reply);
    ctx.authorize(req, 'write', 'batch.dryRun');
    return jobs.dryRun(ctx.namespace(req.params.namespace), req.body.query);
  });

  app.get<{ Params: Params }>(
    base,
    read<{ Params: Params }>(ctx, 'batch.list', async (req) => ({
      jobs: await jobs.list(ctx.namespace(req.params.namespace)),
    })),
  );

  app.get<{ Params: Params & { jobId: string } }>(
    `${base}/:jobId`,
    read<{ Params: Params & { jobId: string } }>(ctx, 'batch.describe', (req) =>
      jobs.get(ctx.namespace(req.params.namespace), req.params.jobId),
    ),
  );

  app.post<{ Params: Params & { jobId: string } }>(
    `${base}/:jobId/stop`,
    mutation<{ Params: Params & { jobId: string } }>(ctx, 'write', 'batch.stop', async (req) => ({
      target: req.params.jobId,
      body: await jobs.stop(ctx.namespace(req.params.namespace), req.params.jobId),
    })),
  );
}
