import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AionError, DEFAULT_LIMITS, parseDuration } from '../core/index.js';
import { DEFAULT_RUN_LIMITS, type EngineLimits } from '../engine/index.js';

/**
 * Server configuration. Sources, lowest to highest precedence: defaults < config file
 * (`aion.config.json`) < environment (`AION_*`) < command-line flags. Unknown keys are
 * rejected naming the key, so a typo never silently falls back to a default.
 */
export interface ServerConfig {
  /** Interface to bind. Default `127.0.0.1` (loopback). */
  readonly host: string;
  /** TCP port. Default 7233. `0` picks a free port. */
  readonly port: number;
  /** Data directory of the embedded SQLite store, API keys and audit log. Default `.aion`. */
  readonly dataDir: string;
  /** `sqlite` (default, `<dataDir>/aion.db`) or a `postgres://` connection string. */
  readonly store: string;
  /** Workflow module to build and deploy at startup (development). */
  readonly workflowsPath: string | undefined;
  /** Package files (`.aion`) to deploy at startup. */
  readonly packages: readonly string[];
  /** Namespace served by this server's engine. Default `default`. */
  readonly namespace: string;
  /**
   * Require API keys. Default true; false (`--no-auth`) is local development: allowed only
   * when `host` is a loopback address, and then only requests addressed to a loopback name
   * from no or the server's own origin are served.
   */
  readonly auth: boolean;
  /**
   * Where the first start writes the first admin key (mode 0600) instead of printing it on
   * standard error. Default: printed.
   */
  readonly initialKeyFile: string | undefined;
  /** Requests per second each API key may send (bursts of the same size); 0 for no limit. Default 1,000. */
  readonly keyRequestRate: number;
  /** Days the audit trail keeps entries (pruned hourly); 0 keeps them forever. Default 365. */
  readonly auditRetentionDays: number;
  /** Largest JSON request body, bytes. Default 4 MiB. */
  readonly maxBodyBytes: number;
  /** Largest package upload, bytes. Default 32 MiB. */
  readonly maxPackageBytes: number;
  /** Open connections accepted at once. Default 1,024. */
  readonly maxConnections: number;
  /** New connections accepted per second (burst of the same size); more are closed at once. Default 500. */
  readonly maxConnectionRate: number;
  /** Open connections one client address may hold at once; more are closed at once. Default 256. */
  readonly maxConnectionsPerClient: number;
  /** How long a client may take to send a request's headers, ms. Default 10 s. */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send a whole request (headers and body), ms. Default 60 s. */
  readonly requestTimeoutMs: number;
  /** Deepest nesting of arrays and objects a JSON request body may have. Default 64. */
  readonly maxJsonDepth: number;
  /**
   * A copy of the audit trail as JSON lines in this file (`-`: standard output). The audit
   * trail itself is in the store (`aion audit tail`). Default: no copy.
   */
  readonly auditLog: string | undefined;
  /** Log level of the server's JSON logs. Default `info`. */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * How long a graceful drain (SIGTERM), once past `drainGraceMs`, waits for requests and
   * activities in flight; `aion server` exits within `drainGraceMs + drainTimeoutMs + 2 s`.
   * Default 10 s.
   */
  readonly drainTimeoutMs: number;
  /**
   * How long a drain keeps the listener open with `/readyz` answering 503 before it stops
   * accepting connections, so load balancers and orchestrators see the server leave first:
   * set it to at least their probe interval × failure threshold. Default 0 (close at once).
   */
  readonly drainGraceMs: number;
  /**
   * How long a request keeps retrying while the store is unavailable before it fails with
   * `503 store_unavailable`. Default 5 s.
   */
  readonly storeRetryDeadlineMs: number;
  /**
   * How many runs a batch job changes at once on this server (lower it to soften a large
   * job's load on the store). Default 16.
   */
  readonly batchConcurrency: number;
  /** PostgreSQL shard lease ttl (takeover of a killed node waits at most this). */
  readonly leaseTtlMs: number;
  /** PostgreSQL: small group commits as a prepared statement (off behind PgBouncer < 1.21). */
  readonly postgresPreparedStatements: boolean;
  /**
   * Join the cluster of servers sharing the PostgreSQL store (`--cluster`): the shards are
   * spread over the live nodes and any node serves any call. See docs/cluster.md.
   */
  readonly cluster: boolean;
  /**
   * This server's name in the store's node rows and shard leases (`--node-name`): the node id
   * is `<name>#<8 random hex>` (a new suffix at every start). Default `engine-<uuid>`.
   */
  readonly nodeName: string | undefined;
  /**
   * Dispatch limits per task queue for remote workers (config file only), e.g.
   * `{ "payments": { "maxConcurrent": 10, "maxPerSecond": 50 } }`.
   */
  readonly taskQueues: Readonly<Record<string, { maxConcurrent?: number; maxPerSecond?: number }>>;
  /**
   * Heap cap of the workflow thread, MiB (`createEngine({ workflowHeapLimitMb })`). Default:
   * derived from `maxResidentRuns` (256 MiB + 128 KiB per resident run).
   */
  readonly workflowHeapLimitMb: number | undefined;
  /** Runs kept in memory at once (`createEngine({ maxResidentRuns })`). Default 10,000. */
  readonly maxResidentRuns: number | undefined;
  /**
   * Payload, history and per-run limits (`createEngine({ limits })`), e.g.
   * `{ "maxHistoryLength": 20000, "maxPendingActivities": 500 }`. Unset keys keep their defaults.
   */
  readonly limits: Partial<EngineLimits>;
  /**
   * Payload encryption keys, `id:base64key[,id:base64key…]` (32-byte AES-256-GCM keys): the
   * first encrypts, every one decrypts (docs/data-protection.md). Config file or
   * `AION_ENCRYPTION_KEYS` only — there is no flag, so keys never show in a process list.
   * Default: none (payloads are stored as JSON).
   */
  readonly encryptionKeys: string | undefined;
  /** Compress payloads of at least this many bytes (before encrypting them). Default: off. */
  readonly payloadCompressionThreshold: number | undefined;
  /** Encode failure messages and stack traces too (`createEngine({ encodeFailureAttributes })`). Default false. */
  readonly encodeFailureAttributes: boolean;
  /** Serve the ops console at `/` (`--no-console` turns it off). Default true. */
  readonly console: boolean;
  /**
   * Directory of the console build (`index.html` and `assets/`). Default: `dist/console` of
   * the Aion package (built by `npm run build`).
   */
  readonly consoleDir: string | undefined;
  /**
   * How long a console sign-in lasts, ms (config file: ms or a duration such as `"30m"`; flag
   * and environment: a duration or ms). A session in use is renewed once less than half is
   * left; it never outlives its API key. Default 1 h.
   */
  readonly consoleSessionTtl: number;
  /**
   * Where the console links trace ids: an http(s) URL with `{traceId}` in it, e.g.
   * `http://127.0.0.1:16686/trace/{traceId}` (Jaeger). Default: none (trace ids are plain text).
   */
  readonly traceUrl: string | undefined;
}

