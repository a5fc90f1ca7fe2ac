import type { FastifyInstance } from 'fastify';
import type { NamespaceInfo } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { mutation, read, type Params } from './common.js';

const RETENTION = {
  anyOf: [
    { type: 'integer', minimum: 60_000 },
    { type: 'string', minLength: 1, maxLength: 100 },
    { type: 'null' },
  ],
} as const;
const DESCRIPTION = { type: 'string', maxLength: 1000 } as const;

function view(ns: NamespaceInfo): Record<string, unknown> {
  return {
    name: ns.name,
    description: ns.description,
    retentionMs: ns.retentionMs ?? null,
    createdAt: ns.createdAt.toISOString(),
    updatedAt: ns.updatedAt.toISOString(),
  };
}

/** `/api/v1/namespaces`: create (admin), list, describe, update retention/description (admin). */
export function namespaceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;

  app.get(
    '/api/v1/namespaces',
    read(ctx, 'namespace.list', async () => ({
      namespaces: (await engine.listNamespaces()).map(view),
    })),
  );

  app.post<{ Body: { name: string; description?: string; retention?: number | string | null } }>(
    '/api/v1/namespaces',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            description: DESCRIPTION,
            retention: RETENTION,
          },
        },
      },
    },
    mutation<{ Body: { name: string; description?: string; retention?: number | string | null } }>(
      ctx,
      'admin',
      'namespace.create',
      async (req, reply) => {
        const { namespace, created } = await engine.createNamespace(req.body.name, {
          ...(req.body.description !== undefined ? { description: req.body.description } : {}),
          ...(req.body.retention !== undefined ? { retention: req.body.retention } : {}),
        });
        await ctx.refreshNamespaces();
        void reply.code(created ? 201 : 200);
        return { target: namespace.name, body: { ...view(namespace), created } };
      },
    ),
  );

  app.get<{ Params: Params }>(
    '/api/v1/namespaces/:namespace',
    read<{ Params: Params }>(ctx, 'namespace.describe', async (req) =>
      view(await engine.describeNamespace(req.params.namespace)),
    ),
  );

  app.patch<{ Params: Params; Body: { description?: string; retention?: number | string | null } }>(
    '/api/v1/namespaces/:namespace',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { description: DESCRIPTION, retention: RETENTION },
        },
      },
    },
    mutation<{
      Params: Params;
      Body: { description?: string; retention?: number | string | null };
    }>(ctx, 'admin', 'namespace.update', async (req) => {
      const updated = await engine.updateNamespace(req.params.namespace, {
        ...(req.body.description !== undefined ? { description: req.body.description } : {}),
        ...(req.body.retention !== undefined ? { retention: req.body.retention } : {}),
      });
      return { target: updated.name, body: view(updated) };
    }),
  );
}
