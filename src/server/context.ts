import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine, NamespaceScope } from '../engine/index.js';
import type { AuditLog } from './audit.js';
import type { Authenticator, Permission, Principal } from './auth.js';
import type { ServerConfig } from './config.js';
import type { PrometheusMetrics } from './prometheus.js';

/** Structured JSON log lines of the server. */
export interface ServerLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What route modules (HTTP API, event stream, worker protocol) share. */
export interface ServerContext {
  readonly engine: Engine;
  readonly config: ServerConfig;
  readonly auth: Authenticator;
  readonly audit: AuditLog;
  readonly metrics: PrometheusMetrics;
  readonly logger: ServerLogger;
  /** True once a drain started: new starts and new connections are refused with `unavailable`. */
  readonly draining: () => boolean;
  /**
   * Authenticates a request (Authorization header) and checks the permission (one of a list)
   * in the namespace of the request's path; throws `unauthenticated` / `permission_denied` /
   * `rate_limited`. Refused mutating calls are counted in the audit trail.
   */
  readonly authorize: (
    request: FastifyRequest,
    permission: Permission | readonly Permission[],
    action: string,
  ) => Principal;
  /** Resolves the namespace path parameter; `not_found` for a namespace that is not registered. */
  readonly namespace: (name: string) => string;
  /** The engine's API in a registered namespace; `not_found` otherwise. */
  readonly scope: (name: string) => NamespaceScope;
  /** Re-reads the registered namespaces (after a create, or periodically). */
  readonly refreshNamespaces: () => Promise<void>;
}

/** A module that adds routes to the server (registered after the core API). */
export type ServerPlugin = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;
