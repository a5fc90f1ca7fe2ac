import { describe, expect, it } from 'vitest';
import { DataConverter, isAionError, type Payload } from '../core/index.js';
import { CompressionCodec } from './compression.js';
import { EncryptionCodec, parseEncryptionKeys } from './encryption.js';
import { decodePayloads, encodePayloads } from './walk.js';

const K1 = Buffer.alloc(32, 7).toString('base64');
const K2 = Buffer.alloc(32, 9).toString('base64');
const value = { secret: 'PLAINTEXT-MARKER', n: [1, 2, 3], nested: { deep: 'x'.repeat(2000) } };

function codecError(fn: () => unknown): { message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isAionError(err) && err.code === 'codec_error') return err;
    throw err;
  }
  throw new Error('expected a codec_error');
}

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec({ keys: [{ id: 'k1', key: K1 }] });

  it('round-trips values through the converter, hiding the plaintext and the inner encoding', () => {
    const dc = new DataConverter({ payloadCodecs: [codec] });
    for (const v of [value, 'text', 0, null, undefined, [true]]) {
      const p = dc.encode(v);
      expect(p.encoding).toBe('binary/encrypted');
      expect(p.metadata).toEqual({ 'encryption-key-id': 'k1' });
      expect(p.data).not.toContain('PLAINTEXT');
      expect(dc.decode(p)).toEqual(v);
    }
  });

  it('uses a fresh nonce per payload and passes encrypted payloads through encode', () => {
    const p = codec.encode({ encoding: 'json/plain', data: '"same"' });
    expect(codec.encode({ encoding: 'json/plain', data: '"same"' }).data).not.toBe(p.data);
    expect(codec.encode(p)).toBe(p);
  });

  it('reads unencrypted payloads unchanged (history from before encryption)', () => {
    const plain: Payload = { encoding: 'json/plain', data: '1' };
    expect(codec.decode(plain)).toBe(plain);
  });

  it('rotates: the current key encrypts, old keys still decrypt', () => {
    const old = codec.encode({ encoding: 'json/plain', data: '"old"' });
    const rotated = new EncryptionCodec({
      keys: [
        { id: 'k2', key: K2 },
        { id: 'k1', key: K1 },
      ],
    });
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decode(old)).toEqual({ encoding: 'json/plain', data: '"old"' });
    expect(rotated.encode({ encoding: 'json/plain', data: '1' }).metadata).toEqual({
      'encryption-key-id': 'k2',
    });
  });

  it('names a missing key, and refuses wrong key material or altered data', () => {
    const p = codec.encode({ encoding: 'json/plain', data: '"x"' });
    const other = new EncryptionCodec({ keys: [{ id: 'k2', key: K2 }] });
    const missing = codecError(() => other.decode(p));
    expect(missing.message).toContain('"k1"');
    expect(missing.details).toMatchObject({ keyId: 'k1', reason: 'unknown_key' });
    const wrong = new EncryptionCodec({ keys: [{ id: 'k1', key: K2 }] });
    expect(codecError(() => wrong.decode(p)).details).toMatchObject({
      reason: 'decryption_failed',
    });
    const bytes = Buffer.from(p.data, 'base64');
    bytes[14] = bytes[14]! ^ 1;
    const altered = { ...p, data: bytes.toString('base64') };
    expect(codecError(() => codec.decode(altered)).message).toContain('authentication failed');
  });

  it('validates keys without echoing key material', () => {
    expect(() => new EncryptionCodec({ keys: [] })).toThrow(/at least one key/);
    expect(() => new EncryptionCodec({ keys: [{ id: 'short', key: 'c2VjcmV0' }] })).toThrow(
      /exactly 32/,
    );
    expect(() => new EncryptionCodec({ keys: [{ id: 'short', key: 'c2VjcmV0' }] })).not.toThrow(
      /c2VjcmV0/,
    );
    expect(
      () => new EncryptionCodec({ keys: [{ id: 'k1', key: K1 }], currentKeyId: 'k9' }),
    ).toThrow(/currentKeyId/);
  });

  it('parses AION_ENCRYPTION_KEYS lists', () => {
    expect(parseEncryptionKeys(`k2:${K2}, k1:${K1}`)).toEqual([
      { id: 'k2', key: K2 },
      { id: 'k1', key: K1 },
    ]);
    expect(() => parseEncryptionKeys(K1)).toThrow(/id:base64key/);
    expect(() => parseEncryptionKeys(K1)).not.toThrow(new RegExp(K1.slice(0, 10)));
    expect(() => parseEncryptionKeys(' ')).toThrow(/empty/);
  });
});

