// The HTTP transport every remote-client resource shares: address normalisation, the
// bearer key, per-request timeouts, and turning error responses into typed AionErrors.
import { AionError } from '../core/index.js';
import { errorFromBody } from './error-body.js';

/** Default address of a local `aion server`. */
export const DEFAULT_ADDRESS = 'http://127.0.0.1:7233';

export interface ConnectionOptions {
  /** Server URL, e.g. `http://127.0.0.1:7233`. Default: `AION_ADDRESS` or the local default. */
  readonly address?: string;
  /** API key (bearer token). Default: `AION_API_KEY`. */
  readonly apiKey?: string;
  /** Per-request timeout (ms) for calls that do not wait on purpose. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly raw?: Uint8Array;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly timeoutMs?: number;
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

/** An HTTP connection to an Aion server. */
export class Connection {
  readonly address: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;

  private constructor(address: string, apiKey: string | undefined, timeoutMs: number) {
    this.address = address;
    this.#apiKey = apiKey;
    this.#timeoutMs = timeoutMs;
  }

  /** Connects (checks that the server answers `/healthz`). */
  static async connect(options: ConnectionOptions = {}): Promise<Connection> {
    const address = normalizeAddress(
      options.address ?? process.env.AION_ADDRESS ?? DEFAULT_ADDRESS,
    );
    const apiKey = options.apiKey ?? process.env.AION_API_KEY;
    const connection = new Connection(address, apiKey || undefined, options.timeoutMs ?? 30_000);
    await connection.request('GET', '/healthz');
    return connection;
  }

  /** The API key, for protocols that authenticate separately (event stream). */
  get apiKey(): string | undefined {
    return this.#apiKey;
  }

  /** One API call; throws the server's typed error, or `unavailable` when it cannot be reached. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = new URL(this.address + path);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {};
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let body: string | Uint8Array | undefined;
    if (options.raw) {
      headers['content-type'] = 'application/octet-stream';
      body = options.raw;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message);
      throw new AionError(
        'unavailable',
        `cannot reach the Aion server at ${this.address}: ${reason}`,
        {
          address: this.address,
        },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) throw errorFromBody(response.status, parsed);
    return parsed as T;
  }
}
