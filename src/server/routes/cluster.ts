import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { mutation, read } from './common.js';

/**
 * GET /api/v1/cluster: the nodes serving the store and who holds each shard's lease (see
 * docs/storage.md, "One engine per store, enforced"). Readers may look.
 */
export function clusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/cluster',
    read(ctx, 'cluster.status', () => ctx.engine.storeNodes()),
  );
  // Hands a node's shards to the others before it is stopped (a rolling restart's first step).
  app.post<{ Params: { nodeId: string } }>(
    '/api/v1/cluster/nodes/:nodeId/drain',
    mutation<{ Params: { nodeId: string } }>(ctx, 'admin', 'cluster.drain', async (req, reply) => {
      const body = await ctx.engine.drainNode(req.params.nodeId);
      void reply.code(202);
      return { target: req.params.nodeId, body };
    }),
  );
}
