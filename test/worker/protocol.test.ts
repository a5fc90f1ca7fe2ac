/**
 * Worker protocol frames spoken raw over a real WebSocket to a real server: validation of
 * malformed frames, idempotent results, drain. (The SDK is covered by remote-worker.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeTaskToken, decodeTaskToken } from '../../src/activity/complete-async.js';
import { frameText, type ServerFrame, type TaskFrame } from '../../src/protocol/worker.js';
import { Harness, waitFor } from './harness.js';

let harness: Harness | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await harness?.close();
  harness = undefined;
});

interface RawWorker {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[];
  send(frame: unknown): void;
  next<T extends ServerFrame['type']>(
    type: T,
    from?: number,
  ): Promise<Extract<ServerFrame, { type: T }>>;
  closed: Promise<number>;
}

async function connect(url: string): Promise<RawWorker> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/worker`);
  sockets.push(ws);
  const frames: ServerFrame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(frameText(d)) as ServerFrame));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: async (type, from = 0) =>
      (await waitFor(
        () => frames.slice(from).find((f) => f.type === type),
        `a ${type} frame`,
      )) as never,
  };
}

describe('worker protocol frames', () => {
  it('answers malformed frames with error frames and closes after repeated abuse', async () => {
    harness = (await Harness.start()).harness;
    const w = await connect(harness.url);
    w.send('not json');
    w.send({ type: 'teleport' });
    w.send({ type: 'heartbeat', taskToken: 'x' }); // before register
    w.send({ type: 'register', taskQueue: 'remote', activityTypes: [], maxConcurrent: 1 });
    await waitFor(() => w.frames.length >= 4, 'four error frames');
    expect(w.frames.slice(0, 4)).toEqual([
      expect.objectContaining({
        type: 'error',
        code: 'invalid_argument',
        message: expect.stringContaining('JSON'),
      }),
      expect.objectContaining({
        type: 'error',
        code: 'invalid_argument',
        message: expect.stringContaining('teleport'),
      }),
      expect.objectContaining({
        type: 'error',
        code: 'invalid_state',
        message: expect.stringContaining('register'),
      }),
      expect.objectContaining({
        type: 'error',
        code: 'invalid_argument',
        message: expect.stringContaining('activityTypes'),
      }),
    ]);
    expect(w.ws.readyState).toBe(WebSocket.OPEN);
    w.send({ type: 'result', taskToken: 'x', status: 'maybe' });
    expect(await w.closed).toBe(1008);
  });

  it('refuses a worker of another namespace', async () => {
    harness = (await Harness.start()).harness;
    const w = await connect(harness.url);
    w.send({
      type: 'register',
      namespace: 'elsewhere',
      taskQueue: 'remote',
      activityTypes: ['echo'],
      maxConcurrent: 1,
    });
    const error = await w.next('error');
    expect(error.code).toBe('not_found');
    expect(await w.closed).toBe(1008);
  });

  it('acks results only once committed; duplicates and stale attempts are acked and ignored', async () => {
    const h = (harness = (await Harness.start()).harness);
    const w = await connect(h.url);
    w.send({
      type: 'register',
      taskQueue: 'remote',
      activityTypes: ['echo'],
      maxConcurrent: 1,
      identity: 'raw',
    });
    await w.next('registered');
    const handle = await h.engine.start('echoWorkflow', { workflowId: 'p1', args: ['x'] });
    const task: TaskFrame = await w.next('task');
    expect(task).toMatchObject({ activityType: 'echo', attempt: 1, args: ['x'], workflowId: 'p1' });

    // A hand-built (unsigned) token is refused, not taken for a stale attempt.
    const t = decodeTaskToken(task.taskToken);
    const handBuilt = encodeTaskToken({ ...t, attempt: 7 });
    w.send({ type: 'result', taskToken: handBuilt, status: 'completed', value: 'wrong' });
    expect(await w.next('error')).toMatchObject({
      code: 'task_token_invalid',
      taskToken: handBuilt,
    });

    const hb = w.frames.length;
    w.send({ type: 'heartbeat', taskToken: task.taskToken, details: { step: 1 } });
    expect(await w.next('heartbeat_ack', hb)).toMatchObject({ cancelRequested: false });

    const mark = w.frames.length;
    w.send({ type: 'result', taskToken: task.taskToken, status: 'completed', value: 'from raw' });
    w.send({ type: 'result', taskToken: task.taskToken, status: 'completed', value: 'again' });
    await waitFor(
      () => w.frames.slice(mark).filter((f) => f.type === 'ack').length === 2,
      'two acks',
    );
    const acks = w.frames.slice(mark).filter((f) => f.type === 'ack');
    expect(acks.map((a) => (a as { status: string }).status)).toEqual(['accepted', 'duplicate']);
    // The ack came after the commit: the history already holds the outcome.
    expect(await handle.result()).toBe('from raw');
    const { events } = await handle.fetchHistory();
    expect(events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(1);

    // After the activity closed, a heartbeat tells the worker to stop.
    const hb2 = w.frames.length;
    w.send({ type: 'heartbeat', taskToken: task.taskToken });
    expect(await w.next('heartbeat_ack', hb2)).toMatchObject({ cancelRequested: true });
  });

  it('only the worker holding an attempt may heartbeat or report it; forged tokens are refused', async () => {
    const h = (harness = (await Harness.start()).harness);
    const holder = await connect(h.url);
    holder.send({
      type: 'register',
      taskQueue: 'remote',
      activityTypes: ['echo'],
      maxConcurrent: 1,
      identity: 'a',
    });
    await holder.next('registered');
    const intruder = await connect(h.url);
    intruder.send({
      type: 'register',
      taskQueue: 'other',
      activityTypes: ['echo'],
      maxConcurrent: 1,
      identity: 'b',
    });
    await intruder.next('registered');
    const handle = await h.engine.start('echoWorkflow', { workflowId: 'x1', args: ['x'] });
    const task: TaskFrame = await holder.next('task');

    intruder.send({ type: 'heartbeat', taskToken: task.taskToken });
    expect(await intruder.next('error')).toMatchObject({ code: 'not_task_holder' });
    const mark = intruder.frames.length;
    intruder.send({
      type: 'result',
      taskToken: task.taskToken,
      status: 'completed',
      value: 'stolen',
    });
    expect(await intruder.next('error', mark)).toMatchObject({ code: 'not_task_holder' });

    // The payload changed under the original signature: forged.
    const [payload, signature] = task.taskToken.split('.');
    const fields = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { att: number };
    const forged = `${Buffer.from(JSON.stringify({ ...fields, att: 2 })).toString('base64url')}.${signature}`;
    holder.send({ type: 'heartbeat', taskToken: forged });
    expect(await holder.next('error')).toMatchObject({ code: 'task_token_invalid' });

    holder.send({ type: 'result', taskToken: task.taskToken, status: 'completed', value: 'real' });
    expect(await holder.next('ack')).toMatchObject({ status: 'accepted' });
    expect(await handle.result()).toBe('real');
    // The refusals are in the audit trail.
    await waitFor(async () => {
      const entries = await h.engine.store.readAudit({ limit: 100 });
      return entries.some((e) => e.code === 'not_task_holder' && e.outcome === 'refused')
        ? true
        : undefined;
    }, 'the refusal in the audit trail');
  });

  it('a failed result goes through the retry policy; a draining worker gets no new tasks', async () => {
    const h = (harness = (await Harness.start()).harness);
    const w = await connect(h.url);
    w.send({ type: 'register', taskQueue: 'remote', activityTypes: ['echo'], maxConcurrent: 1 });
    await w.next('registered');
    const handle = await h.engine.start('echoWorkflow', { workflowId: 'p2', args: ['y'] });
    const first = await w.next('task');
    const mark = w.frames.length;
    w.send({
      type: 'result',
      taskToken: first.taskToken,
      status: 'failed',
      failure: { type: 'Boom', message: 'transient', retryable: true },
    });
    expect(await w.next('ack', mark)).toMatchObject({ status: 'accepted' });
    const second = await w.next('task', mark);
    expect(second.attempt).toBe(2);
    // Draining: the in-flight attempt still reports, but no further task is sent.
    w.send({ type: 'drain' });
    await waitFor(
      async () => (await h.engine.workers()).workers[0]?.draining,
      'the worker to be draining',
    );
    const m2 = w.frames.length;
    w.send({
      type: 'result',
      taskToken: second.taskToken,
      status: 'failed',
      failure: { type: 'Boom', message: 'again', retryable: true },
    });
    expect(await w.next('ack', m2)).toMatchObject({ status: 'accepted' });
    await new Promise((r) => setTimeout(r, 500)); // the retry (100 ms backoff) is due
    expect(w.frames.slice(m2).some((f) => f.type === 'task')).toBe(false);
    // A fresh worker picks the third attempt up.
    const w2 = await connect(h.url);
    w2.send({ type: 'register', taskQueue: 'remote', activityTypes: ['echo'], maxConcurrent: 1 });
    const third = await w2.next('task');
    expect(third.attempt).toBe(3);
    w2.send({ type: 'result', taskToken: third.taskToken, status: 'completed', value: 'third' });
    expect(await handle.result()).toBe('third');
  });
});
