// The pieces the server is assembled from: the connection-rate limit, the context routes
// share, request metrics and error handlers, health and readiness, and the metrics endpoint.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AionError } from '../core/index.js';
import type { Engine, NamespaceScope } from '../engine/index.js';
import type { AuditLog } from './audit.js';
import { allows, type Authenticator, type Permission, type Principal } from './auth.js';
import type { ServerConfig } from './config.js';
import type { ServerContext, ServerLogger } from './context.js';
import { toErrorResponse } from './errors.js';
import { countRefusal } from './refusals.js';
import type { PrometheusMetrics } from './prometheus.js';

/** Token bucket on new connections: a flood is shed before it costs a request parse. */
export function limitConnectionRate(
  app: FastifyInstance,
  config: ServerConfig,
  metrics: PrometheusMetrics,
): void {
  const refused = metrics.counter(
    'aion_http_connections_refused_total',
    'Connections closed by the rate limit',
  );
  refused.inc(0); // exported from the start, not from the first refusal
  let tokens = config.maxConnectionRate;
  let refilledAt = Date.now();
  app.server.on('connection', (socket: Socket) => {
    const now = Date.now();
    tokens = Math.min(
      config.maxConnectionRate,
      tokens + ((now - refilledAt) / 1000) * config.maxConnectionRate,
    );
    refilledAt = now;
    if (tokens < 1) {
      refused.inc();
      socket.destroy();
      return;
    }
    tokens -= 1;
  });
}

export interface ContextParts {
  readonly engine: Engine;
  readonly config: ServerConfig;
  readonly auth: Authenticator;
  readonly audit: AuditLog;
  readonly metrics: PrometheusMetrics;
  readonly logger: ServerLogger;
  readonly state: { draining: boolean };
  /** Registered namespaces, refreshed by `refreshNamespaces`. */
  readonly known: Set<string>;
}

/** The context every route shares: auth, namespaces and their engine scopes, metrics, logs. */
export function serverContext(d: ContextParts): ServerContext {
  const { engine, auth, known } = d;
  const scopes = new Map<string, NamespaceScope>();
  const context: ServerContext = {
    engine,
    config: d.config,
    auth,
    audit: d.audit,
    metrics: d.metrics,
    logger: d.logger,
    draining: () => d.state.draining,
    authorize: (request, permission, action) => authorize(d, request, permission, action),
    namespace: (name: string) => {
      if (!known.has(name)) {
        throw new AionError(
          'not_found',
          `namespace ${JSON.stringify(name)} does not exist; an admin creates it with POST /api/v1/namespaces (aion namespace create)`,
          { namespace: name },
        );
      }
      return name;
    },
    scope: (name: string) => {
      context.namespace(name);
      let scope = scopes.get(name);
      if (!scope) {
        scope = engine.inNamespace(name);
        scopes.set(name, scope);
      }
      return scope;
    },
    refreshNamespaces: async () => {
      const list = await engine.listNamespaces();
      known.clear();
      for (const ns of list) known.add(ns.name);
      known.add(engine.namespace);
    },
  };
  return context;
}

/**
 * Authenticates a request and checks one of `permission` (any of a list) in the namespace of
 * its path; a refused call that would have changed something is counted in the audit trail.
 */
function authorize(
  d: ContextParts,
  request: FastifyRequest,
  permission: Permission | readonly Permission[],
  action: string,
): Principal {
  const namespace = (request.params as { namespace?: string } | undefined)?.namespace;
  const wanted: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
  let principal: Principal | undefined;
  try {
    principal = d.auth.authenticateRequest(request);
    const p = wanted.find((w) => allows(principal!, w)) ?? wanted[0]!;
    d.auth.require(principal, p, action, namespace);
    return principal;
  } catch (err) {
    countRefusal(d.audit, request, err, {
      action,
      ...(principal ? { principal } : {}),
      mutating: !wanted.includes('read'),
    });
    throw err;
  }
}

