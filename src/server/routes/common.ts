import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { isAionError } from '../../core/index.js';
import type { Permission, Principal } from '../auth.js';
import type { ServerContext } from '../context.js';
import { markAudited } from '../refusals.js';

export interface Params {
  namespace: string;
}

type Handler<T extends RouteGenericInterface, R> = (
  req: FastifyRequest<T>,
  reply: FastifyReply,
) => Promise<R>;

/** A read-only route: authorized for `read` (reader, operator, admin). */
export function read<T extends RouteGenericInterface>(
  ctx: ServerContext,
  action: string,
  handler: Handler<T, unknown>,
): Handler<T, unknown> {
  return async (req, reply) => {
    ctx.authorize(req, 'read', action);
    return handler(req, reply);
  };
}

/**
 * A mutating route: authorized for `permission`, and written to the audit trail with the
 * caller, the action, its target and the outcome (also when it fails) before it answers.
 */
export function mutation<T extends RouteGenericInterface>(
  ctx: ServerContext,
  permission: Permission | readonly Permission[],
  action: string,
  handler: (
    req: FastifyRequest<T>,
    reply: FastifyReply,
    principal: Principal,
  ) => Promise<{ target?: string; body: unknown }>,
): Handler<T, unknown> {
  return async (req, reply) => {
    const principal = ctx.authorize(req, permission, action);
    const namespace = (req.params as { namespace?: string } | undefined)?.namespace;
    const params = req.params as { workflowId?: string; scheduleId?: string } | undefined;
    const paramTarget = params?.workflowId ?? params?.scheduleId;
    let out: { target?: string; body: unknown };
    try {
      out = await handler(req, reply, principal);
    } catch (err) {
      markAudited(err);
      // A failed audit write must not hide the call's own error.
      await ctx.audit
        .write({
          subject: principal.subject,
          action,
          ...(namespace ? { namespace } : {}),
          ...(paramTarget ? { target: paramTarget } : {}),
          outcome: 'error',
          code: isAionError(err) ? err.code : 'internal',
        })
        .catch(() => undefined);
      throw err;
    }
    // Written before the response: an acknowledged mutation is always in the audit trail.
    await ctx.audit.write({
      subject: principal.subject,
      action,
      ...(namespace ? { namespace } : {}),
      ...targetOf(out.target ?? paramTarget),
      outcome: 'ok',
    });
    return out.body;
  };
}

function targetOf(target: string | undefined): { target?: string } {
  return target !== undefined ? { target } : {};
}
