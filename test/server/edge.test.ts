// The server's edge: callers are authenticated before their body is read, clients that send
// slowly are cut off, one client address cannot hold every connection, and malformed input
// (deep JSON, repeated query parameters, oversized bodies) gets a typed 4xx.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './helpers.js';
import { until } from '../support/aion-process.js';
import { doctoredArchive } from '../support/doctored-packages.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

interface RawSocket {
  readonly socket: net.Socket;
  readonly received: () => string;
  readonly closed: () => boolean;
}

/** A raw TCP connection to the server, optionally from another loopback address. */
async function connect(url: string, localAddress?: string): Promise<RawSocket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({
    host: hostname,
    port: Number(port),
    ...(localAddress ? { localAddress } : {}),
  });
  let data = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('utf8');
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', () => resolve());
  });
  return { socket, received: () => data, closed: () => closed };
}

const START = '/api/v1/namespaces/default/workflows';

function postHead(url: string, length: number, extra = ''): string {
  return `POST ${START} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;
}

describe('the server edge', () => {
  it('refuses a caller without a valid key from its headers, without waiting for its body', async () => {
    t = await startTestServer({ auth: true, roles: ['admin'] });
    const raw = await connect(t.url);
    // Headers announce a body that never comes.
    raw.socket.write(postHead(t.url, 100_000, 'Authorization: Bearer aion_00000000_nope\r\n'));
    await until('the 401', () => (raw.received().includes('\r\n\r\n') ? true : undefined));
    expect(raw.received()).toMatch(/^HTTP\/1\.1 401/);
    expect(raw.received()).toContain('"code":"unauthenticated"');
    // The unread body is not waited for: the connection is closed after the answer.
    await until('the connection to close', () => (raw.closed() ? true : undefined));
  });

  it('cuts off a client that trickles its headers or its body', async () => {
    t = await startTestServer({ config: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    const headers = await connect(t.url);
    headers.socket.write(`POST ${START} HTTP/1.1\r\nHost: x\r\n`);
    const timer = setInterval(() => headers.socket.write('X-Slow: 1\r\n'), 100);
    const body = await connect(t.url);
    body.socket.write(postHead(t.url, 1000));
    const drip = setInterval(() => body.socket.write(' '), 100);
    try {
      await until('the header trickler to be cut off', () => (headers.closed() ? true : undefined));
      await until('the body trickler to be cut off', () => (body.closed() ? true : undefined));
    } finally {
      clearInterval(timer);
      clearInterval(drip);
    }
    expect(headers.received()).toMatch(/^(HTTP\/1\.1 408|$)/);
    expect(body.received()).toMatch(/^(HTTP\/1\.1 408|$)/);
    // Everyone else is still served.
    expect((await call(t.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('keeps one client address from holding every connection', async () => {
    t = await startTestServer({
      config: { maxConnections: 8, maxConnectionsPerClient: 3, headersTimeoutMs: 60_000 },
    });
    // One client (127.0.0.2) opens 8 idle connections: 3 stay, the others are closed.
    const hog = await Promise.all(Array.from({ length: 8 }, () => connect(t!.url, '127.0.0.2')));
    await until('the extra connections to close', () =>
      hog.filter((s) => s.closed()).length === 5 ? true : undefined,
    );
    // Another client (127.0.0.1) is still served.
    expect((await call(t.url, 'GET', `${START}-count`)).body).toEqual({ count: 0 });
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/aion_http_client_connections_refused_total 5/);
    for (const s of hog) s.socket.destroy();
  });

  it('answers deep JSON, repeated query parameters and oversized bodies with typed 4xx', async () => {
    t = await startTestServer({ maxBodyBytes: 64 * 1024 });
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const nested = await call(t.url, 'POST', START, {
      raw: `{"workflowType":"greet","args":${deep}}`,
      contentType: 'application/json',
    });
    expect(nested.status).toBe(400);
    expect(nested.body).toMatchObject({
      code: 'invalid_argument',
      details: { reason: 'json_too_deep', maxJsonDepth: 64 },
    });
    // Strings that look like nesting are not nesting.
    const ok = await call(t.url, 'POST', START, {
      body: { workflowType: 'greet', args: ['['.repeat(200)] },
    });
    expect(ok.status).toBe(201);

    const repeated = await call(t.url, 'GET', `${START}?query=a&query=b`);
    expect(repeated.status).toBe(400);
    expect(repeated.body).toMatchObject({
      code: 'invalid_argument',
      details: { reason: 'repeated_query_parameter', parameter: 'query' },
    });
    expect(repeated.body.message).toContain('give it once');

    const big = await call(t.url, 'POST', START, {
      body: { workflowType: 'greet', args: ['x'.repeat(100 * 1024)] },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({
      code: 'payload_too_large',
      details: { reason: 'body_too_large' },
    });
  });

  it('refuses a deploy whose manifest names a type the bundle does not export; nothing is stored', async () => {
    t = await startTestServer();
    const packages = `/api/v1/namespaces/default/packages`;
    const before = (await call(t.url, 'GET', packages)).body;
    const { archive } = await doctoredArchive(t.dataDir, 'real', {
      workflowTypes: (types) => [...types, { name: 'ghostType', entry: 'ghostType' }],
    });
    const deploy = await call(t.url, 'POST', packages, { raw: archive });
    expect(deploy.status).toBe(422);
    expect(deploy.body).toMatchObject({
      code: 'package_invalid',
      details: { rule: 'workflow_types', missing: ['ghostType'] },
    });
    expect((await call(t.url, 'GET', packages)).body).toEqual(before);
    const start = await call(t.url, 'POST', START, { body: { workflowType: 'ghostType' } });
    expect(start.body.code).toBe('unknown_workflow_type');
    expect((await call(t.url, 'GET', `${START}-count`)).body).toEqual({ count: 0 });
  });
});
