// Visibility routes over a namespace's runs: the filtered, paged list and the count
// (`…/workflows` and `…/workflows-count`, with `groupBy` one count per status or type).
import type { FastifyInstance } from 'fastify';
import { splitGroupBy } from '../../../visibility/index.js';
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
  Querystring: ListQuery & { groupBy?: string };
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
      const filters = listFilters(req.query);
      const scope = ctx.scope(req.params.namespace);
      // Grouped when asked for, by parameter or by the query's trailing GROUP BY.
      const { groupBy } = req.query;
      if (groupBy !== undefined || splitGroupBy(filters.query ?? '').groupBy !== undefined)
        return await scope.countGroups({
          ...filters,
          ...(groupBy !== undefined ? { groupBy } : {}),
        });
      return { count: await scope.count(filters) };
    }),
  );
}
