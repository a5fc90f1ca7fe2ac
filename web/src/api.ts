// The console's only way to the server: same-origin fetch under /api/v1, the session cookie
// sent by the browser, and `X-Aion-Console: 1` on unsafe methods (the server's CSRF check).

export const API_BASE = '/api/v1';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An error answer of the API: `{ code, message, details }` and its HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Listener = () => void;
const unauthenticated = new Set<Listener>();

/** Called whenever a request answers 401 (the session ended or the key was revoked). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticated.add(listener);
  return () => unauthenticated.delete(listener);
}

export interface CallOptions {
  readonly body?: unknown;
  /** Raw bytes (package uploads), sent as application/octet-stream. */
  readonly raw?: Blob | ArrayBuffer;
  readonly signal?: AbortSignal;
  /** Do not announce a 401 (the session probe and the sign-in itself). */
  readonly quiet401?: boolean;
}

/** Calls `method path` (path relative to /api/v1) and returns the parsed JSON answer. */
export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (UNSAFE.has(method)) headers['x-aion-console'] = '1';
  let body: BodyInit | undefined;
  if (options.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unavailable', `the server did not answer (${String(err)})`, {});
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { message: text };
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as {
      code?: string;
      message?: string;
      details?: Record<string, unknown>;
    };
    if (res.status === 401 && !options.quiet401) for (const l of unauthenticated) l();
    throw new ApiError(
      res.status,
      e.code ?? `http_${res.status}`,
      e.message ?? res.statusText,
      e.details ?? {},
    );
  }
  return parsed as T;
}

/** `/namespaces/<ns><rest>`, the namespace escaped. */
export function nsPath(ns: string, rest: string): string {
  return `/namespaces/${encodeURIComponent(ns)}${rest}`;
}

/** `/namespaces/<ns>/workflows/<id><rest>`. */
export function wfPath(ns: string, workflowId: string, rest = ''): string {
  return nsPath(ns, `/workflows/${encodeURIComponent(workflowId)}${rest}`);
}

/** A query string from defined values (`?a=1&b=x`), or '' when none. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** True for answers that mean "this server has no such endpoint" (an older server). */
export function isMissingEndpoint(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.status === 405 || (err.status === 404 && /no route/i.test(err.message)))
  );
}
