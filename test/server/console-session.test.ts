// Console sessions: a signed HttpOnly cookie standing for an API key for a short while —
// checked against the key on every request, renewed while in use, refused for cross-site
// changes, accepted by the event stream (from the server's own origin) but not by workers.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { SessionSigner } from '../../src/server/console/index.js';
import type { ServerConfig } from '../../src/server/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { waitFor } from '../support/wait.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const SESSION = '/api/v1/session';
const LIST = '/api/v1/namespaces/default/workflows';
const KEYS = '/api/v1/keys';

function start(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  return startTestServer({
    auth: true,
    roles: ['admin', 'reader', 'worker'],
    store: () => Promise.resolve(createMemoryStore()),
    config,
  });
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The `aion_session` Set-Cookie line, if any. */
  readonly setCookie: string | undefined;
}

async function send(
  url: string,
  method: string,
  pathname: string,
  options: {
    cookie?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + pathname, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    setCookie: res.headers.getSetCookie().find((c) => c.startsWith('aion_session=')),
  };
}

/** Signs in; returns the `Cookie` header value and the answer. */
async function signIn(
  url: string,
  apiKey: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; answer: Answer }> {
  const answer = await send(url, 'POST', SESSION, { body: { apiKey }, headers });
  expect(answer.status).toBe(200);
  return { cookie: answer.setCookie!.split(';')[0]!, answer };
}

const keyIdOf = (token: string): string => token.split('_')[1]!;

async function auditActions(
  t: TestServer,
): Promise<{ action: string; outcome: string; subject: string; count: number }[]> {
  const res = await send(t.url, 'GET', '/api/v1/audit?limit=1000', { token: t.tokens.admin! });
  return res.body.entries as { action: string; outcome: string; subject: string; count: number }[];
}

/** A WebSocket upgrade: `open` (first frame type) or the refused HTTP status. */
function upgrade(
  url: string,
  headers: Record<string, string>,
  /** Close the client side of a refused upgrade (false: leave it to the server). */
  hangUp = true,
): Promise<{ opened: boolean; status?: number; frame?: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode! });
      if (hangUp) socket.terminate();
    });
    socket.on('message', (data: WebSocket.RawData) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { type: string };
      resolve({ opened: true, frame: frame.type });
      socket.close();
    });
    socket.on('error', () => undefined);
  });
}

describe('console sign-in', () => {
  it('signs in with a key: who it is, and an HttpOnly, SameSite=Strict cookie of an hour', async () => {
    t = await start();
    const before = Date.now();
    const { cookie, answer } = await signIn(t.url, t.tokens.admin!);
    expect(answer.body).toMatchObject({
      role: 'admin',
      namespaces: null,
      keyId: keyIdOf(t.tokens.admin!),
      name: 'test-admin',
    });
    const expiresAt = Date.parse(answer.body.expiresAt as string);
    expect(expiresAt).toBeGreaterThan(before + 3_500_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const attributes = answer.setCookie!.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))!.slice(8));
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    expect(cookie).toMatch(/^aion_session=[A-Za-z0-9._-]+$/);
    expect(cookie).not.toContain(t.tokens.admin!.slice(14));

    const me = await send(t.url, 'GET', SESSION, { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      authRequired: true,
      authenticated: true,
      role: 'admin',
      keyId: keyIdOf(t.tokens.admin!),
      name: 'test-admin',
    });
    expect(me.setCookie).toBeUndefined(); // more than half left: not renewed
    expect(await send(t.url, 'GET', SESSION)).toMatchObject({
      status: 200,
      body: { authRequired: true, authenticated: false },
    });
    expect((await send(t.url, 'GET', LIST, { cookie })).status).toBe(200);
    await waitFor(
      async () =>
        (await auditActions(t!)).some((e) => e.action === 'session.create' && e.outcome === 'ok'),
      {
        what: 'session.create in the audit trail',
      },
    );
  });

  it('marks the cookie Secure behind a TLS proxy, and follows consoleSessionTtl', async () => {
    t = await start({ consoleSessionTtl: 600_000 });
    const { answer } = await signIn(t.url, t.tokens.reader!, { 'x-forwarded-proto': 'https' });
    expect(answer.setCookie!.split('; ')).toContain('Secure');
    const maxAge = Number(/Max-Age=(\d+)/.exec(answer.setCookie!)![1]);
    expect(maxAge).toBeGreaterThan(500);
    expect(maxAge).toBeLessThanOrEqual(600);
  });

  it('tells a signed-in console the traceUrl setting, and only when it is set', async () => {
    const traceUrl = 'http://127.0.0.1:16686/trace/{traceId}';
    t = await start({ traceUrl });
    const { cookie, answer } = await signIn(t.url, t.tokens.reader!);
    expect(answer.body.traceUrl).toBe(traceUrl);
    expect((await send(t.url, 'GET', SESSION, { cookie })).body.traceUrl).toBe(traceUrl);
    expect((await send(t.url, 'GET', SESSION)).body).toEqual({
      authRequired: true,
      authenticated: false,
    });
    await t.stop();
    t = await start();
    expect((await signIn(t.url, t.tokens.reader!)).answer.body).not.toHaveProperty('traceUrl');
  });

  it('refuses bad keys and worker keys, counted as refused calls', async () => {
    t = await start();
    const bad = await send(t.url, 'POST', SESSION, {
      body: { apiKey: 'aion_00000000_notavalidkeynotavalidkeynotavalid' },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('unauthenticated');
    expect(bad.setCookie).toBeUndefined();
    const worker = await send(t.url, 'POST', SESSION, { body: { apiKey: t.tokens.worker! } });
    expect(worker.status).toBe(403);
    expect(worker.setCookie).toBeUndefined();
    expect((await send(t.url, 'POST', SESSION, { body: {} })).status).toBe(400);
    const foreign = await send(t.url, 'POST', SESSION, {
      body: { apiKey: t.tokens.admin! },
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'permission_denied', details: { reason: 'csrf' } });
    expect(foreign.setCookie).toBeUndefined();
    await waitFor(
      async () => {
        const refused = (await auditActions(t!)).filter(
          (e) => e.action === 'session.create' && e.outcome === 'refused',
        );
        return refused.reduce((n, e) => n + e.count, 0) >= 3;
      },
      { what: 'three refused sign-ins in the audit trail' },
    );
  });

  it('gives a reader session what a reader key gets', async () => {
    t = await start();
    const { cookie } = await signIn(t.url, t.tokens.reader!);
    expect((await send(t.url, 'GET', SESSION, { cookie })).body.role).toBe('reader');
    expect((await send(t.url, 'GET', LIST, { cookie })).status).toBe(200);
    const create = await send(t.url, 'POST', KEYS, {
      cookie,
      body: { name: 'x', role: 'reader' },
      headers: { 'x-aion-console': '1' },
    });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('permission_denied');
    expect((await send(t.url, 'GET', KEYS, { cookie })).status).toBe(403);
  });
});

