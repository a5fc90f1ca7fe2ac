import { AionError } from '../core/index.js';
import type { ApiKeys, Role, VerifiedKey } from './api-keys.js';
import { SocketCredentials } from './socket-credentials.js';

export { ROLES, isRole, type Role } from './api-keys.js';

/**
 * Who may do what. API keys (bearer tokens `aion_<id>_<secret>`) carry a role and, optionally,
 * the namespaces they may act in; the keys live in the store (see api-keys.ts). Without keys
 * only under the explicit `--no-auth` switch, on loopback.
 */
/** What a request needs: reading, changing workflows, the worker protocol, administration. */
export type Permission = 'read' | 'write' | 'worker' | 'admin';

const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  reader: new Set(['read']),
  operator: new Set(['read', 'write']),
  worker: new Set(['worker']),
  admin: new Set(['read', 'write', 'worker', 'admin']),
};

export interface Principal {
  /** Key id and name (`k1a2b3c4 (ci)`), or `anonymous` when auth is off. */
  readonly subject: string;
  readonly role: Role;
  /** The key's id; absent when auth is off. */
  readonly keyId?: string;
  /** Namespaces the caller may act in; `null` for every namespace. */
  readonly namespaces: readonly string[] | null;
  /** The console session the request came with (its cookie), if it came with one. */
  readonly session?: { readonly id: string; readonly expiresAt: number };
}

export const ANONYMOUS: Principal = { subject: 'anonymous', role: 'admin', namespaces: null };

export function allows(principal: Principal, permission: Permission): boolean {
  return GRANTS[principal.role].has(permission);
}

/** Whether the principal may act in `namespace`. */
export function inScope(principal: Principal, namespace: string): boolean {
  return principal.namespaces === null || principal.namespaces.includes(namespace);
}

/** The names a `--no-auth` server answers to (DNS rebinding gets another name). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host name of a Host header or an Origin URL, lower-cased, without the port. */
function hostName(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * The guard of a server without keys: requests must be addressed to a loopback name, and a
 * request from a browser page (it carries `Origin`) must come from the server's own origin.
 * Throws `host_not_allowed`.
 */
export function checkLoopbackRequest(host: string | undefined, origin: string | undefined): void {
  if (host === undefined || !LOOPBACK_NAMES.has(hostName(host))) {
    throw new AionError(
      'host_not_allowed',
      `this server runs without API keys (--no-auth) and answers only requests to localhost, 127.0.0.1 or [::1], not ${JSON.stringify(host ?? '')}`,
      { host: host ?? null },
    );
  }
  if (origin === undefined) return;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    originHost = undefined;
  }
  if (originHost !== host.toLowerCase()) {
    throw new AionError(
      'host_not_allowed',
      `this server runs without API keys (--no-auth) and refuses requests from other origins (${JSON.stringify(origin)})`,
      { origin },
    );
  }
}

