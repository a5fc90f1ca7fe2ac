// The server's edge: what a request must pass before a route reads its body. The caller is
// authenticated from its headers, repeated query parameters and JSON nested too deeply are
// refused, and one client address may hold only so many connections at once.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AionError } from '../core/index.js';
import type { Authenticator } from './auth.js';
import type { ServerConfig } from './config.js';
import type { PrometheusMetrics } from './prometheus.js';

/** Route config: query parameters a route accepts more than once (as a list). */
export interface EdgeRouteConfig {
  readonly repeatableQuery?: readonly string[];
  /** The route authenticates its callers itself (console sign-in and sign-out). */
  readonly ownAuthentication?: boolean;
}

/** Node's HTTP server options for the header and request (body) deadlines. */
export function httpServerOptions(config: ServerConfig): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  const shortest = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Deadlines are enforced on this tick: a fraction of the shortest one, at most 1 s.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shortest / 4))),
  };
}

/** Installs the edge checks on `app` (before any route is added). */
export function hardenEdge(
  app: FastifyInstance,
  config: ServerConfig,
  auth: Authenticator,
  metrics: PrometheusMetrics,
): void {
  limitConnectionsPerClient(app, config, metrics);
  app.addHook('onRequest', (req, reply, done) => {
    try {
      refuseRepeatedQuery(req);
      // WebSocket upgrades carry no body; they authorize before the upgrade (workers) or
      // answer with an error frame (event streams).
      const own = (req.routeOptions.config as EdgeRouteConfig | undefined)?.ownAuthentication;
      if (req.url.startsWith('/api/') && req.headers.upgrade === undefined && own !== true) {
        auth.authenticateRequest(req, { count: false });
      }
      done();
    } catch (err) {
      closeUnreadBody(req, reply);
      done(err as Error);
    }
  });
  limitJsonDepth(app, config);
}

/** A refused request's body is not read: close the connection after the answer. */
export function closeUnreadBody(req: FastifyRequest, reply: FastifyReply): void {
  const length = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody) void reply.header('connection', 'close');
}

/** `?x=1&x=2` for a parameter that takes one value: `invalid_argument`, not a crash. */
function refuseRepeatedQuery(req: FastifyRequest): void {
  const query = req.query as Record<string, unknown> | undefined;
  if (!query || typeof query !== 'object') return;
  const lists = (req.routeOptions.config as EdgeRouteConfig | undefined)?.repeatableQuery ?? [];
  for (const [key, value] of Object.entries(query)) {
    if (!Array.isArray(value) || lists.includes(key)) continue;
    throw new AionError(
      'invalid_argument',
      `query parameter ${JSON.stringify(key)} is given ${value.length} times; give it once`,
      { reason: 'repeated_query_parameter', parameter: key },
    );
  }
}

/** Open connections per client address; over `maxConnectionsPerClient` a new one is closed at once. */
function limitConnectionsPerClient(
  app: FastifyInstance,
  config: ServerConfig,
  metrics: PrometheusMetrics,
): void {
  const refused = metrics.counter(
    'aion_http_client_connections_refused_total',
    'Connections closed because their client address already held maxConnectionsPerClient',
  );
  refused.inc(0);
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    if (socket.destroyed) return; // closed by the connection-rate limit
    const client = socket.remoteAddress ?? 'unknown';
    const held = open.get(client) ?? 0;
    if (held >= config.maxConnectionsPerClient) {
      refused.inc();
      socket.destroy();
      return;
    }
    open.set(client, held + 1);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left <= 0) open.delete(client);
      else open.set(client, left);
    });
  });
}

/**
 * JSON bodies are checked for nesting depth before they are parsed: deeper than
 * `maxJsonDepth` is `invalid_argument` (recursive code further in would overflow the stack).
 */
function limitJsonDepth(app: FastifyInstance, config: ServerConfig): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    const depth = jsonDepth(text, config.maxJsonDepth);
    if (depth > config.maxJsonDepth) {
      done(
        new AionError(
          'invalid_argument',
          `request body nests JSON more than ${config.maxJsonDepth} levels deep; flatten the value (or raise maxJsonDepth)`,
          { reason: 'json_too_deep', maxJsonDepth: config.maxJsonDepth },
        ),
        undefined,
      );
      return;
    }
    void parse(req, text, done);
  });
}

/** The deepest nesting of arrays and objects in JSON text, counted up to `limit + 1`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
