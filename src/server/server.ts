import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Engine } from '../engine/index.js';
import { ApiKeys, type ApiKeyInfo } from './api-keys.js';
import { AuditLog } from './audit.js';
import { Authenticator, checkLoopbackRequest } from './auth.js';
import { DEFAULT_CONFIG, validateConfig, type ServerConfig } from './config.js';
import {
  mountConsoleFiles,
  sessionRoutes,
  startConsoleSessions,
  type ConsoleStatus,
} from './console/index.js';
import type { ServerContext, ServerLogger, ServerPlugin } from './context.js';
import { hardenEdge, httpServerOptions } from './edge.js';
import { PrometheusMetrics } from './prometheus.js';
import { DEFAULT_PLUGINS } from './plugins.js';
import { adminRoutes } from './routes/admin.js';
import { clusterRoutes } from './routes/cluster.js';
import { batchRoutes } from './routes/batches.js';
import { scheduleRoutes } from './routes/schedules/index.js';
import { activityRoutes } from './routes/activities.js';
import { namespaceRoutes } from './routes/namespaces.js';
import { taskQueueRoutes } from './routes/task-queues.js';
import { workflowRoutes } from './routes/workflows/index.js';
import {
  healthRoutes,
  instrumentRequests,
  limitConnectionRate,
  metricsRoute,
  serverContext,
} from './setup.js';

export interface CreateServerOptions {
  /** The engine the server exposes. Create it with `metrics: server metrics` to export engine metrics. */
  readonly engine: Engine;
  readonly config?: Partial<ServerConfig>;
  /** Prometheus registry shared with the engine (pass the same instance to createEngine). */
  readonly metrics?: PrometheusMetrics;
  readonly logger?: ServerLogger;
  /** Route modules mounted after the core API. Default: event stream and worker protocol. */
  readonly plugins?: readonly ServerPlugin[];
  /**
   * The server closes the engine's store at the end of its drain (the store was opened for
   * it, as `aion server` does). Default false: whoever opened the store closes it.
   */
  readonly ownsStore?: boolean;
}

/**
 * Keys and audit on the engine's store: imports a legacy `api-keys.json` once, and on the
 * first start with keys required creates the first admin key.
 */
