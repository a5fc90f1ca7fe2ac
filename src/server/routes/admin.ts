import type { FastifyInstance } from 'fastify';
import { AionError } from '../../core/index.js';
import type { ServerContext } from '../context.js';
import { isRole, type Role } from '../auth.js';
import { mutation, read, type Params } from './common.js';
import { packageCheckRoutes } from './package-check.js';

const VERSION = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

const NS = '/api/v1/namespaces/:namespace';

/** Packages (deploy, versions, route, unload), search attributes, API keys. */
export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  packageRoutes(app, ctx);
  packageCheckRoutes(app, ctx);
  workflowTypeRoutes(app, ctx);
  searchAttributeRoutes(app, ctx);
  keyRoutes(app, ctx);
}

/** Deploy a package (raw `.aion` upload), list the loaded versions, unload one. */
function packageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Raw package upload: the body is the `.aion` archive, size-capped separately from JSON.
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: ctx.config.maxPackageBytes },
    (_req, body, done) => done(null, body),
  );

  app.post<{ Params: Params; Body: Buffer }>(
    `${NS}/packages`,
    mutation<{ Params: Params; Body: Buffer }>(
      ctx,
      'admin',
      'package.deploy',
      async (req, reply) => {
        ctx.namespace(req.params.namespace);
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
          throw new AionError(
            'invalid_argument',
            'send the package archive as the request body with Content-Type: application/octet-stream',
            {},
          );
        }
        const result = await ctx.scope(req.params.namespace).deploy(new Uint8Array(req.body));
        void reply.code(result.freshlyLoaded ? 201 : 200);
        return { target: result.version, body: result };
      },
    ),
  );

  app.get<{ Params: Params }>(
    `${NS}/packages`,
    read<{ Params: Params }>(ctx, 'package.list', async (req) => {
      ctx.namespace(req.params.namespace);
      return { versions: await ctx.scope(req.params.namespace).versions() };
    }),
  );

  app.delete<{ Params: Params & { version: string } }>(
    `${NS}/packages/:version`,
    { schema: { params: { type: 'object', properties: { version: VERSION } } } },
    mutation<{ Params: Params & { version: string } }>(
      ctx,
      'admin',
      'package.unload',
      async (req) => {
        ctx.namespace(req.params.namespace);
        await ctx.scope(req.params.namespace).unload(req.params.version);
        return { target: req.params.version, body: {} };
      },
    ),
  );
}

/** Route new starts of a workflow type to a deployed version. */
function workflowTypeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.put<{ Params: Params & { workflowType: string }; Body: { version: string } }>(
    `${NS}/routes/:workflowType`,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['version'],
          properties: { version: VERSION },
        },
      },
    },
    mutation<{ Params: Params & { workflowType: string }; Body: { version: string } }>(
      ctx,
      'admin',
      'package.route',
      async (req) => {
        ctx.namespace(req.params.namespace);
        await ctx.scope(req.params.namespace).route(req.params.workflowType, req.body.version);
        return { target: `${req.params.workflowType} -> ${req.body.version}`, body: {} };
      },
    ),
  );
}

/** List and register a namespace's search attributes. */
function searchAttributeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: Params }>(
    `${NS}/search-attributes`,
    read<{ Params: Params }>(ctx, 'searchAttribute.list', async (req) => {
      ctx.namespace(req.params.namespace);
      return { searchAttributes: await ctx.scope(req.params.namespace).searchAttributes() };
    }),
  );

  app.post<{ Params: Params; Body: { searchAttributes: Record<string, string> } }>(
    `${NS}/search-attributes`,
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['searchAttributes'],
          properties: {
            searchAttributes: {
              type: 'object',
              minProperties: 1,
              additionalProperties: {
                enum: ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'],
              },
            },
          },
        },
      },
    },
    mutation<{ Params: Params; Body: { searchAttributes: Record<string, string> } }>(
      ctx,
      'admin',
      'searchAttribute.register',
      async (req) => {
        ctx.namespace(req.params.namespace);
        await ctx
          .scope(req.params.namespace)
          .registerSearchAttributes(req.body.searchAttributes as never);
        return { target: Object.keys(req.body.searchAttributes).join(','), body: {} };
      },
    ),
  );
}

type KeyBody = { name: string; role: Role; namespaces?: string[]; expiresAt?: string };

/** API keys: list, create, revoke (server-wide; a key may be limited to namespaces). */
function keyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/keys', async (req) => {
    ctx.authorize(req, 'admin', 'key.list');
    return { keys: await ctx.auth.keys.list() };
  });

  app.post<{ Body: KeyBody }>(
    '/api/v1/keys',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string' },
            namespaces: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string' } },
            expiresAt: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
      },
    },
    mutation<{ Body: KeyBody }>(ctx, 'admin', 'key.create', async (req, reply) => {
      if (!isRole(req.body.role)) {
        throw new AionError(
          'invalid_argument',
          `role must be reader, operator, worker or admin (got ${JSON.stringify(req.body.role)})`,
          {
            field: 'role',
          },
        );
      }
      const created = await ctx.auth.keys.create({
        name: req.body.name,
        role: req.body.role,
        ...(req.body.namespaces ? { namespaces: req.body.namespaces } : {}),
        ...(req.body.expiresAt ? { expiresAt: parseTime(req.body.expiresAt, 'expiresAt') } : {}),
      });
      void reply.code(201);
      return { target: created.key.id, body: created };
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/keys/:id',
    mutation<{ Params: { id: string } }>(ctx, 'admin', 'key.revoke', async (req) => {
      await ctx.auth.keys.revoke(req.params.id);
      return { target: req.params.id, body: {} };
    }),
  );

  app.get<{ Querystring: { afterSeq?: string; since?: string; limit?: string } }>(
    '/api/v1/audit',
    async (req) => {
      ctx.authorize(req, 'admin', 'audit.read');
      const q = req.query;
      const limit = Math.min(Number(q.limit ?? 100) || 100, 1000);
      const entries = await ctx.engine.store.readAudit({
        limit,
        ...(q.afterSeq !== undefined ? { afterSeq: Number(q.afterSeq) || 0 } : {}),
        ...(q.since !== undefined ? { since: parseTime(q.since, 'since') } : {}),
      });
      return { entries };
    },
  );
}

/** An ISO 8601 time or milliseconds since the epoch; `invalid_argument` naming the field. */
function parseTime(text: string, field: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new AionError(
      'invalid_argument',
      `${field} must be an ISO 8601 time (got ${JSON.stringify(text)})`,
      { field },
    );
  }
  return ms;
}