describe('cross-site requests with a session cookie', () => {
  it('changes something only with X-Aion-Console: 1 and, when present, its own origin', async () => {
    t = await start();
    const { cookie } = await signIn(t.url, t.tokens.admin!);
    const body = { name: 'from-console', role: 'reader' };
    const origin = new URL(t.url).origin;

    const noHeader = await send(t.url, 'POST', KEYS, { cookie, body });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body).toMatchObject({ code: 'permission_denied', details: { reason: 'csrf' } });

    const foreign = await send(t.url, 'POST', KEYS, {
      cookie,
      body,
      headers: { 'x-aion-console': '1', origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ details: { reason: 'csrf' } });

    const wrongValue = await send(t.url, 'POST', KEYS, {
      cookie,
      body,
      headers: { 'x-aion-console': 'yes', origin },
    });
    expect(wrongValue.status).toBe(403);

    const ok = await send(t.url, 'POST', KEYS, {
      cookie,
      body,
      headers: { 'x-aion-console': '1', origin },
    });
    expect(ok.status).toBe(201);
    const noOrigin = await send(t.url, 'POST', KEYS, {
      cookie,
      body,
      headers: { 'x-aion-console': '1' },
    });
    expect(noOrigin.status).toBe(201);

    // Reads need neither; bearer keys are unchanged.
    expect(
      (await send(t.url, 'GET', KEYS, { cookie, headers: { origin: 'http://evil.example' } }))
        .status,
    ).toBe(200);
    expect((await send(t.url, 'POST', KEYS, { token: t.tokens.admin!, body })).status).toBe(201);
    await waitFor(
      async () =>
        (await auditActions(t!)).some(
          (e) => e.outcome === 'refused' && e.subject.startsWith(keyIdOf(t!.tokens.admin!)),
        ),
      { what: 'the csrf refusals in the audit trail' },
    );
  });

  it('accepts the cookie on event-stream upgrades from no or its own origin, never for workers', async () => {
    t = await start();
    const { cookie } = await signIn(t.url, t.tokens.reader!);
    const feed = `${t.url}/api/v1/namespaces/default/runs/stream`;
    const host = new URL(t.url).host;
    expect(await upgrade(feed, { cookie })).toEqual({ opened: true, frame: 'subscribed' });
    expect(await upgrade(feed, { cookie, origin: `http://${host}` })).toEqual({
      opened: true,
      frame: 'subscribed',
    });
    expect(await upgrade(feed, { cookie, origin: 'http://evil.example' })).toEqual({
      opened: false,
      status: 403,
    });
    // Without a session the stream answers with an error frame, as before.
    expect(await upgrade(feed, {})).toEqual({ opened: true, frame: 'error' });
    const admin = await signIn(t.url, t.tokens.admin!);
    expect(await upgrade(`${t.url}/api/v1/worker`, { cookie: admin.cookie })).toEqual({
      opened: false,
      status: 401,
    });
  });
});

