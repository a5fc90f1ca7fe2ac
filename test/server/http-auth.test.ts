// The HTTP API's edges: each role's allowed actions and the audit trail, the connection-rate
// limit, the first admin key, and the refusal to serve without auth on a public address.
import { afterEach, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('auth and audit', () => {
  it('each role is allowed exactly its actions; missing and unknown keys are unauthenticated', async () => {
    t = await startTestServer({ auth: true, roles: ['reader', 'operator', 'worker', 'admin'] });
    const { reader, operator, worker, admin } = t.tokens as Record<
      'reader' | 'operator' | 'worker' | 'admin',
      string
    >;
    const ns = '/api/v1/namespaces/default';
    const start = (token?: string) =>
      call(t!.url, 'POST', `${ns}/workflows`, {
        body: { workflowType: 'counter', args: [0] },
        ...(token ? { token } : {}),
      });

    expect((await start()).body.code).toBe('unauthenticated');
    expect((await start()).status).toBe(401);
    expect((await start('aion_00000000_' + 'x'.repeat(43))).body.code).toBe('unauthenticated');
    expect((await start(`${admin.slice(0, -2)}xx`)).body.code).toBe('unauthenticated');
    expect((await start(reader)).status).toBe(403);
    expect((await start(reader)).body.code).toBe('permission_denied');
    expect((await start(worker)).body.code).toBe('permission_denied');
    const started = await start(operator);
    expect(started.status).toBe(201);
    const id = started.body.workflowId as string;

    // Reads: reader, operator and admin; not worker.
    for (const [token, status] of [
      [reader, 200],
      [operator, 200],
      [admin, 200],
      [worker, 403],
    ] as const) {
      expect((await call(t.url, 'GET', `${ns}/workflows/${id}`, { token })).status).toBe(status);
    }
    // Signals need operator.
    expect(
      (
        await call(t.url, 'POST', `${ns}/workflows/${id}/signal`, {
          token: reader,
          body: { name: 'add', args: [1] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(t.url, 'POST', `${ns}/workflows/${id}/signal`, {
          token: operator,
          body: { name: 'add', args: [1] },
        })
      ).status,
    ).toBe(200);
    // Deploy, route, unload and keys need admin.
    expect(
      (await call(t.url, 'POST', `${ns}/packages`, { token: operator, raw: new Uint8Array([1]) }))
        .status,
    ).toBe(403);
    expect((await call(t.url, 'GET', '/api/v1/keys', { token: operator })).status).toBe(403);
    const keys = await call(t.url, 'GET', '/api/v1/keys', { token: admin });
    expect(keys.status).toBe(200);
    expect((keys.body.keys as { role: string }[]).map((k) => k.role).sort()).toEqual([
      'admin',
      'operator',
      'reader',
      'worker',
    ]);
    expect(JSON.stringify(keys.body)).not.toContain(admin);

    // A key created over the API works at once; a revoked one stops working.
    const created = await call(t.url, 'POST', '/api/v1/keys', {
      token: admin,
      body: { name: 'ci', role: 'reader' },
    });
    expect(created.status).toBe(201);
    const fresh = created.body.token as string;
    expect((await call(t.url, 'GET', `${ns}/workflows`, { token: fresh })).status).toBe(200);
    await call(t.url, 'DELETE', `/api/v1/keys/${(created.body.key as { id: string }).id}`, {
      token: admin,
    });
    expect((await call(t.url, 'GET', `${ns}/workflows`, { token: fresh })).status).toBe(401);

    // Keys are stored hashed: no token appears in the store's key table.
    const stored = JSON.stringify(await t.engine.store.listApiKeys());
    for (const token of [reader, operator, worker, admin, fresh])
      expect(stored).not.toContain(token.slice(14));

    // The audit trail has every mutating call, with subject, action, target and outcome —
    // refused ones too (written within a second, counted per subject).
    await t.server.close();
    const audit = await t.engine.store.readAudit({ limit: 1000 });
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'POST /api/v1/namespaces/:namespace/workflows',
        outcome: 'refused',
        code: 'unauthenticated',
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'workflow.start',
        outcome: 'refused',
        code: 'permission_denied',
        subject: expect.stringContaining('test-reader'),
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'workflow.start',
        outcome: 'ok',
        target: id,
        subject: expect.stringContaining('test-operator'),
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'workflow.signal', outcome: 'ok', target: id }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'key.create', outcome: 'ok' }));
    expect(audit.some((a) => a.action === 'workflow.describe')).toBe(false);
  });

  it('sheds a flood of new connections beyond the configured rate', async () => {
    const net = await import('node:net');
    const { createServer } = await import('../../src/server/index.js');
    t = await startTestServer();
    const limited = await createServer({
      engine: t.engine,
      config: {
        port: 0,
        auth: false,
        dataDir: t.dataDir,
        maxConnectionRate: 3,
        logLevel: 'silent',
      },
    });
    const { port } = await limited.listen();
    const outcomes = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<'served' | 'dropped'>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
            });
            let data = '';
            socket.on('data', (c: Buffer) => (data += c.toString()));
            socket.on('close', () => resolve(data.includes('200 OK') ? 'served' : 'dropped'));
            socket.on('error', () => undefined);
          }),
      ),
    );
    const served = outcomes.filter((o) => o === 'served').length;
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(10);
    const metrics = await limited.context.metrics.expose();
    expect(metrics).toMatch(/aion_http_connections_refused_total [1-9]/);
    await limited.app.close();
  });

  it('creates the first admin key at the first start and never serves without a key', async () => {
    t = await startTestServer({ auth: true });
    const first = t.server.firstAdminKey;
    expect(first?.key.role).toBe('admin');
    const token = first!.token;
    const list = '/api/v1/namespaces/default/workflows';
    expect((await call(t.url, 'GET', list)).status).toBe(401);
    expect((await call(t.url, 'GET', list, { token })).status).toBe(200);
    // Revoking every key (even the caller's own) does not open the server.
    expect((await call(t.url, 'DELETE', `/api/v1/keys/${first!.key.id}`, { token })).status).toBe(
      200,
    );
    expect((await call(t.url, 'GET', list)).status).toBe(401);
    expect((await call(t.url, 'GET', list, { token })).status).toBe(401);
  });

  it('refuses to bind a non-loopback address with --no-auth', async () => {
    const { createServer } = await import('../../src/server/index.js');
    t = await startTestServer();
    await expect(
      createServer({
        engine: t.engine,
        config: { host: '0.0.0.0', port: 0, auth: false, dataDir: t.dataDir },
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
