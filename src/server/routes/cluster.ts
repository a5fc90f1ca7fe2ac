import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { read } from './common.js';

/**
 * GET /api/v1/cluster: the nodes serving the store and who holds each shard's lease (see
 * docs/storage.md, "One engine per store, enforced"). Readers may look.
 */
export function clusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/cluster',
    read(ctx, 'cluster.status', () => ctx.engine.storeNodes()),
  );
}