describe('session lifetime', () => {
  it('renews a session in use once less than half of it is left', async () => {
    t = await start();
    const signer = new SessionSigner(t.engine.store);
    await signer.start();
    try {
      const keyId = keyIdOf(t.tokens.reader!);
      const soon = Math.floor((Date.now() + 10 * 60_000) / 1000) * 1000;
      const cookie = `aion_session=${signer.sign({ keyId, expiresAt: soon })}`;
      const answer = await send(t.url, 'GET', LIST, { cookie });
      expect(answer.status).toBe(200);
      expect(answer.setCookie).toBeDefined();
      expect(Number(/Max-Age=(\d+)/.exec(answer.setCookie!)![1])).toBeGreaterThan(3500);
      const renewed = answer.setCookie!.split(';')[0]!;
      const me = await send(t.url, 'GET', SESSION, { cookie: renewed });
      expect(Date.parse(me.body.expiresAt as string)).toBeGreaterThan(soon + 40 * 60_000);
      expect(me.setCookie).toBeUndefined();
      // The whoami route renews too.
      expect((await send(t.url, 'GET', SESSION, { cookie })).setCookie).toBeDefined();

      // Ended, or signed by anyone else: refused and cleared.
      const past = `aion_session=${signer.sign({ keyId, expiresAt: Date.now() - 1000 })}`;
      const ended = await send(t.url, 'GET', LIST, { cookie: past });
      expect(ended.status).toBe(401);
      expect(ended.setCookie).toMatch(/^aion_session=; .*Max-Age=0/);
      const forged = cookie.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      expect((await send(t.url, 'GET', LIST, { cookie: forged })).status).toBe(401);
    } finally {
      signer.stop();
    }
  });

  it('ends every session of a revoked key at its next request', async () => {
    t = await start();
    const { cookie } = await signIn(t.url, t.tokens.reader!);
    expect((await send(t.url, 'GET', LIST, { cookie })).status).toBe(200);
    const revoke = await send(t.url, 'DELETE', `${KEYS}/${keyIdOf(t.tokens.reader!)}`, {
      token: t.tokens.admin!,
    });
    expect(revoke.status).toBe(200);
    const after = await send(t.url, 'GET', LIST, { cookie });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthenticated');
    expect(after.setCookie).toMatch(/^aion_session=; .*Max-Age=0/);
    expect((await send(t.url, 'GET', SESSION, { cookie })).body).toMatchObject({
      authenticated: false,
    });
  });

  it('signs out: the cookie is cleared, and only from the console', async () => {
    t = await start();
    const { cookie } = await signIn(t.url, t.tokens.admin!);
    const forged = await send(t.url, 'DELETE', SESSION, { cookie });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ details: { reason: 'csrf' } });
    const out = await send(t.url, 'DELETE', SESSION, {
      cookie,
      headers: { 'x-aion-console': '1' },
    });
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/^aion_session=; .*Max-Age=0/);
    // Without a session there is nothing to sign out of: the cookie is cleared all the same.
    expect((await send(t.url, 'DELETE', SESSION)).status).toBe(204);
    await waitFor(
      async () =>
        (await auditActions(t!)).some((e) => e.action === 'session.delete' && e.outcome === 'ok'),
      { what: 'session.delete in the audit trail' },
    );
  });
});

describe('without keys (--no-auth)', () => {
  it('refuses upgrades from other origins and still shuts down cleanly', async () => {
    t = await startTestServer({ store: () => Promise.resolve(createMemoryStore()) });
    const feed = `${t.url}/api/v1/namespaces/default/runs/stream`;
    expect(await upgrade(feed, { origin: 'http://evil.example' }, false)).toEqual({
      opened: false,
      status: 421,
    });
    expect(await upgrade(feed, {})).toEqual({ opened: true, frame: 'subscribed' });
    // afterEach stops the server: a refused upgrade's socket must not hold it open.
  });

  it('says no sign-in is needed and everyone is admin', async () => {
    t = await startTestServer({ store: () => Promise.resolve(createMemoryStore()) });
    const me = await send(t.url, 'GET', SESSION);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ authRequired: false, authenticated: true, role: 'admin' });
    const signIn = await send(t.url, 'POST', SESSION, { body: { apiKey: 'anything' } });
    expect(signIn.status).toBe(200);
    expect(signIn.body).toMatchObject({ authRequired: false, role: 'admin' });
    expect(signIn.setCookie).toBeUndefined();
  });
});
