/**
 * `aion server` exports traces as the standard `OTEL_*` environment variables say: the server
 * runs as a process, a tiny OTLP/HTTP receiver in the test collects what arrives.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { until, type AionProcess } from '../support/aion-process.js';
import { listeningUrl, spawnServer } from '../support/aion-server.js';

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** An OTLP/HTTP receiver: records every request and answers 200. */
async function receiver(): Promise<{ server: Server; endpoint: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      received.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}`, received };
}

let dataDir: string | undefined;
const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** Starts `aion server` with `env`; resolves with its URL once it listens. */
async function startServer(env: Record<string, string>): Promise<AionProcess & { url: string }> {
  dataDir = mkdtempSync(path.join(tmpdir(), 'aion-otlp-'));
  const server = spawnServer(dataDir, { logLevel: null, env });
  children.push(server.child);
  return { ...server, url: await listeningUrl(server) };
}

async function startGreet(url: string, workflowId: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/namespaces/default/workflows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workflowType: 'greet', workflowId, args: ['otel'] }),
  });
  expect(res.status).toBe(201);
}

interface JsonSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
}
interface JsonExport {
  readonly resourceSpans: {
    readonly resource: { readonly attributes: { key: string; value: { stringValue?: string } }[] };
    readonly scopeSpans: { readonly spans: JsonSpan[] }[];
  }[];
}

it('exports spans over OTLP/HTTP protobuf by default (OTEL_TRACES_EXPORTER=otlp)', async () => {
  const otlp = await receiver();
  servers.push(otlp.server);
  const server = await startServer({
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  expect(server.stderr()).toContain('exporting traces: otlp (http/protobuf)');
  await startGreet(server.url, 'otlp-proto');

  // protobuf carries span names as plain UTF-8 strings
  const names = ['StartWorkflow:greet', 'RunActivity:echo', 'aion.store.commit'];
  const all = () => Buffer.concat(otlp.received.map((r) => r.body)).toString('utf8');
  await until('the spans at the receiver', () =>
    names.every((n) => all().includes(n)) ? true : undefined,
  );
  expect(otlp.received.every((r) => r.path === '/v1/traces')).toBe(true);
  expect(otlp.received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
}, 120_000);

it('exports OTLP/HTTP JSON named by OTEL_SERVICE_NAME; spans still queued are sent on SIGTERM', async () => {
  const otlp = await receiver();
  servers.push(otlp.server);
  const server = await startServer({
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_SERVICE_NAME: 'aion-otlp-test',
    // far beyond the test: only the shutdown flush can deliver the spans
    OTEL_BSP_SCHEDULE_DELAY: '600000',
  });
  expect(server.stderr()).toContain('exporting traces: otlp (http/json)');
  await startGreet(server.url, 'otlp-json');
  const res = await fetch(`${server.url}/api/v1/namespaces/default/workflows/otlp-json/result`);
  expect(res.status).toBe(200);
  expect(otlp.received).toEqual([]);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const exports = otlp.received.map((r) => {
    expect(r).toMatchObject({ path: '/v1/traces', contentType: 'application/json' });
    return JSON.parse(r.body.toString('utf8')) as JsonExport;
  });
  const resourceSpans = exports.flatMap((e) => e.resourceSpans);
  const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans));
  const start = spans.find((s) => s.name === 'StartWorkflow:greet');
  const attempt = spans.find((s) => s.name === 'RunActivity:echo');
  expect(start, spans.map((s) => s.name).join(', ')).toBeDefined();
  expect(attempt).toBeDefined();
  // the HTTP start and the activity attempt are one trace
  expect(attempt!.traceId).toBe(start!.traceId);
  expect(attempt!.parentSpanId).toBe(start!.spanId);
  expect(spans.some((s) => s.name === 'aion.store.commit')).toBe(true);
  const serviceNames = resourceSpans.map(
    (rs) => rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
  );
  expect(new Set(serviceNames)).toEqual(new Set(['aion-otlp-test']));
}, 120_000);