export const DEFAULT_PORT = 7233;

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  dataDir: '.aion',
  store: 'sqlite',
  workflowsPath: undefined,
  packages: [],
  namespace: 'default',
  auth: true,
  initialKeyFile: undefined,
  keyRequestRate: 1000,
  auditRetentionDays: 365,
  maxBodyBytes: 4 * 1024 * 1024,
  maxPackageBytes: 32 * 1024 * 1024,
  maxConnections: 1024,
  maxConnectionRate: 500,
  maxConnectionsPerClient: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxJsonDepth: 64,
  auditLog: undefined,
  logLevel: 'info',
  drainTimeoutMs: 10_000,
  drainGraceMs: 0,
  storeRetryDeadlineMs: 5000,
  batchConcurrency: 16,
  leaseTtlMs: 5000,
  postgresPreparedStatements: true,
  cluster: false,
  nodeName: undefined,
  taskQueues: {},
  workflowHeapLimitMb: undefined,
  maxResidentRuns: undefined,
  limits: {},
  encryptionKeys: undefined,
  payloadCompressionThreshold: undefined,
  encodeFailureAttributes: false,
  console: true,
  consoleDir: undefined,
  consoleSessionTtl: 3_600_000,
  traceUrl: undefined,
};

/** The keys `limits` accepts. */
const LIMIT_KEYS = new Set([...Object.keys(DEFAULT_LIMITS), ...Object.keys(DEFAULT_RUN_LIMITS)]);

