// The worker connection with `payloads: 'encoded'`, spoken raw: task arguments leave the
// server encrypted, an encrypted result is decoded before the engine records it, and a
// server without codecs refuses such a registration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngine, DataConverter, EncryptionCodec, type Engine } from '../../src/index.js';
import { frameText, type ServerFrame, type TaskFrame } from '../../src/protocol/worker.js';
import { createServer, type AionServer } from '../../src/server/server.js';
import { Harness, waitFor } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/secrets.ts', import.meta.url).pathname;
const codec = new EncryptionCodec({ keys: [{ id: 'w1', key: Buffer.alloc(32, 3) }] });
const wire = new DataConverter({ payloadCodecs: [codec] });

let engine: Engine | undefined;
let server: AionServer | undefined;
let harness: Harness | undefined;
let dir: string | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await server?.close();
  await engine?.shutdown();
  await harness?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  engine = server = harness = dir = undefined;
});

async function connect(url: string): Promise<{
  frames: ServerFrame[];
  send(frame: unknown): void;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/worker`);
  sockets.push(ws);
  const frames: ServerFrame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(frameText(d)) as ServerFrame));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { frames, closed, send: (frame) => ws.send(JSON.stringify(frame)) };
}

const register = {
  type: 'register',
  taskQueue: 'default',
  activityTypes: ['reveal'],
  maxConcurrent: 1,
  payloads: 'encoded',
};

describe('encoded payloads on the worker connection', () => {
  it('sends task arguments encrypted and decodes the encrypted result', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-wire-'));
    engine = await createEngine({
      dataDir: dir,
      workflowsPath,
      logger: quiet,
      payloadCodecs: [codec],
    });
    server = await createServer({
      engine,
      config: { port: 0, auth: false, dataDir: dir },
      logger: quiet,
    });
    const { url } = await server.listen();
    const w = await connect(url);
    w.send(register);
    await waitFor(() => w.frames.find((f) => f.type === 'registered'), 'registered');

    const h = await engine.start('revealOnce', { args: ['WIRE-ARG-MARKER-4d2'] });
    const task = await waitFor<TaskFrame | undefined>(
      () => w.frames.find((f): f is TaskFrame => f.type === 'task'),
      'a task frame',
    );
    if (task === undefined) throw new Error('no task frame');
    expect(JSON.stringify(task)).not.toContain('WIRE-ARG-MARKER');
    expect(task.args[0]).toMatchObject({ encoding: 'binary/encrypted' });
    expect(wire.decode(task.args[0] as never)).toBe('WIRE-ARG-MARKER-4d2');

    w.send({
      type: 'result',
      taskToken: task.taskToken,
      status: 'completed',
      value: wire.encode('WIRE-RESULT-MARKER-8e1'),
    });
    expect(await h.result()).toBe('WIRE-RESULT-MARKER-8e1');
  });

  it('refuses an encoded registration on a server without codecs', async () => {
    harness = (await Harness.start()).harness;
    const w = await connect(harness.url);
    w.send(register);
    expect(await w.closed).toBe(1008);
    expect(w.frames[0]).toMatchObject({
      type: 'error',
      code: 'invalid_argument',
      message: expect.stringContaining('no payload codecs'),
    });
  });
});