/** Per-key token buckets: `rate` requests a second, bursts of the same size. */
class KeyRateLimit {
  readonly #rate: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(rate: number) {
    this.#rate = rate;
  }

  take(id: string, now: number): boolean {
    if (this.#rate <= 0) return true;
    const b = this.#buckets.get(id) ?? { tokens: this.#rate, at: now };
    b.tokens = Math.min(this.#rate, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    this.#buckets.set(id, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** What the authenticator reads of a request. */
export interface RequestCredentials {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url: string;
}

/** Console sessions: a signed cookie standing for an API key, beside bearer keys. */
export interface SessionCredentials {
  /**
   * The key id, session id and end (ms) of the request's session; undefined when it carries
   * no session cookie (or its route takes none). Throws `unauthenticated` for a cookie that
   * is no longer valid.
   */
  sessionOf(
    request: RequestCredentials,
  ): { readonly keyId: string; readonly id: string; readonly expiresAt: number } | undefined;
}

/**
 * Resolves the caller of a request from its `Authorization` header (or, without one, a
 * console session cookie) and checks permissions.
 */
export class Authenticator {
  readonly keys: ApiKeys;
  /** The open WebSockets, closed when the key or session they were opened with ends. */
  readonly sockets: SocketCredentials;
  readonly #auth: boolean;
  readonly #limit: KeyRateLimit;
  #sessions: SessionCredentials | undefined;

  /** `auth: false` is the `--no-auth` switch: everyone is admin (loopback only). */
  constructor(keys: ApiKeys, auth: boolean, keyRequestRate = 0) {
    this.keys = keys;
    this.sockets = new SocketCredentials(keys);
    this.#auth = auth;
    this.#limit = new KeyRateLimit(keyRequestRate);
  }

  /** Whether requests must carry a key (false only under `--no-auth`). */
  get enabled(): boolean {
    return this.#auth;
  }

  /** Accepts console session cookies from now on (requests without `Authorization`). */
  useSessions(sessions: SessionCredentials): void {
    this.#sessions = sessions;
  }

  /**
   * The caller of a request: its bearer key, else its console session's key. Throws like
   * {@link authenticate}; a session whose key was revoked or expired is `unauthenticated`.
   */
  authenticateRequest(
    request: RequestCredentials,
    options?: { readonly count?: boolean },
  ): Principal {
    if (!this.#auth) return ANONYMOUS;
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string' && authorization !== '') {
      return this.authenticate(authorization, options);
    }
    const session = this.#sessions?.sessionOf(request);
    if (session === undefined) return this.authenticate(undefined, options);
    const key = this.keys.live(session.keyId);
    if (!key) {
      throw new AionError(
        'unauthenticated',
        'the console session ended (its API key was revoked or expired); sign in again',
        {},
      );
    }
    const principal = this.admit(key, options);
    return { ...principal, session: { id: session.id, expiresAt: session.expiresAt } };
  }

  /**
   * Throws `unauthenticated` for a missing, unknown, revoked or expired key, and
   * `rate_limited` past the key's request rate — unless `count: false` (a check that the
   * route's own authorization repeats).
   */
  authenticate(
    authorization: string | undefined,
    options?: { readonly count?: boolean },
  ): Principal {
    if (!this.#auth) return ANONYMOUS;
    if (!authorization) {
      throw new AionError(
        'unauthenticated',
        'missing API key: send "Authorization: Bearer <key>"',
        {},
      );
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const key = m ? this.keys.verify(m[1]!) : undefined;
    if (!key) {
      throw new AionError(
        'unauthenticated',
        'the API key is not valid (unknown, revoked or expired)',
        {},
      );
    }
    return this.admit(key, options);
  }

  /** The principal of a verified key, counted against its rate limit unless `count: false`. */
  admit(key: VerifiedKey, options?: { readonly count?: boolean }): Principal {
    if (options?.count !== false && !this.#limit.take(key.id, Date.now())) {
      throw new AionError(
        'rate_limited',
        `API key ${key.id} sent more requests than its rate limit allows; slow down and retry`,
        { keyId: key.id },
      );
    }
    return {
      subject: `${key.id} (${key.name})`,
      role: key.role,
      keyId: key.id,
      namespaces: key.namespaces,
    };
  }

  /**
   * Throws `permission_denied` unless the principal may do `permission` — in `namespace` when
   * given; a key limited to namespaces may not do server-wide administration.
   */
  require(principal: Principal, permission: Permission, action: string, namespace?: string): void {
    if (!allows(principal, permission)) {
      throw new AionError(
        'permission_denied',
        `role ${principal.role} may not ${action} (needs ${permission === 'read' ? 'reader' : permission === 'write' ? 'operator' : permission} or admin)`,
        { role: principal.role, action },
      );
    }
    if (namespace !== undefined && !inScope(principal, namespace)) {
      throw new AionError(
        'permission_denied',
        `this API key may not act in namespace ${JSON.stringify(namespace)} (it is limited to ${principal.namespaces?.join(', ')})`,
        { action, namespace },
      );
    }
    if (namespace === undefined && permission === 'admin' && principal.namespaces !== null) {
      throw new AionError(
        'permission_denied',
        `a key limited to namespaces may not ${action}: it needs an admin key for every namespace`,
        { action },
      );
    }
  }
}
