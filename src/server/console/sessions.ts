// Console sessions: a signed cookie that stands for an API key for a short while. Nothing is
// kept on the server — every request re-checks the key the cookie names (revoked or expired:
// the session is over), and a session in use is renewed with a new cookie once less than half
// of it is left.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AionError } from '../../core/index.js';
import { WORKER_PROTOCOL_PATH } from '../../protocol/index.js';
import type { ApiKeys, VerifiedKey } from '../api-keys.js';
import { closeUnreadBody } from '../edge.js';
import { attributeRefusal } from '../refusals.js';
import type { RequestCredentials, SessionCredentials } from '../auth.js';
import { readCookie, sessionCookie } from './cookies.js';
import { checkConsoleRequest, checkSameOrigin } from './csrf.js';
import type { SessionClaims, SessionSigner } from './session-token.js';

export const SESSION_COOKIE = 'aion_session';
export const SESSION_PATH = '/api/v1/session';

/** A request's session cookie, checked: its key if the session is live, else why not. */
export type CheckedSession =
  | { readonly ok: true; readonly claims: SessionClaims; readonly key: VerifiedKey }
  | { readonly ok: false; readonly error: AionError };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Routes a cookie authenticates: the API, except sign-in/out (they handle the cookie
 * themselves) and the worker protocol (workers connect with keys, never from a browser).
 */
function takesCookie(url: string): boolean {
  const pathname = url.split('?')[0]!;
  return (
    pathname.startsWith('/api/') && pathname !== SESSION_PATH && pathname !== WORKER_PROTOCOL_PATH
  );
}

function ended(message: string): AionError {
  return new AionError('unauthenticated', message, {});
}

/** Whether the browser reached the server over HTTPS (directly or through a TLS proxy). */
function overTls(req: FastifyRequest): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return req.protocol === 'https' || proto === 'https';
}

export class ConsoleSessions implements SessionCredentials {
  readonly ttlMs: number;
  readonly #signer: SessionSigner;
  readonly #keys: ApiKeys;
  readonly #now: () => number;
  readonly #checked = new WeakMap<object, CheckedSession | null>();
  #seen: ((sessionId: string, expiresAt: number) => void) | undefined;

  constructor(signer: SessionSigner, keys: ApiKeys, ttlMs: number, now: () => number = Date.now) {
    this.#signer = signer;
    this.#keys = keys;
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  /** Calls `fn` with each live session a request carries and with each renewal's new end. */
  onSeen(fn: (sessionId: string, expiresAt: number) => void): void {
    this.#seen = fn;
  }

  sessionOf(
    request: RequestCredentials,
  ): { keyId: string; id: string; expiresAt: number } | undefined {
    if (!takesCookie(request.url)) return undefined;
    const checked = this.check(request);
    if (checked === undefined) return undefined;
    if (!checked.ok) throw checked.error;
    const { claims } = checked;
    return { keyId: checked.key.id, id: claims.sessionId!, expiresAt: claims.expiresAt };
  }

  /** The request's session cookie, checked once per request; undefined without one. */
  check(request: RequestCredentials): CheckedSession | undefined {
    const seen = this.#checked.get(request);
    if (seen !== undefined) return seen ?? undefined;
    const checked = this.#check(readCookie(request.headers.cookie, SESSION_COOKIE));
    this.#checked.set(request, checked ?? null);
    if (checked?.ok === true && checked.claims.sessionId !== undefined)
      this.#seen?.(checked.claims.sessionId, checked.claims.expiresAt);
    return checked;
  }

  #check(value: string | undefined): CheckedSession | undefined {
    if (value === undefined || value === '') return undefined;
    const claims = this.#signer.verify(value);
    if (claims === undefined || claims.expiresAt <= this.#now()) {
      return {
        ok: false,
        error: ended('the console session expired or is not valid; sign in again'),
      };
    }
    const key = this.#keys.live(claims.keyId);
    if (key === undefined) {
      return {
        ok: false,
        error: ended(
          'the console session ended: its API key was revoked or expired; sign in again',
        ),
      };
    }
    return { ok: true, claims, key };
  }

