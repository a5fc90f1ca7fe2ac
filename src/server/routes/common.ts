import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { isAionError } from '../../core/index.js';
import type { StartAudit } from '../../engine/index.js';
import type { AuditEntry as StoredEntry } from '../../store/index.js';
import type { AuditEntry } from '../audit.js';
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
 * A handler that starts a workflow passes `startAudit` with the start (`withStartAudit`): the
 * ok entry is then written by the run's start commit instead of a store write of its own.
 */
export function mutation<T extends RouteGenericInterface>(
  ctx: ServerContext,
  permission: Permission | readonly Permission[],
  action: string,
  handler: (
    req: FastifyRequest<T>,
    reply: FastifyReply,
    principal: Principal,
    startAudit: StartAudit,
  ) => Promise<{ target?: string; body: unknown }>,
): Handler<T, unknown> {
  return async (req, reply) => {
    const principal = ctx.authorize(req, permission, action);
    const namespace = (req.params as { namespace?: string } | undefined)?.namespace;
    const params = req.params as { workflowId?: string; scheduleId?: string } | undefined;
    const paramTarget = params?.workflowId ?? params?.scheduleId;
    const call = { subject: principal.subject, action, ...(namespace ? { namespace } : {}) };
    const carrier = okCarrier(ctx, call);
    let out: { target?: string; body: unknown };
    try {
      out = await handler(req, reply, principal, carrier);
    } catch (err) {
      // A run started before the call failed: its ok entry is in the store, so in the file.
      if (carrier.carried && carrier.stored) ctx.audit.carried(carrier.stored);
      markAudited(err);
      // A failed audit write must not hide the call's own error.
      await ctx.audit
        .write({
          ...call,
          ...(paramTarget ? { target: paramTarget } : {}),
          outcome: 'error',
          code: isAionError(err) ? err.code : 'internal',
        })
        .catch(() => undefined);
      throw err;
    }
    // Written before the response: an acknowledged mutation is always in the audit trail.
    if (carrier.carried && carrier.stored) ctx.audit.carried(carrier.stored);
    else {
      await ctx.audit.write({ ...call, ...targetOf(out.target ?? paramTarget), outcome: 'ok' });
    }
    return out.body;
  };
}

/** A call's ok entry for a start to carry (see `START_AUDIT`), and the entry it stored. */
interface OkCarrier extends StartAudit {
  stored: StoredEntry | undefined;
}

function okCarrier(ctx: ServerContext, call: Omit<AuditEntry, 'outcome' | 'target'>): OkCarrier {
  const carrier: OkCarrier = {
    stored: undefined,
    carried: false,
    entry: (workflowId) =>
      (carrier.stored = ctx.audit.stored({ ...call, target: workflowId, outcome: 'ok' })),
  };
  return carrier;
}

function targetOf(target: string | undefined): { target?: string } {
  return target !== undefined ? { target } : {};
}