type Kind =
  'string' | 'port' | 'int' | 'duration' | 'bool' | 'list' | 'level' | 'queues' | 'limits';

const KEYS: Readonly<Record<keyof ServerConfig, { kind: Kind; env: string }>> = {
  host: { kind: 'string', env: 'AION_HOST' },
  port: { kind: 'port', env: 'AION_PORT' },
  dataDir: { kind: 'string', env: 'AION_DATA_DIR' },
  store: { kind: 'string', env: 'AION_STORE' },
  workflowsPath: { kind: 'string', env: 'AION_WORKFLOWS' },
  packages: { kind: 'list', env: 'AION_PACKAGES' },
  namespace: { kind: 'string', env: 'AION_NAMESPACE' },
  auth: { kind: 'bool', env: 'AION_AUTH' },
  initialKeyFile: { kind: 'string', env: 'AION_INITIAL_KEY_FILE' },
  keyRequestRate: { kind: 'int', env: 'AION_KEY_REQUEST_RATE' },
  auditRetentionDays: { kind: 'int', env: 'AION_AUDIT_RETENTION_DAYS' },
  maxBodyBytes: { kind: 'int', env: 'AION_MAX_BODY_BYTES' },
  maxPackageBytes: { kind: 'int', env: 'AION_MAX_PACKAGE_BYTES' },
  maxConnections: { kind: 'int', env: 'AION_MAX_CONNECTIONS' },
  maxConnectionRate: { kind: 'int', env: 'AION_MAX_CONNECTION_RATE' },
  maxConnectionsPerClient: { kind: 'int', env: 'AION_MAX_CONNECTIONS_PER_CLIENT' },
  headersTimeoutMs: { kind: 'int', env: 'AION_HEADERS_TIMEOUT_MS' },
  requestTimeoutMs: { kind: 'int', env: 'AION_REQUEST_TIMEOUT_MS' },
  maxJsonDepth: { kind: 'int', env: 'AION_MAX_JSON_DEPTH' },
  auditLog: { kind: 'string', env: 'AION_AUDIT_LOG' },
  logLevel: { kind: 'level', env: 'AION_LOG_LEVEL' },
  drainTimeoutMs: { kind: 'int', env: 'AION_DRAIN_TIMEOUT_MS' },
  drainGraceMs: { kind: 'int', env: 'AION_DRAIN_GRACE_MS' },
  storeRetryDeadlineMs: { kind: 'int', env: 'AION_STORE_RETRY_DEADLINE_MS' },
  batchConcurrency: { kind: 'int', env: 'AION_BATCH_CONCURRENCY' },
  leaseTtlMs: { kind: 'int', env: 'AION_LEASE_TTL_MS' },
  postgresPreparedStatements: { kind: 'bool', env: 'AION_POSTGRES_PREPARED_STATEMENTS' },
  cluster: { kind: 'bool', env: 'AION_CLUSTER' },
  nodeName: { kind: 'string', env: 'AION_NODE_NAME' },
  taskQueues: { kind: 'queues', env: 'AION_TASK_QUEUES' },
  workflowHeapLimitMb: { kind: 'int', env: 'AION_WORKFLOW_HEAP_LIMIT_MB' },
  maxResidentRuns: { kind: 'int', env: 'AION_MAX_RESIDENT_RUNS' },
  limits: { kind: 'limits', env: 'AION_LIMITS' },
  encryptionKeys: { kind: 'string', env: 'AION_ENCRYPTION_KEYS' },
  payloadCompressionThreshold: { kind: 'int', env: 'AION_PAYLOAD_COMPRESSION_THRESHOLD' },
  encodeFailureAttributes: { kind: 'bool', env: 'AION_ENCODE_FAILURE_ATTRIBUTES' },
  console: { kind: 'bool', env: 'AION_CONSOLE' },
  consoleDir: { kind: 'string', env: 'AION_CONSOLE_DIR' },
  consoleSessionTtl: { kind: 'duration', env: 'AION_CONSOLE_SESSION_TTL' },
  traceUrl: { kind: 'string', env: 'AION_TRACE_URL' },
};