  /**
   * Starts a session for `key` on `reply` (or continues `sessionId`, renewing); returns when
   * it ends (ms).
   */
  issue(req: FastifyRequest, reply: FastifyReply, key: VerifiedKey, sessionId?: string): number {
    const now = this.#now();
    // Whole seconds (the cookie carries seconds), never past the key's own expiry.
    const expiresAt =
      Math.floor(Math.min(now + this.ttlMs, key.expiresAt ?? Infinity) / 1000) * 1000;
    const value = this.#signer.sign({
      keyId: key.id,
      expiresAt,
      ...(sessionId !== undefined ? { sessionId } : {}),
    });
    if (sessionId !== undefined) this.#seen?.(sessionId, expiresAt);
    void reply.header(
      'set-cookie',
      sessionCookie(SESSION_COOKIE, value, {
        maxAgeSeconds: (expiresAt - now) / 1000,
        secure: overTls(req),
      }),
    );
    return expiresAt;
  }

  /** Renews a live session with less than half of it left; returns when it ends (ms). */
  renew(req: FastifyRequest, reply: FastifyReply, session: CheckedSession & { ok: true }): number {
    const { claims, key } = session;
    const now = this.#now();
    if (claims.expiresAt - now >= this.ttlMs / 2) return claims.expiresAt;
    const next = Math.min(now + this.ttlMs, key.expiresAt ?? Infinity);
    // A session at its key's expiry cannot be extended: keep the cookie it has.
    if (next - claims.expiresAt < 1000) return claims.expiresAt;
    // An `s1` value's id is the value itself: its renewal starts a session id of its own.
    const id = claims.sessionId !== undefined && /^[0-9a-f]{16}$/.test(claims.sessionId);
    return this.issue(req, reply, key, id ? claims.sessionId : undefined);
  }

  /** Clears the session cookie on `reply`. */
  clear(req: FastifyRequest, reply: FastifyReply): void {
    void reply.header(
      'set-cookie',
      sessionCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: overTls(req) }),
    );
  }

  /**
   * Checks cookie-authenticated API calls before anything else: an ended session gets its
   * cookie cleared and `unauthenticated`, a call that changes something must come from the
   * console (`permission_denied`, reason `csrf`), and a session in use is renewed. Bearer-key
   * calls pass as they are. WebSocket upgrades: {@link guardUpgrades}.
   */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (req, reply, done) => {
      try {
        this.#guard(req, reply);
        done();
      } catch (err) {
        closeUnreadBody(req, reply);
        done(err as Error);
      }
    });
  }

  /**
   * WebSocket upgrades without a key (a browser cannot send one) must come from no or the
   * server's own origin. Installed once the WebSocket plugin is registered, whose own hooks
   * must see a refused upgrade to close its socket.
   */
  guardUpgrades(app: FastifyInstance): void {
    app.addHook('onRequest', (req, _reply, done) => {
      try {
        const keyless = req.headers.authorization === undefined;
        if (keyless && req.headers.upgrade !== undefined && req.url.startsWith('/api/')) {
          checkSameOrigin(req);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    });
  }

  #guard(req: FastifyRequest, reply: FastifyReply): void {
    if (req.headers.authorization !== undefined || req.headers.upgrade !== undefined) return;
    if (!takesCookie(req.url)) return;
    const checked = this.check(req);
    if (checked === undefined) return;
    if (!checked.ok) {
      this.clear(req, reply);
      throw checked.error;
    }
    if (!SAFE_METHODS.has(req.method)) {
      try {
        checkConsoleRequest(req);
      } catch (err) {
        attributeRefusal(err, `${checked.key.id} (${checked.key.name})`);
        throw err;
      }
    }
    this.renew(req, reply, checked);
  }
}
