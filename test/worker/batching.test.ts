/**
 * Frame batching of the worker protocol, negotiated at registration: a real server on
 * loopback with a real remote worker process, raw `ws` clients speaking the protocol as an
 * older worker would, and the SDK against a stand-in server that does not batch.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { frameText, type ServerFrame, type TaskFrame } from '../../src/protocol/worker.js';
import { Worker } from '../../src/worker/index.js';
import { Harness, waitFor } from './harness.js';

let harness: Harness | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = (await Harness.start()).harness;
  return harness;
}

/** `aion_worker_messages_total` and `aion_worker_frames_total` by direction, from /metrics. */
async function wireMetrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(
    /^aion_worker_(messages|frames)_total\{direction="(in|out)"\} (\d+)/gm,
  ))
    out[`${m[1]}_${m[2]}`] = Number(m[3]);
  return out;
}

/** A raw protocol client recording every message as it arrived (object or array). */
async function rawWorker(url: string): Promise<{
  ws: WebSocket;
  messages: unknown[];
  frames: () => ServerFrame[];
  send: (frame: unknown) => void;
}> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/worker`);
  cleanups.push(() => ws.terminate());
  const messages: unknown[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(frameText(d))));
  await once(ws, 'open');
  return {
    ws,
    messages,
    frames: () => messages.flat() as ServerFrame[],
    send: (frame) => ws.send(JSON.stringify(frame)),
  };
}

const register = { type: 'register', taskQueue: 'remote', activityTypes: ['echo'] };

describe('frame batching', () => {
  it('batches tasks, results and acks of a loaded remote worker (500 workflows x 3 activities)', async () => {
    const h = await start();
    h.spawnWorker('batcher', { maxConcurrent: 200 });
    await h.registered('batcher');
    const before = await wireMetrics(h.url);
    const handles = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        h.engine.start('threeEchoWorkflow', { workflowId: `b${i}`, args: [String(i)] }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results[7]).toBe('echo:echo:echo:7');
    let after: Record<string, number> = {};
    const d = (k: string): number => (after[k] ?? 0) - (before[k] ?? 0);
    // Every task, result and ack crossed the wire (the last acks may follow the results) …
    await waitFor(async () => {
      after = await wireMetrics(h.url);
      return d('frames_in') >= 1500 && d('frames_out') >= 3000;
    }, '1500 results in, 1500 tasks and 1500 acks out');
    // … in fewer messages than frames, both ways.
    expect(d('messages_in')).toBeLessThan(d('frames_in'));
    expect(d('messages_out')).toBeLessThan(d('frames_out'));
  });

  it('sends an older worker (no batching in register) one frame per message', async () => {
    const h = await start();
    const w = await rawWorker(h.url);
    w.send({ ...register, maxConcurrent: 50, identity: 'old' });
    const registered = await waitFor(
      () => w.frames().find((f) => f.type === 'registered'),
      'registered',
    );
    expect(registered).not.toHaveProperty('batching');
    const answered = new Set<string>();
    w.ws.on('message', () => {
      for (const f of w.frames()) {
        if (f.type !== 'task' || answered.has(f.taskToken)) continue;
        answered.add(f.taskToken);
        w.send({ type: 'result', taskToken: f.taskToken, status: 'completed', value: 'old' });
      }
    });
    const handles = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.engine.start('echoWorkflow', { workflowId: `o${i}`, args: [String(i)] }),
      ),
    );
    for (const handle of handles) expect(await handle.result()).toBe('old');
    await waitFor(() => w.frames().filter((f) => f.type === 'ack').length === 50, 'all acks');
    expect(w.messages.filter((m) => Array.isArray(m))).toEqual([]);
  });

  it('answers a batching worker in batches and refuses bad elements one by one', async () => {
    const h = await start();
    const w = await rawWorker(h.url);
    w.send({ ...register, maxConcurrent: 20, identity: 'new', batching: true });
    const registered = await waitFor(
      () => w.frames().find((f) => f.type === 'registered'),
      'registered',
    );
    expect(registered).toMatchObject({ batching: true, maxMessageBytes: 4 * 1024 * 1024 });
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.engine.start('echoWorkflow', { workflowId: `n${i}`, args: [String(i)] }),
      ),
    );
    const tasks = await waitFor(() => {
      const t = w.frames().filter((f): f is TaskFrame => f.type === 'task');
      return t.length === 20 ? t : undefined;
    }, '20 tasks');
    expect(w.messages.some((m) => Array.isArray(m) && m.length > 1)).toBe(true);
    // One message: the results, with a malformed frame in the middle.
    w.send([
      ...tasks
        .slice(0, 10)
        .map((t) => ({ type: 'result', taskToken: t.taskToken, status: 'completed', value: 'a' })),
      { type: 'result', taskToken: tasks[10]!.taskToken, status: 'maybe' },
      ...tasks
        .slice(11)
        .map((t) => ({ type: 'result', taskToken: t.taskToken, status: 'completed', value: 'b' })),
    ]);
    await waitFor(() => w.frames().filter((f) => f.type === 'ack').length === 19, '19 acks');
    expect(w.frames().filter((f) => f.type === 'error')).toEqual([
      expect.objectContaining({
        code: 'invalid_argument',
        message: expect.stringContaining('status'),
      }),
    ]);
    expect(await handles[0]!.result()).toBe('a');
    expect(await handles[19]!.result()).toBe('b');
    // A batch over the limit is refused as a whole; the connection stays open.
    w.send(Array.from({ length: 257 }, () => ({ type: 'heartbeat', taskToken: 'x' })));
    await waitFor(
      () => w.frames().find((f) => f.type === 'error' && f.message.includes('at most 256')),
      'the refusal of a too long batch',
    );
    w.send({ type: 'result', taskToken: tasks[10]!.taskToken, status: 'completed', value: 'c' });
    expect(await handles[10]!.result()).toBe('c');
    expect(w.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('a worker batches only once the server said so in registered', async () => {
    for (const serverBatches of [false, true]) {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      cleanups.push(() => new Promise((r) => wss.close(r)));
      await once(wss, 'listening');
      const received: unknown[] = [];
      wss.on('connection', (socket) => {
        socket.on('message', (data) => {
          const message = JSON.parse(frameText(data)) as unknown;
          received.push(message);
          for (const f of [message].flat() as { type: string; taskToken: string }[]) {
            if (f.type !== 'result') continue;
            socket.send(
              JSON.stringify({ type: 'ack', taskToken: f.taskToken, status: 'accepted' }),
            );
          }
          if ((message as { type?: string }).type !== 'register') return;
          expect(message).toMatchObject({ batching: true });
          // An older server: `registered` without `batching`; then 30 tasks in one turn.
          socket.send(
            JSON.stringify({
              type: 'registered',
              workerId: 'w1',
              namespace: 'default',
              taskQueue: 'q',
              identity: 'sdk',
              ...(serverBatches ? { batching: true } : {}),
            }),
          );
          for (let i = 0; i < 30; i++) socket.send(JSON.stringify(task(`t${i}`)));
        });
      });
      const worker = await Worker.create({
        connection: { address: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` },
        taskQueue: 'q',
        activities: { echo: (x: string) => Promise.resolve(x) },
        identity: 'sdk',
        logger: () => undefined,
      });
      const run = worker.run();
      cleanups.push(async () => {
        await worker.shutdown();
        await run.catch(() => undefined);
      });
      await waitFor(
        () =>
          received.flat().filter((f) => (f as { type: string }).type === 'result').length === 30,
        '30 results',
      );
      const arrays = received.filter((m) => Array.isArray(m));
      if (serverBatches) expect(arrays.length).toBeGreaterThan(0);
      else expect(arrays).toEqual([]);
      await worker.shutdown();
    }
  });
});

function task(taskToken: string): TaskFrame {
  return {
    type: 'task',
    taskToken,
    namespace: 'default',
    workflowId: taskToken,
    runId: 'r',
    workflowType: 'wf',
    activityId: '1',
    activityType: 'echo',
    taskQueue: 'q',
    attempt: 1,
    args: [taskToken],
    scheduledTime: Date.now(),
    startedTime: Date.now(),
  };
}
