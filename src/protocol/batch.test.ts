import { describe, expect, it } from 'vitest';
import { AionError } from '../core/index.js';
import {
  FrameSender,
  MAX_BATCH_BYTES,
  MAX_BATCH_FRAMES,
  parseServerMessage,
  parseWorkerMessage,
} from './batch.js';
import { parseWorkerFrame } from './worker.js';

const register = { type: 'register', taskQueue: 'q', activityTypes: ['a'], maxConcurrent: 2 };
const result = (t: string): object => ({
  type: 'result',
  taskToken: t,
  status: 'completed',
  value: t,
});

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('parseWorkerMessage', () => {
  it('reads a single frame as a batch of one, and an array frame by frame in order', () => {
    expect(parseWorkerMessage(JSON.stringify({ type: 'drain' }))).toEqual([{ type: 'drain' }]);
    expect(parseWorkerMessage(JSON.stringify([result('a'), result('b')]))).toEqual([
      { type: 'result', taskToken: 'a', status: 'completed', value: 'a' },
      { type: 'result', taskToken: 'b', status: 'completed', value: 'b' },
    ]);
  });

  it('refuses a malformed element in place, keeping the other frames of the batch', () => {
    const frames = parseWorkerMessage(
      JSON.stringify([result('a'), { type: 'teleport' }, 7, [result('x')], result('b')]),
    );
    expect(frames).toHaveLength(5);
    expect(frames[0]).toMatchObject({ taskToken: 'a' });
    expect(frames[4]).toMatchObject({ taskToken: 'b' });
    const [, unknown, scalar, nested] = frames as AionError[];
    expect(unknown).toBeInstanceOf(AionError);
    expect(unknown!.code).toBe('invalid_argument');
    expect(unknown!.message).toContain('teleport');
    // Exactly the refusal of the same frame sent alone.
    expect(() => parseWorkerFrame('{"type":"teleport"}')).toThrow(unknown!.message);
    expect(scalar!.message).toContain('JSON object');
    expect(nested!.message).toContain('batches do not nest');
  });

  it('refuses as a whole a message that is not JSON, an empty batch or a too long one', () => {
    expect(() => parseWorkerMessage('[{"type":')).toThrow(/not valid JSON/);
    expect(() => parseWorkerMessage('[]')).toThrow(/at least one frame/);
    const long = JSON.stringify(Array.from({ length: MAX_BATCH_FRAMES + 1 }, () => register));
    expect(() => parseWorkerMessage(long)).toThrow(
      new RegExp(`at most ${MAX_BATCH_FRAMES} frames \\(got ${MAX_BATCH_FRAMES + 1}\\)`),
    );
    expect(
      parseWorkerMessage(JSON.stringify(Array.from({ length: MAX_BATCH_FRAMES }, () => register))),
    ).toHaveLength(MAX_BATCH_FRAMES);
  });

  it('keeps accepting registers without batching, and checks it when given', () => {
    expect(parseWorkerFrame(JSON.stringify(register))).not.toHaveProperty('batching');
    expect(parseWorkerFrame(JSON.stringify({ ...register, batching: true }))).toMatchObject({
      batching: true,
    });
    expect(parseWorkerFrame(JSON.stringify({ ...register, batching: false }))).not.toHaveProperty(
      'batching',
    );
    expect(() => parseWorkerFrame(JSON.stringify({ ...register, batching: 'yes' }))).toThrow(
      /batching must be a boolean/,
    );
  });
});

describe('parseServerMessage', () => {
  it('reads single frames and batches, malformed elements as errors', () => {
    expect(parseServerMessage('{"type":"ack","taskToken":"a","status":"accepted"}')).toEqual([
      { type: 'ack', taskToken: 'a', status: 'accepted' },
    ]);
    const frames = parseServerMessage('[{"type":"cancel","taskToken":"a","reason":"r"},{},[]]');
    expect(frames[0]).toMatchObject({ type: 'cancel' });
    expect(frames[1]).toBeInstanceOf(AionError);
    expect(frames[2]).toBeInstanceOf(AionError);
  });
});

describe('FrameSender', () => {
  function sender(): { out: FrameSender; messages: { text: string; frames: number }[] } {
    const messages: { text: string; frames: number }[] = [];
    return { out: new FrameSender((text, frames) => messages.push({ text, frames })), messages };
  }

  it('sends each frame at once as its own message until batching is enabled', () => {
    const { out, messages } = sender();
    out.push({ type: 'drain' });
    out.push({ type: 'drain' });
    expect(messages).toEqual([
      { text: '{"type":"drain"}', frames: 1 },
      { text: '{"type":"drain"}', frames: 1 },
    ]);
  });

  it('coalesces the frames of one turn into one array; a lone frame goes as an object', async () => {
    const { out, messages } = sender();
    out.enable();
    out.push(result('a'));
    out.push(result('b'));
    out.push(result('c'));
    expect(messages).toEqual([]);
    await turn();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.frames).toBe(3);
    expect(JSON.parse(messages[0]!.text)).toEqual([result('a'), result('b'), result('c')]);
    out.push(result('d'));
    await turn();
    expect(messages[1]).toEqual({ text: JSON.stringify(result('d')), frames: 1 });
  });

  it('bounds a batch by frame count', async () => {
    const { out, messages } = sender();
    out.enable();
    for (let i = 0; i < MAX_BATCH_FRAMES * 2 + 1; i++) out.push(result(String(i)));
    await turn();
    expect(messages.map((m) => m.frames)).toEqual([MAX_BATCH_FRAMES, MAX_BATCH_FRAMES, 1]);
    const tokens = messages.flatMap((m) => {
      const parsed = JSON.parse(m.text) as { taskToken: string } | { taskToken: string }[];
      return (Array.isArray(parsed) ? parsed : [parsed]).map((f) => f.taskToken);
    });
    expect(tokens).toEqual(Array.from({ length: MAX_BATCH_FRAMES * 2 + 1 }, (_, i) => String(i)));
  });

  it("bounds a batch by bytes, the peer's limit or 1 MiB, and sends an oversized frame alone", async () => {
    const { out, messages } = sender();
    out.enable(1000);
    const frame = { type: 'result', taskToken: 't', status: 'completed', value: 'é'.repeat(150) };
    const bytes = Buffer.byteLength(JSON.stringify(frame));
    for (let i = 0; i < 10; i++) out.push(frame);
    out.push({ ...frame, value: 'x'.repeat(5000) });
    await turn();
    for (const m of messages.slice(0, -1))
      expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(1000);
    expect(messages.reduce((n, m) => n + m.frames, 0)).toBe(11);
    expect(messages[0]!.frames).toBe(Math.floor(1000 / (bytes + 1)));
    expect(messages.at(-1)!.frames).toBe(1);

    const big = sender();
    big.out.enable(64 * MAX_BATCH_BYTES);
    const large = { type: 'drain', pad: 'x'.repeat(MAX_BATCH_BYTES / 4) };
    for (let i = 0; i < 8; i++) big.out.push(large);
    await turn();
    for (const m of big.messages) expect(m.text.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(big.messages.length).toBeGreaterThan(1);
  });

  it('flush sends the queued frames at once (before a close)', () => {
    const { out, messages } = sender();
    out.enable();
    out.push(result('a'));
    out.push({ type: 'drain' });
    out.flush();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.frames).toBe(2);
    out.flush();
    expect(messages).toHaveLength(1);
  });
});
