// `/api/v1/namespaces/:namespace/schedules…`: create, list, describe, update, delete, and the
// pause, unpause, trigger and backfill actions, over the engine's schedule client. Reads need
// the reader role, everything else the operator role; every mutation is audited with the
// schedule id as its target. A spec's next fire times can be previewed before it is saved.
import type { FastifyInstance } from 'fastify';
import {
  AionError,
  type ScheduleClient,
  type ScheduleOverlapPolicy,
  type ScheduleSummary,
} from '../../../core/index.js';
import type { ServerContext } from '../../context.js';
import { mutation, read, type Params } from '../common.js';
import { intParam, REASON } from '../workflows/index.js';
import {
  BACKFILLS,
  backfillsOf,
  createOptions,
  createSchema,
  OVERLAP,
  updateOptions,
  updateSchema,
  type CreateBody,
  type UpdateBody,
} from './bodies.js';
import { schedulePreviewRoute } from './preview.js';

const SCHEDULES = '/api/v1/namespaces/:namespace/schedules';
const ONE = `${SCHEDULES}/:scheduleId`;

interface ScheduleParams extends Params {
  scheduleId: string;
}

interface ListRoute {
  Params: Params;
  Querystring: { query?: string; pageSize?: string; cursor?: string };
}

const object = (properties: Record<string, unknown>, required: string[] = []): object => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

function schedules(ctx: ServerContext, namespace: string): ScheduleClient {
  return ctx.scope(namespace).client.schedule;
}

export function scheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: Params; Body: CreateBody }>(
    SCHEDULES,
    { schema: { body: createSchema } },
    mutation<{ Params: Params; Body: CreateBody }>(
      ctx,
      'write',
      'schedule.create',
      async (req, reply) => {
        const options = createOptions(req.body);
        await schedules(ctx, req.params.namespace).create(options);
        void reply.code(201);
        return { target: options.scheduleId, body: { scheduleId: options.scheduleId } };
      },
    ),
  );

  app.get<ListRoute>(
    SCHEDULES,
    read<ListRoute>(ctx, 'schedule.list', async (req) => {
      const pageSize = intParam(req.query.pageSize, 'pageSize', { min: 1, max: 1000 }) ?? 100;
      const client = schedules(ctx, req.params.namespace);
      return listPage(client, req.query.query, pageSize, req.query.cursor);
    }),
  );

  app.get<{ Params: ScheduleParams }>(
    ONE,
    read<{ Params: ScheduleParams }>(ctx, 'schedule.describe', (req) =>
      schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId).describe(),
    ),
  );

  app.put<{ Params: ScheduleParams; Body: UpdateBody }>(
    ONE,
    { schema: { body: updateSchema } },
    mutation<{ Params: ScheduleParams; Body: UpdateBody }>(
      ctx,
      'write',
      'schedule.update',
      async (req) => {
        const handle = schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId);
        const next = updateOptions(req.body);
        const token = req.body.conflictToken;
        await handle.update((previous) => {
          if (token !== undefined && previous.conflictToken !== token) throw stale(token, previous);
          return next;
        });
        return { body: {} };
      },
    ),
  );

  app.delete<{ Params: ScheduleParams }>(
    ONE,
    mutation<{ Params: ScheduleParams }>(ctx, 'write', 'schedule.delete', async (req) => {
      await schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId).delete();
      return { body: {} };
    }),
  );

  actionRoutes(app, ctx);
  schedulePreviewRoute(app, ctx);
}

/** `POST {id}/pause|unpause|trigger|backfill`. */
function actionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const action of ['pause', 'unpause'] as const) {
    type Route = { Params: ScheduleParams; Body: { note?: string } | undefined };
    app.post<Route>(
      `${ONE}/${action}`,
      { schema: { body: object({ note: REASON }) } },
      mutation<Route>(ctx, 'write', `schedule.${action}`, async (req) => {
        const handle = schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId);
        await handle[action](req.body?.note);
        return { body: {} };
      }),
    );
  }

  type TriggerRoute = {
    Params: ScheduleParams;
    Body: { overlap?: ScheduleOverlapPolicy } | undefined;
  };
  app.post<TriggerRoute>(
    `${ONE}/trigger`,
    { schema: { body: object({ overlap: OVERLAP }) } },
    mutation<TriggerRoute>(ctx, 'write', 'schedule.trigger', async (req) => {
      const handle = schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId);
      await handle.trigger(req.body?.overlap);
      return { body: {} };
    }),
  );

  type BackfillRoute = {
    Params: ScheduleParams;
    Body: { backfills: { start: string | number; end: string | number }[] };
  };
  app.post<BackfillRoute>(
    `${ONE}/backfill`,
    { schema: { body: object({ backfills: BACKFILLS }, ['backfills']) } },
    mutation<BackfillRoute>(ctx, 'write', 'schedule.backfill', async (req) => {
      const backfills = backfillsOf(req.body.backfills, 'body/backfills');
      const handle = schedules(ctx, req.params.namespace).getHandle(req.params.scheduleId);
      await handle.backfill(backfills);
      return { body: {} };
    }),
  );
}

function stale(token: number, previous: { conflictToken: number; scheduleId: string }): AionError {
  return new AionError(
    'schedule_conflict',
    `schedule ${JSON.stringify(previous.scheduleId)} changed since conflictToken ${token} was read (now ${previous.conflictToken}); read it again and retry`,
    { scheduleId: previous.scheduleId, conflictToken: previous.conflictToken },
  );
}

/**
 * One page of the list: the schedules come ordered by id, so the cursor is the last id of the
 * previous page (base64url) and a page starts after it.
 */
async function listPage(
  client: ScheduleClient,
  query: string | undefined,
  pageSize: number,
  cursor: string | undefined,
): Promise<{ items: ScheduleSummary[]; nextCursor: string | null }> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const items: ScheduleSummary[] = [];
  let more = false;
  for await (const s of client.list({ pageSize, ...(query ? { query } : {}) })) {
    if (after !== undefined && s.scheduleId <= after) continue;
    if (items.length === pageSize) {
      more = true;
      break;
    }
    items.push(s);
  }
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: more && last ? Buffer.from(last.scheduleId).toString('base64url') : null,
  };
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id === '' || Buffer.from(id).toString('base64url') !== cursor) {
    throw new AionError('invalid_argument', 'cursor is not one a schedule list returned', {
      field: 'cursor',
    });
  }
  return id;
}
