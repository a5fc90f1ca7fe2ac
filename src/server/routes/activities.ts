import type { FastifyInstance } from 'fastify';
import { decodeTaskToken } from '../../activity/internal.js';
import { AionError, ApplicationFailure, isAionError } from '../../core/index.js';
import type { Permission } from '../auth.js';
import type { ServerContext } from '../context.js';
import { mutation, type Params } from './common.js';

/** Worker keys may settle activities too, not only keys that may `write`. */
const SETTLE: readonly Permission[] = ['write', 'worker'];

const TOKEN = { type: 'string', minLength: 1, maxLength: 4096 } as const;

/**
 * `{ns}/activities/complete|fail`: completes an activity that returned `CompleteAsyncError`,
 * by its task token (a webhook handler, another service). Allowed for worker, operator and
 * admin keys; audited like every mutation.
 */
export function activityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  completeRoute(app, ctx);
  failRoute(app, ctx);
}

function completeRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: Params; Body: { taskToken: string; result?: unknown } }>(
    '/api/v1/namespaces/:namespace/activities/complete',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['taskToken'],
          properties: { taskToken: TOKEN, result: {} },
        },
      },
    },
    mutation<{ Params: Params; Body: { taskToken: string; result?: unknown } }>(
      ctx,
      SETTLE,
      'activity.complete',
      async (req) => {
        const target = tokenIn(ctx, req.params.namespace, req.body.taskToken);
        await ctx.engine.completeActivity(req.body.taskToken, req.body.result);
        return { target, body: {} };
      },
    ),
  );
}

interface FailRequest {
  Params: Params;
  Body: { taskToken: string; message: string; type?: string; details?: unknown[] };
}

function failRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<FailRequest>(
    '/api/v1/namespaces/:namespace/activities/fail',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['taskToken', 'message'],
          properties: {
            taskToken: TOKEN,
            message: { type: 'string', minLength: 1, maxLength: 10_000 },
            type: { type: 'string', minLength: 1, maxLength: 200 },
            details: { type: 'array', maxItems: 100 },
          },
        },
      },
    },
    mutation<FailRequest>(ctx, SETTLE, 'activity.fail', async (req) => {
      const target = tokenIn(ctx, req.params.namespace, req.body.taskToken);
      await ctx.engine.failActivity(
        req.body.taskToken,
        ApplicationFailure.create({
          message: req.body.message,
          ...(req.body.type ? { type: req.body.type } : {}),
          ...(req.body.details ? { details: req.body.details } : {}),
          nonRetryable: true,
        }),
      );
      return { target, body: {} };
    }),
  );
}

/** The task token must be well formed and belong to the route's namespace; returns its target. */
function tokenIn(ctx: ServerContext, namespace: string, token: string): string {
  ctx.namespace(namespace);
  let fields: { namespace: string; workflowId: string; activityId: string };
  try {
    fields = decodeTaskToken(token);
  } catch (err) {
    throw isAionError(err)
      ? err
      : new AionError('invalid_argument', 'taskToken is not a task token', {
          field: 'taskToken',
        });
  }
  // A token of another namespace is as unknown here as a missing one.
  if (fields.namespace !== namespace) {
    throw new AionError('not_found', 'no pending activity attempt for this task token', {});
  }
  return `${fields.workflowId}/${fields.activityId}`;
}