async function securitySetup(
  engine: Engine,
  config: ServerConfig,
  logger: ServerLogger,
): Promise<{ auth: Authenticator; audit: AuditLog; firstAdminKey: AionServer['firstAdminKey'] }> {
  // Task tokens leave the process here (workers, webhooks): they are signed.
  await engine.enableTaskTokenSigning();
  const keys = new ApiKeys(engine.store);
  const imported = await keys.importKeyFile(config.dataDir);
  if (imported > 0) {
    logger.info('imported API keys into the store', { count: imported, dataDir: config.dataDir });
  }
  await keys.start();
  const firstAdminKey = config.auth ? await keys.createFirstAdmin() : undefined;
  const audit = new AuditLog(engine.store, {
    file: config.auditLog,
    retentionDays: config.auditRetentionDays,
    onError: (error) => logger.warn('audit write failed', { error: String(error) }),
    append: (entries) => engine.appendAudit(entries),
  });
  audit.start();
  const auth = new Authenticator(keys, config.auth, config.keyRequestRate);
  // Open sockets are re-checked on every refresh of the key snapshot.
  auth.sockets.start();
  return {
    auth,
    audit,
    firstAdminKey,
  };
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
  readonly #ownsStore: boolean;
  /**
   * The admin key created at this start because the store had never had a key (the token is
   * shown once: `aion server` prints it or writes it to `initialKeyFile`); otherwise undefined.
   */
  firstAdminKey: { readonly token: string; readonly key: ApiKeyInfo } | undefined;
  /** Whether the ops console is served at `/`, and from where. */
  console: ConsoleStatus = { state: 'off' };

  private constructor(
    app: FastifyInstance,
    context: ServerContext,
    draining: { set: () => void },
    ownsStore: boolean,
  ) {
    this.app = app;
    this.context = context;
    this.#markDraining = draining.set;
    this.#ownsStore = ownsStore;
  }

  readonly #markDraining: () => void;

  static async create(options: CreateServerOptions): Promise<AionServer> {
    const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
    validateConfig(config);
    const metrics = options.metrics ?? new PrometheusMetrics();
    const logger = options.logger ?? jsonLogger(config.logLevel);
    const engine = options.engine;
    const { auth, audit, firstAdminKey } = await securitySetup(engine, config, logger);
    const state = { draining: false };
    // Registered namespaces (refreshed on create and every few seconds, for other processes' creates).
    const known = new Set<string>([engine.namespace]);

    const app = Fastify({
      logger: false,
      bodyLimit: config.maxBodyBytes,
      http: httpServerOptions(config),
      requestTimeout: config.requestTimeoutMs,
      routerOptions: { maxParamLength: 1000 },
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    });
    app.server.maxConnections = config.maxConnections;
    limitConnectionRate(app, config, metrics);
    // A WebSocket upgrade refused before the WebSocket plugin's own hooks ran (the checks
    // below) would keep its socket open after the answer; a successful upgrade never answers.
    app.addHook('onResponse', (req, _reply, done) => {
      if (req.headers.upgrade !== undefined) req.raw.socket.destroy();
      done();
    });
    if (!config.auth) {
      // Without keys, a browser page elsewhere must not reach the server (DNS rebinding, CSRF).
      app.addHook('onRequest', (req, _reply, done) => {
        try {
          checkLoopbackRequest(req.headers.host, req.headers.origin);
          done();
        } catch (err) {
          done(err as Error);
        }
      });
    }

    const context = serverContext({ engine, config, auth, audit, metrics, logger, state, known });

    instrumentRequests(app, metrics, logger, audit);
    // Session cookies are checked (and ended ones cleared) before the edge authenticates.
    const sessions = await startConsoleSessions(app, engine.store, auth, config);
    hardenEdge(app, config, auth, metrics);

    await app.register(websocket, { options: { maxPayload: config.maxBodyBytes } });
    sessions?.guardUpgrades(app);

    healthRoutes(app, engine, state);
    const consoleStatus = mountConsoleFiles(app, config);
    metricsRoute(app, engine, metrics, known);

    await context.refreshNamespaces();
    const refresher = setInterval(() => {
      context.refreshNamespaces().catch(() => undefined);
    }, 5000);
    refresher.unref();
    app.addHook('onClose', () => {
      clearInterval(refresher);
      auth.sockets.stop();
      auth.keys.stop();
      return Promise.resolve();
    });

    namespaceRoutes(app, context);
    workflowRoutes(app, context);
    adminRoutes(app, context);
    clusterRoutes(app, context);
    batchRoutes(app, context);
    scheduleRoutes(app, context);
    activityRoutes(app, context);
    taskQueueRoutes(app, context);
    sessionRoutes(app, context, sessions);
    for (const plugin of options.plugins ?? DEFAULT_PLUGINS) await plugin(app, context);

    const server = new AionServer(
      app,
      context,
      {
        set: () => {
          state.draining = true;
        },
      },
      options.ownsStore ?? false,
    );
    server.firstAdminKey = firstAdminKey;
    server.console = consoleStatus;
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
   * for `drainGraceMs` so load balancers see it, then within `drainTimeoutMs`: stop accepting
   * connections and let in-flight requests finish (result long-polls answer "still running"),
   * and shut the engine down — running activities finish and their outcomes are committed,
   * activities scheduled meanwhile stay in the store for the next start. At the deadline
   * what still runs is cut (and runs again on the next start); everything committed stays
   * committed. Calling it again returns the same drain.
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
      timeoutMs: config.drainTimeoutMs,
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
    const deadline = performance.now() + config.drainTimeoutMs;
    await this.#closeListener(config.drainTimeoutMs);
    await engine.shutdown({ timeoutMs: Math.max(0, Math.round(deadline - performance.now())) });
    await audit.close();
    if (this.#ownsStore) await engine.store.close();
    logger.info('drained', {});
  }

  /** Stops accepting connections; requests still open after `timeoutMs` are cut. */
  async #closeListener(timeoutMs: number): Promise<void> {
    const closed = this.app.close();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!late) return;
    this.context.logger.warn('drain deadline reached: closing requests still in flight', {
      timeoutMs,
    });
    this.app.server.closeAllConnections();
    await closed;
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
