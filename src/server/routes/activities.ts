import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeTaskToken } from '../../activity/internal.js';
import { AionError, ApplicationFailure, isAionError } from '../../core/index.js';
import { allows } from '../auth.js';
import type { ServerContext } from '../context.js';
import type { Params } from './common.js';

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
    (req) =>
      audited(ctx, req, 'activity.complete', async () => {
        tokenIn(req.params.namespace, req.body.taskToken);
        await ctx.engine.completeActivity(req.body.taskToken, req.body.result);
      }),
  );
}

function failRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{
    Params: Params;
    Body: { taskToken: string; message: string; type?: string; details?: unknown[] };
  }>(
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
    (req) =>
      audited(ctx, req, 'activity.fail', async () => {
        tokenIn(req.params.namespace, req.body.taskToken);
        await ctx.engine.failActivity(
          req.body.taskToken,
          ApplicationFailure.create({
            message: req.body.message,
            ...(req.body.type ? { type: req.body.type } : {}),
            ...(req.body.details ? { details: req.body.details } : {}),
            nonRetryable: true,
          }),
        );
      }),
  );
}

/** Worker keys may settle activities too, not only keys that may `write`. */
function authorize(ctx: ServerContext, req: FastifyRequest, action: string): string {
  const principal = ctx.auth.authenticate(req.headers.authorization);
  if (!allows(principal, 'worker') && !allows(principal, 'write')) {
    ctx.auth.require(principal, 'write', action);
  }
  return principal.subject;
}

/** The task token must be well formed and belong to the route's namespace. */
function tokenIn(namespace: string, token: string): void {
  let ns: string;
  try {
    ns = decodeTaskToken(token).namespace;
  } catch (err) {
    throw isAionError(err)
      ? err
      : new AionError('invalid_argument', 'taskToken is not a task token', {
          field: 'taskToken',
        });
  }
  // A token of another namespace is as unknown here as a missing one.
  if (ns !== namespace) {
    throw new AionError('not_found', 'no pending activity attempt for this task token', {});
  }
}

/** Authorizes, runs the action and writes its outcome to the audit log, also when it fails. */
async function audited(
  ctx: ServerContext,
  req: FastifyRequest<{ Params: Params }>,
  action: string,
  fn: () => Promise<void>,
): Promise<Record<string, never>> {
  const subject = authorize(ctx, req, action);
  const namespace = ctx.namespace(req.params.namespace);
  try {
    await fn();
    ctx.audit.write({ subject, action, namespace, outcome: 'ok' });
    return {};
  } catch (err) {
    ctx.audit.write({
      subject,
      action,
      namespace,
      outcome: 'error',
      code: isAionError(err) ? err.code : 'internal',
    });
    throw err;
  }
}