/** Request count and latency per route; errors as `{code, message, details}`. */
export function instrumentRequests(
  app: FastifyInstance,
  metrics: PrometheusMetrics,
  logger: ServerLogger,
  audit: AuditLog,
): void {
  const requests = metrics.counter(
    'aion_http_requests_total',
    'HTTP requests, by route and status',
  );
  const latency = metrics.histogram(
    'aion_http_request_seconds',
    'HTTP request latency',
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  );
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    requests.inc(1, { method: req.method, route, status: String(reply.statusCode) });
    latency.observe(reply.elapsedTime / 1000, { method: req.method, route });
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toErrorResponse(err);
    // Refused before a route ran (the edge checks keys before reading a body).
    countRefusal(audit, req, err, {});
    // An unavailable store is logged by the engine once per outage, not once per request.
    if (status >= 500 && body.code !== 'store_unavailable')
      logger.error('request failed', { method: req.method, url: req.url, error: body.message });
    // Refusals a client should retry say when: a second is when a key's rate bucket refills
    // and a short store outage is usually over (aion/client honours the header).
    if (status === 429 || status === 503) void reply.header('retry-after', '1');
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send(
        new AionError(
          'not_found',
          `no route ${req.method} ${req.url.split('?')[0]}; see docs/api.md`,
          {},
        ).toJSON(),
      );
  });
}

/** How long `/readyz` waits for the store before answering 503. */
const READY_PROBE_TIMEOUT_MS = 2000;

/** `/healthz` (liveness) and `/readyz` (store reachable, not draining). */
export function healthRoutes(
  app: FastifyInstance,
  engine: Engine,
  state: { readonly draining: boolean },
): void {
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (state.draining) {
      return reply
        .code(503)
        .send(new AionError('unavailable', 'the server is draining', {}).toJSON());
    }
    // A cheap read with a short timeout, and what the engine saw of its own store calls (a
    // full disk fails writes while reads still answer).
    if (await engine.checkStore({ timeoutMs: READY_PROBE_TIMEOUT_MS })) return { status: 'ready' };
    const { lastError, since } = engine.storeStatus();
    return reply.code(503).send(
      new AionError(
        'store_unavailable',
        `store is not available${lastError ? `: ${lastError.message}` : ' (no answer in time)'}`,
        {
          ...(lastError ? { storeErrorCode: lastError.code } : {}),
          ...(since !== undefined ? { since } : {}),
        },
      ).toJSON(),
    );
  });
}

/** `/metrics`: Prometheus text, with the task-queue gauges read from the store at scrape time. */
export function metricsRoute(
  app: FastifyInstance,
  engine: Engine,
  metrics: PrometheusMetrics,
  known: ReadonlySet<string>,
): void {
  const backlog = metrics.gauge(
    'aion_task_queue_backlog',
    'Activity tasks claimable now but not running, by namespace and task queue',
  );
  const running = metrics.gauge(
    'aion_task_queue_running',
    'Activity tasks leased to a worker, by namespace and task queue',
  );
  const gaugeLabels = new Set<string>();
  app.get('/metrics', async (_req, reply) => {
    // Task-queue gauges are read from the store at scrape time.
    const now = engine.clock.now();
    const seen = new Set<string>();
    for (const namespace of known) {
      for (const q of await engine.store.taskQueueStats(namespace, now).catch(() => [])) {
        if (q.taskQueue === '__aion_local') continue;
        const labels = { namespace, task_queue: q.taskQueue };
        backlog.set(q.backlog, labels);
        running.set(q.running, labels);
        seen.add(JSON.stringify(labels));
      }
    }
    // A queue that emptied reads 0, not its last value.
    for (const key of gaugeLabels) {
      if (seen.has(key)) continue;
      const labels = JSON.parse(key) as { namespace: string; task_queue: string };
      backlog.set(0, labels);
      running.set(0, labels);
    }
    for (const key of seen) gaugeLabels.add(key);
    void reply.header('content-type', metrics.contentType);
    return metrics.expose();
  });
}
