import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { AionError } from '../core/index.js';
import type { Engine, NamespaceScope } from '../engine/index.js';
import { AuditLog } from './audit.js';
import { ApiKeyStore, Authenticator, type Permission, type Principal } from './auth.js';
import { DEFAULT_CONFIG, isLoopback, validateConfig, type ServerConfig } from './config.js';
import type { ServerContext, ServerLogger, ServerPlugin } from './context.js';
import { toErrorResponse } from './errors.js';
import { PrometheusMetrics } from './prometheus.js';
import { DEFAULT_PLUGINS } from './plugins.js';
import { adminRoutes } from './routes/admin.js';
import { batchRoutes } from './routes/batches.js';
import { activityRoutes } from './routes/activities.js';
import { namespaceRoutes } from './routes/namespaces.js';
import { workflowRoutes } from './routes/workflows/index.js';

export interface CreateServerOptions {
  /** The engine the server exposes. Create it with `metrics: server metrics` to export engine metrics. */
  readonly engine: Engine;
  readonly config?: Partial<ServerConfig>;
  /** Prometheus registry shared with the engine (pass the same instance to createEngine). */
  readonly metrics?: PrometheusMetrics;
  readonly logger?: ServerLogger;
  /** Route modules mounted after the core API. Default: event stream and worker protocol. */
  readonly plugins?: readonly ServerPlugin[];
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

/** JSON-lines logger on stderr at `level`. */
export function jsonLogger(level: ServerConfig['logLevel']): ServerLogger {
  const min = LEVELS[level];
  const at =
    (name: keyof typeof LEVELS) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[name] < min) return;
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: name, msg: message, ...fields })}\n`,
      );
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The Aion server: the engine's public API over HTTP/JSON (`/api/v1`), health and metrics
 * endpoints, and route plugins (WebSocket event stream, remote workers). It holds no state
 * of its own beyond API keys; every acknowledgement comes from a committed engine call.
 */
export class AionServer {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  #draining = false;
  #drained: Promise<void> | undefined;
  /** Set by close(): skip the readiness grace period. */
  #hurry = false;
  #endGrace: (() => void) | undefined;

  private constructor(app: FastifyInstance, context: ServerContext, draining: { set: () => void }) {
    this.app = app;
    this.context = context;
    this.#markDraining = draining.set;
  }

  readonly #markDraining: () => void;

  static async create(options: CreateServerOptions): Promise<AionServer> {
    const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
    const keys = new ApiKeyStore(config.dataDir);
    validateConfig(config, keys.size > 0);
    const auth = new Authenticator(keys, config.auth, isLoopback(config.host));
    const audit = new AuditLog(config.auditLog ?? `${config.dataDir}/audit.log`);
    const metrics = options.metrics ?? new PrometheusMetrics();
    const logger = options.logger ?? jsonLogger(config.logLevel);
    const engine = options.engine;
    const state = { draining: false };
    // Registered namespaces (refreshed on create and every few seconds, for other processes' creates).
    const known = new Set<string>([engine.namespace]);
    const scopes = new Map<string, NamespaceScope>();

    const app = Fastify({
      logger: false,
      bodyLimit: config.maxBodyBytes,
      routerOptions: { maxParamLength: 1000 },
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    });
    app.server.maxConnections = config.maxConnections;
    // Token bucket on new connections: a flood is shed before it costs a request parse.
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

    const context: ServerContext = {
      engine,
      config,
      auth,
      audit,
      metrics,
      logger,
      draining: () => state.draining,
      authorize: (request: FastifyRequest, permission: Permission, action: string): Principal => {
        const principal = auth.authenticate(request.headers.authorization);
        auth.require(principal, permission, action);
        return principal;
      },
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
      if (status >= 500)
        logger.error('request failed', { method: req.method, url: req.url, error: body.message });
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

    await app.register(websocket, { options: { maxPayload: config.maxBodyBytes } });

    app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      if (state.draining) {
        return reply
          .code(503)
          .send(new AionError('unavailable', 'the server is draining', {}).toJSON());
      }
      try {
        await engine.store.getCurrentRun(engine.namespace, '__readyz__');
        return { status: 'ready' };
      } catch (err) {
        return reply
          .code(503)
          .send(
            new AionError(
              'unavailable',
              `store is not reachable: ${(err as Error).message}`,
              {},
            ).toJSON(),
          );
      }
    });
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

    await context.refreshNamespaces();
    const refresher = setInterval(() => {
      context.refreshNamespaces().catch(() => undefined);
    }, 5000);
    refresher.unref();
    app.addHook('onClose', () => {
      clearInterval(refresher);
      return Promise.resolve();
    });

    namespaceRoutes(app, context);
    workflowRoutes(app, context);
    adminRoutes(app, context);
    batchRoutes(app, context);
    activityRoutes(app, context);
    for (const plugin of options.plugins ?? DEFAULT_PLUGINS) await plugin(app, context);

    const server = new AionServer(app, context, {
      set: () => {
        state.draining = true;
      },
    });
    return server;
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    const { host, port } = this.context.config;
    await this.app.listen({ host, port });
    const addr = this.app.server.address() as AddressInfo;
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `http://${shown}:${addr.port}` };
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Graceful drain: refuse new starts and turn readiness (`/readyz`) to 503, keep listening
   * for `drainGraceMs` so load balancers see it, stop accepting connections, let in-flight
   * requests finish, then shut the engine down (in-flight activities get `drainTimeoutMs` to
   * finish; everything committed stays committed). Calling it again returns the same drain.
   */
  drain(): Promise<void> {
    this.#drained ??= this.#drain();
    return this.#drained;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    this.#markDraining();
    const { logger, engine, config, audit } = this.context;
    logger.info('draining: refusing new workflows, finishing in-flight work', {
      graceMs: config.drainGraceMs,
    });
    if (config.drainGraceMs > 0 && !this.#hurry) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.drainGraceMs);
        this.#endGrace = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.app.close();
    await engine.shutdown({ timeoutMs: config.drainTimeoutMs });
    await audit.close();
    logger.info('drained', {});
  }

  /** Drains without the readiness grace period, cutting one in progress short (tests). */
  async close(): Promise<void> {
    this.#hurry = true;
    this.#endGrace?.();
    await this.drain();
  }
}

/** Creates a server for an engine. See {@link CreateServerOptions}. */
export function createServer(options: CreateServerOptions): Promise<AionServer> {
  return AionServer.create(options);
}