const LEVELS = new Set(['debug', 'info', 'warn', 'error', 'silent']);

function bad(source: string, key: string, message: string): never {
  throw new AionError('invalid_argument', `${source}: ${key} ${message}`, { source, key });
}

function coerce(source: string, key: string, kind: Kind, value: unknown): unknown {
  const fromText = typeof value === 'string' && source !== 'config file';
  switch (kind) {
    case 'string':
      if (typeof value !== 'string' || value === '') bad(source, key, 'must be a non-empty string');
      return value;
    case 'port':
    case 'int': {
      const n = fromText ? Number(value) : value;
      const max = kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max)
        bad(source, key, `must be an integer between 0 and ${max} (got ${JSON.stringify(value)})`);
      return n;
    }
    case 'duration':
      return coerceDuration(source, key, value);
    case 'bool':
      if (fromText) {
        if (value === 'true' || value === '1') return true;
        if (value === 'false' || value === '0') return false;
      }
      if (typeof value !== 'boolean')
        bad(source, key, `must be true or false (got ${JSON.stringify(value)})`);
      return value;
    case 'list':
      if (fromText) return value.split(',').filter((s) => s !== '');
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        bad(source, key, 'must be a list of strings');
      return value;
    case 'queues': {
      let v = value;
      if (fromText) {
        try {
          v = JSON.parse(value) as unknown;
        } catch {
          bad(source, key, 'must be a JSON object of task queue limits');
        }
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        bad(
          source,
          key,
          'must be an object: { "<queue>": { "maxConcurrent"?: n, "maxPerSecond"?: n } }',
        );
      for (const [queue, limits] of Object.entries(v as Record<string, unknown>)) {
        if (typeof limits !== 'object' || limits === null || Array.isArray(limits))
          bad(
            source,
            `${key}.${queue}`,
            'must be an object with maxConcurrent and/or maxPerSecond',
          );
        for (const [k, n] of Object.entries(limits as Record<string, unknown>)) {
          if (k !== 'maxConcurrent' && k !== 'maxPerSecond')
            bad(
              source,
              `${key}.${queue}.${k}`,
              'is not a task queue limit (use maxConcurrent or maxPerSecond)',
            );
          if (typeof n !== 'number' || !(n > 0) || !Number.isFinite(n))
            bad(source, `${key}.${queue}.${k}`, 'must be a positive number');
        }
      }
      return v;
    }
    case 'limits':
      return coerceLimits(source, key, fromText, value);
    case 'level':
      if (typeof value !== 'string' || !LEVELS.has(value))
        bad(source, key, `must be one of ${[...LEVELS].join(', ')} (got ${JSON.stringify(value)})`);
      return value;
  }
}

/** A duration: milliseconds, or text such as `30m` or `2h`. */
function coerceDuration(source: string, key: string, value: unknown): number {
  let n: number | undefined;
  try {
    if (typeof value === 'string' && /^\d+$/.test(value)) n = Number(value);
    else if (typeof value === 'string' || typeof value === 'number') n = parseDuration(value, key);
  } catch {
    n = undefined;
  }
  if (n === undefined || !Number.isSafeInteger(n) || n <= 0)
    bad(
      source,
      key,
      `must be a duration such as "30m" or milliseconds (got ${JSON.stringify(value)})`,
    );
  return n;
}

/** `limits`: a JSON object of known limit names to positive integers. */
function coerceLimits(source: string, key: string, fromText: boolean, value: unknown): unknown {
  let v = value;
  if (fromText && typeof value === 'string') {
    try {
      v = JSON.parse(value) as unknown;
    } catch {
      bad(source, key, 'must be a JSON object of limits, e.g. {"maxHistoryLength": 20000}');
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    bad(source, key, 'must be an object of limits, e.g. { "maxHistoryLength": 20000 }');
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
    if (!LIMIT_KEYS.has(k))
      bad(source, `${key}.${k}`, `is not a limit; known limits: ${[...LIMIT_KEYS].join(', ')}`);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0)
      bad(source, `${key}.${k}`, `must be a positive integer (got ${JSON.stringify(n)})`);
  }
  return v;
}

