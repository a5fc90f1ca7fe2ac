// Open WebSockets end with their credentials: revoking or expiring the key a run feed or a
// remote worker connected with, or signing out the console session a feed was opened with,
// closes the socket (1008, reason `key_revoked` / `key_expired` / `session_ended`).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiKeys } from '../../src/server/index.js';
import { SessionSigner } from '../../src/server/console/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { call, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from '../support/wait.js';

let t: TestServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await t?.stop();
  t = undefined;
});

function start(): Promise<TestServer> {
  return startTestServer({
    auth: true,
    roles: ['admin', 'reader', 'worker'],
    store: () => Promise.resolve(createMemoryStore()),
  });
}

interface Opened {
  readonly frames: { type: string; code?: string; details?: Record<string, unknown> }[];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
}

/** Opens a socket and waits for its first frame. */
async function open(
  url: string,
  pathname: string,
  headers: Record<string, string>,
  first?: unknown,
): Promise<Opened> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + pathname, { headers });
  sockets.push(ws);
  const frames: Opened['frames'] = [];
  ws.on('message', (d: WebSocket.RawData) =>
    frames.push(JSON.parse((d as Buffer).toString('utf8')) as Opened['frames'][number]),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  if (first !== undefined) ws.send(JSON.stringify(first));
  await waitFor(() => frames.length > 0, { what: `the first frame of ${pathname}` });
  return { frames, closed, isOpen: () => ws.readyState === WebSocket.OPEN };
}

const FEED = '/api/v1/namespaces/default/runs/stream';
const keyIdOf = (token: string): string => token.split('_')[1]!;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function revoke(t: TestServer, token: string): Promise<void> {
  const res = await call(t.url, 'DELETE', `/api/v1/keys/${keyIdOf(token)}`, {
    token: t.tokens.admin!,
  });
  expect(res.status).toBeLessThan(300);
}

describe('sockets end with their key', () => {
  it('revoking a key closes its run feed and its worker, and leaves other keys’ sockets open', async () => {
    t = await start();
    const feed = await open(t.url, FEED, bearer(t.tokens.reader!));
    expect(feed.frames[0]!.type).toBe('subscribed');
    const other = await open(t.url, FEED, bearer(t.tokens.admin!));
    const worker = await open(t.url, '/api/v1/worker', bearer(t.tokens.worker!), {
      type: 'register',
      taskQueue: 'remote',
      activityTypes: ['echo'],
      maxConcurrent: 1,
    });
    expect(worker.frames[0]!.type).toBe('registered');
    const listed = async (): Promise<number> => {
      const res = await call(t!.url, 'GET', '/api/v1/namespaces/default/workers', {
        token: t!.tokens.admin!,
      });
      return (res.body.workers as unknown[]).length;
    };
    expect(await listed()).toBe(1);

    await revoke(t, t.tokens.reader!);
    expect(await feed.closed).toEqual({ code: 1008, reason: 'key_revoked' });
    expect(feed.frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'unauthenticated',
      details: { reason: 'key_revoked' },
    });

    await revoke(t, t.tokens.worker!);
    expect(await worker.closed).toEqual({ code: 1008, reason: 'key_revoked' });
    expect(worker.frames.at(-1)).toMatchObject({ type: 'error', code: 'unauthenticated' });
    // It takes no further task: the server no longer counts it as a worker.
    await waitFor(async () => (await listed()) === 0, { what: 'the worker to be gone' });

    expect(other.isOpen()).toBe(true);
    expect(t.server.context.auth.sockets.size).toBe(1);
  });

  it('a revocation made through another node (the same store) closes the socket here', async () => {
    t = await start();
    const feed = await open(t.url, FEED, bearer(t.tokens.reader!));
    // Another node's view of the key table: it revokes in the store only.
    const elsewhere = new ApiKeys(t.engine.store);
    await elsewhere.revoke(keyIdOf(t.tokens.reader!));
    expect(await feed.closed).toEqual({ code: 1008, reason: 'key_revoked' });
  });

  it('a key that expires closes its sockets with key_expired', async () => {
    t = await start();
    const created = await call(t.url, 'POST', '/api/v1/keys', {
      token: t.tokens.admin!,
      body: {
        name: 'short',
        role: 'reader',
        expiresAt: new Date(Date.now() + 8_000).toISOString(),
      },
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const feed = await open(t.url, FEED, bearer(token));
    expect(feed.frames[0]!.type).toBe('subscribed');
    expect(await feed.closed).toEqual({ code: 1008, reason: 'key_expired' });
  });
});

describe('sockets end with their console session', () => {
  async function signIn(t: TestServer, token: string): Promise<string> {
    const res = await fetch(`${t.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: token }),
    });
    expect(res.status).toBe(200);
    return res.headers
      .getSetCookie()
      .find((c) => c.startsWith('aion_session='))!
      .split(';')[0]!;
  }

  it('signing out closes the sockets of that session only', async () => {
    t = await start();
    const mine = await signIn(t, t.tokens.reader!);
    const theirs = await signIn(t, t.tokens.reader!);
    const feed = await open(t.url, FEED, { cookie: mine });
    const kept = await open(t.url, FEED, { cookie: theirs });
    expect(feed.frames[0]!.type).toBe('subscribed');

    const out = await fetch(`${t.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie: mine, 'x-aion-console': '1', origin: t.url },
    });
    expect(out.status).toBe(204);
    expect(await feed.closed).toEqual({ code: 1008, reason: 'session_ended' });
    expect(feed.frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'unauthenticated',
      details: { reason: 'session_ended' },
    });
    expect(kept.isOpen()).toBe(true);
  });

  it('revoking the key of a session closes its sockets with session_ended', async () => {
    t = await start();
    const cookie = await signIn(t, t.tokens.reader!);
    const feed = await open(t.url, FEED, { cookie });
    await revoke(t, t.tokens.reader!);
    expect(await feed.closed).toEqual({ code: 1008, reason: 'session_ended' });
  });

  it('a session closes its sockets at its end, unless a renewal reached this node', async () => {
    t = await start();
    const signer = new SessionSigner(t.engine.store);
    await signer.start();
    try {
      const keyId = keyIdOf(t.tokens.reader!);
      const end = Math.ceil((Date.now() + 8_000) / 1000) * 1000;
      const ending = `aion_session=${signer.sign({ keyId, expiresAt: end })}`;
      const renewed = { keyId, expiresAt: end, sessionId: '0123456789abcdef' };
      const feed = await open(t.url, FEED, { cookie: ending });
      const kept = await open(t.url, FEED, {
        cookie: `aion_session=${signer.sign(renewed)}`,
      });
      expect(feed.frames[0]!.type).toBe('subscribed');
      expect(kept.frames[0]!.type).toBe('subscribed');
      // The kept session was renewed (by any node): a request with its new cookie reaches here.
      const later = `aion_session=${signer.sign({ ...renewed, expiresAt: end + 600_000 })}`;
      const res = await fetch(`${t.url}${FEED.replace('/runs/stream', '/workflows')}`, {
        headers: { cookie: later },
      });
      expect(res.status).toBe(200);

      expect(await feed.closed).toEqual({ code: 1008, reason: 'session_ended' });
      await waitFor(() => Date.now() > end, { what: 'the first end to pass' });
      t.server.context.auth.sockets.sweep();
      expect(kept.isOpen()).toBe(true);
    } finally {
      signer.stop();
    }
  });
});
