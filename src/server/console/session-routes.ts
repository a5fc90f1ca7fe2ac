// `POST/GET/DELETE /api/v1/session`: the console signs in with an API key and gets a session
// cookie, asks who it is, and signs out. Sign-in and sign-out are in the audit trail
// (`session.create`, `session.delete`); failed sign-ins count as refused calls.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AionError } from '../../core/index.js';
import type { VerifiedKey } from '../api-keys.js';
import type { Principal } from '../auth.js';
import type { ServerContext } from '../context.js';
import type { EdgeRouteConfig } from '../edge.js';
import { countRefusal } from '../refusals.js';
import { checkConsoleRequest, checkSameOrigin } from './csrf.js';
import { SESSION_PATH, type ConsoleSessions } from './sessions.js';

/** What the console shows of who is signed in. */
interface SessionView {
  readonly role: string;
  readonly namespaces: readonly string[] | null;
  readonly keyId?: string;
  readonly name?: string;
  readonly expiresAt?: string;
  /** Where trace ids link to (`traceUrl`), when set. */
  readonly traceUrl?: string;
}

const OWN: { config: EdgeRouteConfig } = { config: { ownAuthentication: true } };

/** What the console is told about the server's settings once signed in. */
function consoleSettings(ctx: ServerContext): { traceUrl?: string } {
  return ctx.config.traceUrl !== undefined ? { traceUrl: ctx.config.traceUrl } : {};
}

function noAuth(ctx: ServerContext): Record<string, unknown> {
  return {
    authRequired: false,
    authenticated: true,
    role: 'admin',
    namespaces: null,
    ...consoleSettings(ctx),
  };
}

function view(ctx: ServerContext, key: VerifiedKey, expiresAt?: number): SessionView {
  return {
    role: key.role,
    namespaces: key.namespaces,
    keyId: key.id,
    name: key.name,
    ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
    ...consoleSettings(ctx),
  };
}

/** Mounts the session routes (`sessions` undefined under `--no-auth`). */
export function sessionRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  sessions: ConsoleSessions | undefined,
): void {
  app.post<{ Body: { apiKey: string } }>(
    SESSION_PATH,
    {
      ...OWN,
      schema: {
        body: {
          type: 'object',
          required: ['apiKey'],
          additionalProperties: false,
          properties: { apiKey: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      if (sessions === undefined) return noAuth(ctx);
      const { key, principal } = signIn(ctx, req);
      const expiresAt = sessions.issue(req, reply, key);
      await ctx.audit.write({
        subject: principal.subject,
        action: 'session.create',
        outcome: 'ok',
      });
      return view(ctx, key, expiresAt);
    },
  );

  app.get(SESSION_PATH, OWN, (req, reply) =>
    Promise.resolve(sessions === undefined ? noAuth(ctx) : whoAmI(ctx, sessions, req, reply)),
  );

  app.delete(SESSION_PATH, OWN, async (req, reply) => {
    if (sessions === undefined) return reply.code(204).send();
    const checked = sessions.check(req);
    if (checked?.ok === true) {
      const principal = ctx.auth.admit(checked.key, { count: false });
      try {
        checkConsoleRequest(req);
      } catch (err) {
        countRefusal(ctx.audit, req, err, { action: 'session.delete', principal });
        throw err;
      }
      await ctx.audit.write({
        subject: principal.subject,
        action: 'session.delete',
        outcome: 'ok',
      });
      // Its open sockets on this node (run feed, history) close with `session_ended`.
      if (checked.claims.sessionId !== undefined)
        ctx.auth.sockets.endSession(checked.claims.sessionId);
    }
    sessions.clear(req, reply);
    return reply.code(204).send();
  });
}

/** Checks a sign-in: the page's origin, the key, its role and rate limit. */
function signIn(
  ctx: ServerContext,
  req: FastifyRequest<{ Body: { apiKey: string } }>,
): { key: VerifiedKey; principal: Principal } {
  let principal: Principal | undefined;
  try {
    checkSameOrigin(req);
    const key = ctx.auth.keys.verify(req.body.apiKey);
    if (key === undefined) {
      throw new AionError(
        'unauthenticated',
        'the API key is not valid (unknown, revoked or expired)',
        {},
      );
    }
    principal = ctx.auth.admit(key);
    if (key.role === 'worker') {
      throw new AionError(
        'permission_denied',
        'worker keys cannot sign in to the console; use a reader, operator or admin key',
        { role: key.role, action: 'session.create' },
      );
    }
    return { key, principal };
  } catch (err) {
    countRefusal(ctx.audit, req, err, {
      action: 'session.create',
      ...(principal ? { principal } : {}),
    });
    throw err;
  }
}

/** `GET /api/v1/session`: the caller by its session cookie (renewed) or its bearer key. */
function whoAmI(
  ctx: ServerContext,
  sessions: ConsoleSessions,
  req: FastifyRequest,
  reply: FastifyReply,
): Record<string, unknown> {
  if (req.headers.authorization !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization);
    const key = m ? ctx.auth.keys.verify(m[1]!) : undefined;
    if (key === undefined) return { authRequired: true, authenticated: false };
    ctx.auth.admit(key);
    return { authRequired: true, authenticated: true, ...view(ctx, key) };
  }
  const checked = sessions.check(req);
  if (checked === undefined) return { authRequired: true, authenticated: false };
  if (!checked.ok) {
    sessions.clear(req, reply);
    return { authRequired: true, authenticated: false };
  }
  ctx.auth.admit(checked.key);
  const expiresAt = sessions.renew(req, reply, checked);
  return { authRequired: true, authenticated: true, ...view(ctx, checked.key, expiresAt) };
}