function apply(
  target: Record<string, unknown>,
  source: string,
  values: Readonly<Record<string, unknown>>,
): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const spec = (KEYS as Record<string, { kind: Kind } | undefined>)[key];
    if (!spec) {
      bad(
        source,
        JSON.stringify(key),
        `is not a configuration key; known keys: ${Object.keys(KEYS).join(', ')}`,
      );
    }
    target[key] = coerce(source, key, spec.kind, value);
  }
}

export interface LoadConfigInput {
  /** Explicit config file (`--config`); when absent, `aion.config.json` in `cwd` if present. */
  readonly file?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags (already named as config keys). */
  readonly flags?: Readonly<Record<string, unknown>>;
}

/** Resolves the server configuration: defaults < file < env < flags. */
export function loadConfig(input: LoadConfigInput = {}): ServerConfig {
  const cwd = input.cwd ?? process.cwd();
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const file =
    input.file ?? (existsSync(path.join(cwd, 'aion.config.json')) ? 'aion.config.json' : undefined);
  if (file !== undefined) {
    const abs = path.resolve(cwd, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(abs, 'utf8'));
    } catch (err) {
      throw new AionError('invalid_argument', `config file ${abs}: ${(err as Error).message}`, {
        path: abs,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AionError('invalid_argument', `config file ${abs}: must hold a JSON object`, {
        path: abs,
      });
    }
    apply(out, 'config file', parsed as Record<string, unknown>);
  }
  const env = input.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(KEYS)) {
    if (env[spec.env] !== undefined && env[spec.env] !== '') fromEnv[key] = env[spec.env];
  }
  apply(out, 'environment', fromEnv);
  apply(out, 'flags', input.flags ?? {});
  return out as unknown as ServerConfig;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses configurations that would be unsafe to run. */
export function validateConfig(config: ServerConfig): void {
  validateEdge(config);
  if (config.consoleSessionTtl < 60_000 || config.consoleSessionTtl > 7 * 86_400_000) {
    bad(
      'configuration',
      'consoleSessionTtl',
      `must be between 1 minute and 7 days (got ${config.consoleSessionTtl} ms)`,
    );
  }
  if (config.traceUrl !== undefined) validateTraceUrl(config.traceUrl);
  if (config.batchConcurrency < 1) {
    bad('configuration', 'batchConcurrency', `must be at least 1 (got ${config.batchConcurrency})`);
  }
  if (config.cluster && !/^postgres(ql)?:\/\//.test(config.store)) {
    throw new AionError(
      'invalid_argument',
      `cluster mode needs a PostgreSQL store (got ${JSON.stringify(config.store)}): a SQLite store serves one server`,
      {
        field: 'cluster',
        hint: 'pass --store postgres://… (the same database on every node), or drop --cluster',
      },
    );
  }
  if (!isLoopback(config.host) && !config.auth) {
    throw new AionError(
      'invalid_argument',
      `refusing to bind ${config.host} without API keys: anyone who can reach it could run and change workflows`,
      {
        host: config.host,
        hint: 'drop --no-auth (the first start creates an admin key), or bind 127.0.0.1',
      },
    );
  }
}

/** `traceUrl`: an http(s) URL template that puts the trace id somewhere. */
function validateTraceUrl(template: string): void {
  const example = 'e.g. "http://127.0.0.1:16686/trace/{traceId}"';
  let protocol: string | undefined;
  try {
    protocol = new URL(template).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    bad(
      'configuration',
      'traceUrl',
      `must be an http or https URL, ${example} (got ${JSON.stringify(template)})`,
    );
  if (!template.includes('{traceId}'))
    bad(
      'configuration',
      'traceUrl',
      `must contain {traceId} where the trace id goes, ${example} (got ${JSON.stringify(template)})`,
    );
}

/** The edge limits must leave a client some way to be served. */
function validateEdge(config: ServerConfig): void {
  for (const key of ['maxConnectionsPerClient', 'headersTimeoutMs', 'maxJsonDepth'] as const) {
    if (config[key] < 1) bad('configuration', key, `must be at least 1 (got ${config[key]})`);
  }
  if (config.requestTimeoutMs < config.headersTimeoutMs) {
    bad(
      'configuration',
      'requestTimeoutMs',
      `(${config.requestTimeoutMs}) must be at least headersTimeoutMs (${config.headersTimeoutMs})`,
    );
  }
}
