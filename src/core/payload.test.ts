import { describe, expect, it } from 'vitest';
import { DataConverter, JsonPayloadConverter, type Payload, type PayloadCodec } from './payload.js';
import { isAionError } from './errors.js';
import { resolveLimits } from './limits.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isAionError(err) ? err.code : 'not-aion';
  }
  return undefined;
}

describe('JSON payload converter', () => {
  const c = new JsonPayloadConverter();

  it('round-trips plain JSON data, undefined and edge numbers', () => {
    const values = [
      null,
      undefined,
      0,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      1e308,
      5e-324,
      'a\u0000b',
      '𝄞 עברית',
      { a: [1, null, { b: null }], c: '' },
      [],
      {},
    ];
    for (const v of values) expect(c.fromPayload(c.toPayload(v))).toEqual(v);
  });

  it('refuses values that do not round-trip, naming where', () => {
    expect(codeOf(() => c.toPayload(10n))).toBe('codec_error');
    expect(codeOf(() => c.toPayload({ a: { b: 1n } }))).toBe('codec_error');
    expect(codeOf(() => c.toPayload({ f: () => 1 }))).toBe('codec_error');
    expect(codeOf(() => c.toPayload([Symbol('x')]))).toBe('codec_error');
    expect(codeOf(() => c.toPayload(NaN))).toBe('codec_error');
    expect(codeOf(() => c.toPayload({ m: new Map() }))).toBe('codec_error');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => c.toPayload(cyclic))).toBe('codec_error');
    try {
      c.toPayload({ order: { total: 5n } });
    } catch (err) {
      expect((err as Error).message).toContain('order.total');
      expect((err as Error).message).toContain('BigInt');
    }
  });

  it('refuses unknown encodings on decode', () => {
    expect(codeOf(() => c.fromPayload({ encoding: 'binary/zstd', data: '' }))).toBe('codec_error');
    expect(codeOf(() => c.fromPayload({ encoding: 'binary/plain', data: 'a*' }))).toBe(
      'codec_error',
    );
  });

  it('carries a top-level Uint8Array (or Buffer) as binary/plain base64 bytes', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 256]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 255) % 256);
      const payload = c.toPayload(bytes);
      expect(payload).toEqual({
        encoding: 'binary/plain',
        data: Buffer.from(bytes).toString('base64'),
      });
      const back = c.fromPayload(payload);
      expect(back).toBeInstanceOf(Uint8Array);
      expect([...(back as Uint8Array)]).toEqual([...bytes]);
    }
    expect(c.toPayload(Buffer.from('hi')).encoding).toBe('binary/plain');
  });
});

describe('DataConverter', () => {
  it('applies codecs in order and enforces the payload size limit', () => {
    const reverse: PayloadCodec = {
      encode: (p: Payload) => ({
        encoding: 'test/reversed',
        data: [...p.data].reverse().join(''),
        metadata: { inner: p.encoding },
      }),
      decode: (p: Payload) => ({
        encoding: p.metadata!.inner!,
        data: [...p.data].reverse().join(''),
      }),
    };
    const dc = new DataConverter({
      payloadCodecs: [reverse],
      limits: resolveLimits({ maxPayloadBytes: 64 }),
    });
    const p = dc.encode({ hello: 'world' });
    expect(p.encoding).toBe('test/reversed');
    expect(dc.decode(p)).toEqual({ hello: 'world' });
    expect(codeOf(() => dc.encode('x'.repeat(100), 'activity input'))).toBe('payload_too_large');
  });

  it('measures size in UTF-8 bytes', () => {
    const dc = new DataConverter({ limits: resolveLimits({ maxPayloadBytes: 10 }) });
    expect(codeOf(() => dc.encode('ééééé'))).toBe('payload_too_large'); // 12 bytes with quotes
    expect(codeOf(() => dc.encode('abcdefgh'))).toBeUndefined(); // 10 bytes
  });
});
