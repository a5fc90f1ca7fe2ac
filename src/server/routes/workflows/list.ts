// Visibility routes over a namespace's runs: the filtered, paged list and the count
// (`…/workflows` and `…/workflows-count`).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { read, type Params } from '../common.js';
import { WORKFLOWS } from './request.js';
import { intParam, listFilters, type ListQuery } from './validation.js';

interface ListRoute {
  Params: Params;
  Querystring: ListQuery & { pageSize?: string; cursor?: string };
}

interface CountRoute {
  Params: Params;
  Querystring: ListQuery;
}

export function listRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<ListRoute>(
    WORKFLOWS,
    read<ListRoute>(ctx, 'workflow.list', async (req) => {
      ctx.namespace(req.params.namespace);
      const pageSize = intParam(req.query.pageSize, 'pageSize', { min: 1, max: 1000 });
      const page = await ctx.scope(req.params.namespace).list({
        ...listFilters(req.query),
        ...(pageSize !== undefined ? { pageSize } : {}),
        ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
      });
      return { items: page.items, nextCursor: page.nextCursor ?? null };
    }),
  );

  app.get<CountRoute>(
    `${WORKFLOWS}-count`,
    read<CountRoute>(ctx, 'workflow.count', async (req) => {
      ctx.namespace(req.params.namespace);
      return { count: await ctx.scope(req.params.namespace).count(listFilters(req.query)) };
    }),
  );
}
