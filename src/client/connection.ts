// The HTTP transport every remote-client resource shares: address normalisation, the
// bearer key, pooled keep-alive sockets (undici), per-request timeouts, retries of transient
// failures, and turning error responses into typed AionErrors.
import { Pool } from 'undici';
import { AionError } from '../core/index.js';
import { errorFromBody } from './error-body.js';
import {
  responseFailure,
  retryPolicy,
  transportFailure,
  withRetries,
  type AttemptFailure,
  type ClientRetryOptions,
  type RetryPolicy,
} from './retry.js';

export type { ClientRetryOptions } from './retry.js';

/** Default address of a local `aion server`. */
export const DEFAULT_ADDRESS = 'http://127.0.0.1:7233';

export interface ConnectionOptions {
  /** Server URL, e.g. `http://127.0.0.1:7233`. Default: `AION_ADDRESS` or the local default. */
  readonly address?: string;
  /** API key (bearer token). Default: `AION_API_KEY`. */
  readonly apiKey?: string;
  /** Per-request timeout (ms) for calls that do not wait on purpose. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Most sockets the connection keeps open for ordinary calls (kept alive and reused; more
   * concurrent calls queue in the client). Default 32.
   */
  readonly connections?: number;
  /**
   * Most sockets for calls that wait on purpose (a handle's `result()`, an update's result),
   * kept apart so that waiting calls never hold up the others. Default 128.
   */
  readonly longPollConnections?: number;
  /** Timeout (ms) to open a socket to the server. Default 10 s (at most `timeoutMs`). */
  readonly connectTimeoutMs?: number;
  /**
   * Retries of transient failures (see docs/api.md#retries); `false` sends every call once.
   * Default: up to 10 attempts within 30 s, 100 ms backoff doubling up to 5 s, with jitter.
   */
  readonly retry?: ClientRetryOptions | false;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly raw?: Uint8Array;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly timeoutMs?: number;
  /**
   * Sending the call twice has the effect of sending it once (default: true for GET), so it
   * is retried also after failures where the server may have acted on it.
   */
  readonly idempotent?: boolean;
  /** The call waits on purpose (long poll): it uses the long-poll sockets. */
  readonly longPoll?: boolean;
  /** Headers of the first attempt only (not of its retries). */
  readonly firstAttemptHeaders?: Readonly<Record<string, string>>;
}

interface Settings {
  readonly address: string;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly pool: Pool;
  readonly longPollPool: Pool;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const isFailure = (value: Answer | AttemptFailure): value is AttemptFailure =>
  'error' in (value as object);

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new AionError('invalid_argument', `${field} must be a positive integer`, { field });
  }
  return value;
}

function normalizeAddress(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new AionError(
      'invalid_argument',
      `address ${JSON.stringify(address)} is not a URL (e.g. http://127.0.0.1:7233)`,
      {
        field: 'address',
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AionError(
      'invalid_argument',
      `address ${JSON.stringify(address)} must use http:// or https://`,
      {
        field: 'address',
      },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function pools(address: string, options: ConnectionOptions, timeoutMs: number): [Pool, Pool] {
  const url = new URL(address);
  const connectTimeout = Math.min(timeoutMs, options.connectTimeoutMs ?? 10_000);
  const common = {
    pipelining: 1,
    connect: { timeout: connectTimeout },
    // Per request (`timeoutMs`) instead; these only bound a call that sets none.
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  };
  return [
    new Pool(url.origin, {
      ...common,
      connections: positive(options.connections, 32, 'connections'),
    }),
    new Pool(url.origin, {
      ...common,
      connections: positive(options.longPollConnections, 128, 'longPollConnections'),
    }),
  ];
}

/**
 * An HTTP connection to an Aion server: a bounded set of keep-alive sockets (`connections`,
 * and `longPollConnections` for calls that wait on purpose) shared by every client built on
 * it. `close()` closes the sockets.
 */
export class Connection {
  readonly address: string;
  readonly #s: Settings;
  readonly #basePath: string;

  private constructor(settings: Settings) {
    this.address = settings.address;
    this.#s = settings;
    this.#basePath = new URL(settings.address).pathname.replace(/\/+$/, '');
  }

  /**
   * Connects (checks that the server answers `/healthz`; that first call is not retried, so a
   * wrong address fails at once).
   */
  static async connect(options: ConnectionOptions = {}): Promise<Connection> {
    const address = normalizeAddress(
      options.address ?? process.env.AION_ADDRESS ?? DEFAULT_ADDRESS,
    );
    const apiKey = options.apiKey ?? process.env.AION_API_KEY;
    const timeoutMs = positive(options.timeoutMs, 30_000, 'timeoutMs');
    const retry = retryPolicy(options.retry);
    const [pool, longPollPool] = pools(address, options, timeoutMs);
    const connection = new Connection({
      address,
      apiKey: apiKey || undefined,
      timeoutMs,
      retry,
      pool,
      longPollPool,
    });
    try {
      await connection.#call('GET', '/healthz', {}, retryPolicy(false));
    } catch (err) {
      await connection.close();
      throw err;
    }
    return connection;
  }

  /** The API key, for protocols that authenticate separately (event stream). */
  get apiKey(): string | undefined {
    return this.#s.apiKey;
  }

  /** Closes the connection's sockets once the calls in flight are answered. */
  async close(): Promise<void> {
    await Promise.all([this.#s.pool.close(), this.#s.longPollPool.close()]);
  }

  /**
   * One API call; throws the server's typed error, or `unavailable` when it cannot be reached.
   * Transient failures are retried per the connection's `retry` policy (see `RequestOptions`).
   */
  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.#call<T>(method, path, options, this.#s.retry);
  }

  async #call<T>(
    method: string,
    path: string,
    options: RequestOptions,
    retry: RetryPolicy,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.#s.apiKey) headers.authorization = `Bearer ${this.#s.apiKey}`;
    let body: string | Uint8Array | undefined;
    if (options.raw) {
      headers['content-type'] = 'application/octet-stream';
      body = options.raw;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const target = this.#target(path, options.query);
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
    const pool = options.longPoll ? this.#s.longPollPool : this.#s.pool;
    const timeout = options.timeoutMs ?? this.#s.timeoutMs;
    let first = options.firstAttemptHeaders;
    const answer = await withRetries<Answer>(
      retry,
      idempotent,
      () => {
        const sent = first === undefined ? headers : { ...headers, ...first };
        first = undefined;
        return this.#attempt(pool, { method, path: target, headers: sent, body, timeout });
      },
      isFailure,
    );
    return answer.body as T;
  }

  #target(path: string, query: RequestOptions['query']): string {
    let search = '';
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      search += `${search === '' ? '?' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
    }
    return this.#basePath + path + search;
  }

  async #attempt(
    pool: Pool,
    r: {
      method: string;
      path: string;
      headers: Record<string, string>;
      body: string | Uint8Array | undefined;
      timeout: number;
    },
  ): Promise<Answer | AttemptFailure> {
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await pool.request({
        method: r.method,
        path: r.path,
        headers: r.headers,
        body: r.body ?? null,
        headersTimeout: r.timeout,
        bodyTimeout: r.timeout,
      });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      text = await res.body.text();
    } catch (err) {
      if (err instanceof AionError) throw err;
      return transportFailure(err, this.address);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (status >= 200 && status < 300) return { status, body: parsed };
    return responseFailure(status, errorFromBody(status, parsed), retryAfter);
  }
}
