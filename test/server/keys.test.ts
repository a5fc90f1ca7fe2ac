import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { ApiKeys, createServer, type AionServer } from '../../src/server/index.js';
import { untilTrue } from '../support/parked-runs.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
const others: AionServer[] = [];
afterEach(async () => {
  for (const s of others.splice(0)) await s.close();
  await t?.stop();
  t = undefined;
});

const LIST = '/api/v1/namespaces/default/workflows';

/** A second server on the same engine and store: another node, with its own key snapshot. */
async function secondNode(server: TestServer): Promise<string> {
  const other = await createServer({
    engine: server.engine,
    config: { port: 0, auth: true, dataDir: server.dataDir, logLevel: 'silent' },
  });
  others.push(other);
  return (await other.listen()).url;
}

describe('API keys in the store', () => {
  it('a revocation reaches every node, and creating keys afterwards never brings it back', async () => {
    t = await startTestServer({ auth: true, roles: ['admin', 'reader'] });
    const admin = t.tokens.admin!;
    const reader = t.tokens.reader!;
    const other = await secondNode(t);
    expect((await call(other, 'GET', LIST, { token: reader })).status).toBe(200);
    const keys = await call(t.url, 'GET', '/api/v1/keys', { token: admin });
    const readerId = (keys.body.keys as { id: string; role: string }[]).find(
      (k) => k.role === 'reader',
    )!.id;
    expect((await call(t.url, 'DELETE', `/api/v1/keys/${readerId}`, { token: admin })).status).toBe(
      200,
    );
    expect((await call(t.url, 'GET', LIST, { token: reader })).status).toBe(401);
    await untilTrue(
      'the other node refuses the revoked key',
      async () => (await call(other, 'GET', LIST, { token: reader })).status === 401,
    );
    // Keys created right after the revocation, on either node, do not resurrect it.
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? t.url : other;
      const created = await call(url, 'POST', '/api/v1/keys', {
        token: admin,
        body: { name: `after-${i}`, role: 'reader' },
      });
      expect(created.status).toBe(201);
      expect((await call(t.url, 'GET', LIST, { token: reader })).status).toBe(401);
      expect((await call(other, 'GET', LIST, { token: reader })).status).toBe(401);
    }
    const stored = await t.engine.store.getApiKey(readerId);
    expect(stored?.revokedAt).toEqual(expect.any(Number));
  });

  it('a key limited to namespaces acts only there and may not administer the server', async () => {
    t = await startTestServer({ auth: true, roles: ['admin'] });
    const admin = t.tokens.admin!;
    const ns = await call(t.url, 'POST', '/api/v1/namespaces', {
      token: admin,
      body: { name: 'team-a' },
    });
    expect(ns.status).toBe(201);
    const created = await call(t.url, 'POST', '/api/v1/keys', {
      token: admin,
      body: { name: 'team-a-admin', role: 'admin', namespaces: ['team-a'] },
    });
    expect(created.status).toBe(201);
    const scoped = created.body.token as string;
    expect((created.body.key as { namespaces: string[] }).namespaces).toEqual(['team-a']);
    expect(
      (await call(t.url, 'GET', '/api/v1/namespaces/team-a/workflows', { token: scoped })).status,
    ).toBe(200);
    const elsewhere = await call(t.url, 'GET', LIST, { token: scoped });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('permission_denied');
    const start = await call(t.url, 'POST', '/api/v1/namespaces/default/workflows', {
      token: scoped,
      body: { workflowType: 'counter', args: [0] },
    });
    expect(start.body.code).toBe('permission_denied');
    const keyCreate = await call(t.url, 'POST', '/api/v1/keys', {
      token: scoped,
      body: { name: 'escalate', role: 'admin' },
    });
    expect(keyCreate.body.code).toBe('permission_denied');
  });

  it('expired keys are refused; each key is held to its request rate', async () => {
    t = await startTestServer({ auth: true, roles: ['admin'], config: { keyRequestRate: 5 } });
    const keys = new ApiKeys(t.engine.store);
    const expired = await keys.create({ name: 'old', role: 'reader', expiresAt: Date.now() - 1 });
    await untilTrue('the server sees the new key', async () => {
      const res = await call(t!.url, 'GET', LIST, { token: expired.token });
      return res.status === 401;
    });
    const codes: unknown[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${t.url}${LIST}`, {
        headers: { authorization: `Bearer ${t.tokens.admin!}` },
      });
      codes.push(((await res.json()) as { code?: string }).code);
      if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
    }
    expect(codes).toContain('rate_limited');
    expect(retryAfter).toBe('1');
    const used = await t.engine.store.listApiKeys();
    expect(used.find((k) => k.role === 'admin')?.lastUsedAt).toEqual(expect.any(Number));
  });

  it('imports a legacy api-keys.json once; an imported key keeps working', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-keys-'));
    try {
      const token = `aion_0123abcd_${'x'.repeat(43)}`;
      const hash = createHash('sha256').update(token).digest('hex');
      const record = {
        id: '0123abcd',
        name: 'old',
        role: 'admin',
        hash,
        createdAt: '2025-01-01T00:00:00Z',
      };
      writeFileSync(path.join(dir, 'api-keys.json'), JSON.stringify({ keys: [record] }));
      const store = createMemoryStore();
      const keys = new ApiKeys(store);
      expect(await keys.importKeyFile(dir)).toBe(1);
      expect(await keys.importKeyFile(dir)).toBe(0); // the file was renamed
      expect(keys.verify(token)?.role).toBe('admin');
      await keys.revoke('0123abcd');
      expect(keys.verify(token)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--no-auth', () => {
  it('answers only requests addressed to a loopback name, from no or its own origin', async () => {
    t = await startTestServer();
    const port = new URL(t.url).port;
    const raw = async (
      headers: Record<string, string>,
    ): Promise<{ status: number; body: string }> => {
      const net = await import('node:net');
      return new Promise((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
          socket.write(
            [`GET ${LIST} HTTP/1.1`, ...lines, 'Connection: close', '', ''].join('\r\n'),
          );
        });
        let data = '';
        socket.on('data', (c: Buffer) => (data += c.toString()));
        socket.on('close', () =>
          resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]), body: data }),
        );
        socket.on('error', reject);
      });
    };
    expect((await raw({ Host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await raw({ Host: `localhost:${port}` })).status).toBe(200);
    expect((await raw({ Host: `[::1]:${port}` })).status).toBe(200);
    const rebound = await raw({ Host: `attacker.example:${port}` });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain('host_not_allowed');
    expect(
      (await raw({ Host: `localhost:${port}`, Origin: 'http://attacker.example' })).status,
    ).toBe(421);
    expect(
      (await raw({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status,
    ).toBe(200);
    const upgrade = await raw({
      Host: `127.0.0.1:${port}`,
      Origin: 'http://attacker.example',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    });
    expect(upgrade.status).toBe(421);
  });
});