describe('CompressionCodec', () => {
  it('compresses payloads above the threshold and round-trips them', () => {
    const dc = new DataConverter({ payloadCodecs: [new CompressionCodec()] });
    const p = dc.encode(value);
    expect(p.encoding).toBe('binary/zlib');
    expect(p.data.length).toBeLessThan(500);
    expect(dc.decode(p)).toEqual(value);
  });

  it('leaves small payloads alone', () => {
    const small: Payload = { encoding: 'json/plain', data: '"tiny"' };
    expect(new CompressionCodec().encode(small)).toBe(small);
  });

  it('composes with encryption (compress, then encrypt)', () => {
    const dc = new DataConverter({
      payloadCodecs: [
        new CompressionCodec(),
        new EncryptionCodec({ keys: [{ id: 'k1', key: K1 }] }),
      ],
    });
    const p = dc.encode(value);
    expect(p.encoding).toBe('binary/encrypted');
    expect(p.data.length).toBeLessThan(600);
    expect(dc.decode(p)).toEqual(value);
  });

  it('reports corrupt data as a codec_error', () => {
    const bad: Payload = { encoding: 'binary/zlib', data: 'bm90IHpsaWI=' };
    expect(codecError(() => new CompressionCodec().decode(bad)).message).toContain('decompress');
  });
});

describe('encodePayloads / decodePayloads', () => {
  const codecs = [new EncryptionCodec({ keys: [{ id: 'k1', key: K1 }] })];
  const row = {
    event: { type: 'ActivityCompleted', result: { encoding: 'json/plain', data: '"r"' } },
    outbox: {
      kind: 'child-result',
      data: JSON.stringify({ result: { encoding: 'json/plain', data: '"o"' } }),
    },
    plain: 'stays',
  };

  it('encodes every payload, also inside rows’ embedded JSON, and decodes them back', () => {
    const encoded = encodePayloads(row, codecs);
    expect(JSON.stringify(encoded)).not.toContain('json/plain');
    expect(encoded.plain).toBe('stays');
    expect(decodePayloads(encoded, codecs)).toEqual(row);
  });

  it('returns values without payloads as they are', () => {
    const v = { a: [1, { b: 'c' }] };
    expect(encodePayloads(v, codecs)).toBe(v);
  });

  it('marks what does not decode, fails its conversion with the reason, and writes it back unchanged', () => {
    const encoded = encodePayloads(row, codecs);
    const stranger = [new EncryptionCodec({ keys: [{ id: 'k2', key: K2 }] })];
    const read = decodePayloads(encoded, stranger);
    const result = read.event.result;
    expect(codecError(() => new DataConverter().decode(result)).message).toContain('"k1"');
    expect(encodePayloads(read, stranger)).toEqual(encoded);
  });
});

describe('failure attributes', () => {
  const codecs = [new EncryptionCodec({ keys: [{ id: 'k1', key: K1 }] })];
  const event = {
    type: 'ActivityFailed',
    failure: {
      type: 'Refused',
      message: 'SECRET-MESSAGE',
      stack: 'Error: SECRET-MESSAGE\n    at SECRET-FRAME',
      retryable: false,
      cause: { type: 'Inner', message: 'SECRET-CAUSE', retryable: true },
    },
  };

  it('stay plaintext by default', () => {
    expect(JSON.stringify(encodePayloads(event, codecs))).toContain('SECRET-MESSAGE');
  });

  it('are encoded on request, causes included, and restored on decode', () => {
    const encoded = encodePayloads(event, codecs, { failureAttributes: true });
    const text = JSON.stringify(encoded);
    expect(text).not.toContain('SECRET');
    expect(encoded.failure.message).toBe('Encoded failure');
    expect(decodePayloads(encoded, codecs)).toEqual(event);
  });

  it('stay encoded, and are written back unchanged, without the key', () => {
    const encoded = encodePayloads(event, codecs, { failureAttributes: true });
    const stranger = [new EncryptionCodec({ keys: [{ id: 'k2', key: K2 }] })];
    const read = decodePayloads(encoded, stranger);
    expect(read.failure.message).toBe('Encoded failure');
    expect(encodePayloads(read, stranger, { failureAttributes: true })).toEqual(encoded);
  });
});
