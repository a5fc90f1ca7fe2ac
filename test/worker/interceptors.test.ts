/**
 * Headers over the wire: a remote client's interceptor adds headers (HTTP body), the server
 * records them, and a remote worker process's activity and interceptors receive them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Client, Connection, type WorkflowClientInterceptor } from '../../src/client/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { createServer, type AionServer } from '../../src/server/server.js';

const workflowsPath = new URL('../engine/fixtures/headers-workflows.ts', import.meta.url).pathname;
const workerMain = new URL('../engine/fixtures/headers-worker.ts', import.meta.url).pathname;
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let dir: string;
let engine: Engine | undefined;
let server: AionServer | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill('SIGKILL');
  await server?.close();
  await engine?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

it('a remote client interceptor’s headers reach a remote worker’s activity', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-headers-remote-'));
  engine = await createEngine({ dataDir: dir, workflowsPath, logger: quiet });
  server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir: dir },
    logger: quiet,
  });
  const { url } = await server.listen();
  child = spawn(process.execPath, ['--import', 'tsx', workerMain], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      AION_WORKER_CONFIG: JSON.stringify({ address: url, taskQueue: 'remote' }),
    },
  });
  const tenant: WorkflowClientInterceptor = {
    start: (input, next) =>
      next({
        ...input,
        headers: { ...input.headers, tenant: { encoding: 'json/plain', data: '"acme"' } },
      }),
  };
  const client = new Client({
    connection: await Connection.connect({ address: url }),
    interceptors: [tenant],
  });
  const handle = await client.workflow.start('viaRemoteActivity', { workflowId: 'remote-h' });
  expect(await handle.result()).toEqual({
    activity: { fromWorkflow: 'viaRemoteActivity', interceptedWith: ['fromWorkflow'] },
  });
  const { events } = await handle.fetchHistory();
  const started = events.find((e) => e.type === 'WorkflowStarted');
  expect(started && 'headers' in started && started.headers).toEqual({
    tenant: { encoding: 'json/plain', data: '"acme"' },
  });
});

it('the server accepts plain JSON header values and refuses bad ones', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-headers-http-'));
  engine = await createEngine({ dataDir: dir, workflowsPath, logger: quiet });
  server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir: dir },
    logger: quiet,
  });
  const { url } = await server.listen();
  const post = (body: object) =>
    fetch(`${url}/api/v1/namespaces/default/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const ok = await post({ workflowType: 'waitForSignal', workflowId: 'j', headers: { n: 1 } });
  expect(ok.status).toBe(201);
  const [started] = (await engine.getHandle('j').fetchHistory()).events;
  expect(started && 'headers' in started && started.headers).toEqual({
    n: { encoding: 'json/plain', data: '1' },
  });
  const bad = await post({ workflowType: 'waitForSignal', headers: { '': 1 } });
  expect(bad.status).toBe(400);
  const notObject = await post({ workflowType: 'waitForSignal', headers: 'x' });
  expect(notObject.status).toBe(400);
});
