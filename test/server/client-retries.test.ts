// The remote client's retries against a scripted HTTP server: which answers are retried, for
// which calls, how long it waits (Retry-After), and where it stops (attempts, total time).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, isAionError, type ConnectionOptions } from '../../src/client/index.js';
import { backoffMs, DEFAULT_RETRY, parseRetryAfter } from '../../src/client/retry.js';

interface Scripted {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A server that answers /healthz, and every other call with the next scripted answer (then 200 `{}`). */
async function scripted(
  answers: Scripted[],
  port = 0,
): Promise<{ url: string; port: number; calls: string[]; close: () => Promise<void> }> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/healthz') return void res.writeHead(200).end('{"status":"ok"}');
      calls.push(`${req.method} ${req.url}`);
      const a = answers.shift() ?? { status: 200, body: {} };
      res
        .writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
        .end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const error = (code: string, status: number): Scripted => ({
  status,
  body: { code, message: `scripted ${code}`, details: {} },
});

const codeOf = (e: unknown): string | undefined => (isAionError(e) ? e.code : String(e));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function connect(
  url: string,
  retry: NonNullable<ConnectionOptions['retry']>,
): Promise<Connection> {
  const connection = await Connection.connect({ address: url, retry });
  cleanup.push(() => connection.close());
  return connection;
}

describe('remote client retries', () => {
  it('honours Retry-After on 429 and on 503, then succeeds', async () => {
    const s = await scripted([
      { ...error('rate_limited', 429), headers: { 'retry-after': '1' } },
      { ...error('unavailable', 503), headers: { 'retry-after': '1' } },
      { status: 200, body: { ok: true } },
    ]);
    cleanup.push(s.close);
    const c = await connect(s.url, { initialIntervalMs: 1 });
    const t0 = Date.now();
    // A POST that is not idempotent: both answers say nothing was done, so it is sent again.
    expect(await c.request('POST', '/x', { body: {} })).toEqual({ ok: true });
    expect(s.calls).toHaveLength(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
  });

  it('stops after maxAttempts with the original error code', async () => {
    const s = await scripted(Array.from({ length: 10 }, () => error('unavailable', 503)));
    cleanup.push(s.close);
    const c = await connect(s.url, { maxAttempts: 3, initialIntervalMs: 1 });
    expect(codeOf(await c.request('GET', '/x').catch((e: unknown) => e))).toBe('unavailable');
    expect(s.calls).toHaveLength(3);
  });

  it('stops when the next pause would pass maxElapsedMs', async () => {
    const s = await scripted([{ ...error('rate_limited', 429), headers: { 'retry-after': '60' } }]);
    cleanup.push(s.close);
    const c = await connect(s.url, { maxElapsedMs: 1000 });
    expect(codeOf(await c.request('GET', '/x').catch((e: unknown) => e))).toBe('rate_limited');
    expect(s.calls).toHaveLength(1);
  });

  it('retries an answer that may follow a write only for idempotent calls', async () => {
    const s = await scripted([
      error('store_unavailable', 503),
      error('store_unavailable', 503),
      error('store_unavailable', 503),
    ]);
    cleanup.push(s.close);
    const c = await connect(s.url, { initialIntervalMs: 1 });
    const once = await c.request('POST', '/terminate', { body: {} }).catch((e: unknown) => e);
    expect(codeOf(once)).toBe('store_unavailable');
    expect(s.calls).toHaveLength(1);
    expect(await c.request('POST', '/start', { body: {}, idempotent: true })).toEqual({});
    expect(s.calls).toHaveLength(4);
  });

  it('does not retry errors the registry marks as not retryable, nor with retry: false', async () => {
    const s = await scripted([error('not_found', 404), error('unavailable', 503)]);
    cleanup.push(s.close);
    const c = await connect(s.url, false);
    expect(codeOf(await c.request('GET', '/a').catch((e: unknown) => e))).toBe('not_found');
    expect(codeOf(await c.request('GET', '/b').catch((e: unknown) => e))).toBe('unavailable');
    expect(s.calls).toHaveLength(2);
  });

  it('retries a refused connection until the server is back', async () => {
    const s = await scripted([]);
    const c = await connect(s.url, { initialIntervalMs: 50, maxIntervalMs: 200 });
    await s.close();
    // Connection refused: nothing was sent, so even a write is sent again.
    const call = c.request('POST', '/y', { body: {} });
    await new Promise((r) => setTimeout(r, 300));
    const back = await scripted([{ status: 200, body: { back: true } }], s.port);
    cleanup.push(back.close);
    expect(await call).toEqual({ back: true });
  });

  it('spaces attempts with bounded, jittered exponential backoff', () => {
    const p = {
      ...DEFAULT_RETRY,
      initialIntervalMs: 100,
      backoffCoefficient: 2,
      maxIntervalMs: 1000,
    };
    expect(backoffMs(p, 1, () => 0)).toBe(50);
    expect(backoffMs(p, 1, () => 1)).toBe(100);
    expect(backoffMs(p, 3, () => 1)).toBe(400);
    expect(backoffMs(p, 10, () => 1)).toBe(1000);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
