// zlib (deflate) payload compression above a size threshold.
import { deflateSync, inflateSync } from 'node:zlib';
import { AionError, type Payload, type PayloadCodec } from '../core/index.js';
import { ENCODING_ENCRYPTED } from './encryption.js';
import { innerPayload, outerPayload } from './wrap.js';

/** The encoding of a compressed payload. */
export const ENCODING_COMPRESSED = 'binary/zlib';

export interface CompressionCodecOptions {
  /** Payloads whose data is shorter than this many characters are left alone. Default 1024. */
  readonly thresholdBytes?: number;
  /** zlib level, 1 (fast) … 9 (small). Default 6. */
  readonly level?: number;
}

/**
 * Compresses payloads with zlib deflate. Small payloads (below `thresholdBytes`) and payloads
 * that would not shrink stay as they are. Put it before an encryption codec in the list
 * (codecs encode in order): encrypted bytes do not compress.
 *
 * @example
 * payloadCodecs: [new CompressionCodec({ thresholdBytes: 2048 }), encryptionCodec]
 */
export class CompressionCodec implements PayloadCodec {
  readonly #threshold: number;
  readonly #level: number;

  constructor(options: CompressionCodecOptions = {}) {
    this.#threshold = options.thresholdBytes ?? 1024;
    this.#level = options.level ?? 6;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 0) {
      throw new AionError('invalid_argument', 'thresholdBytes must be a non-negative integer', {
        field: 'thresholdBytes',
      });
    }
    if (!Number.isInteger(this.#level) || this.#level < 1 || this.#level > 9) {
      throw new AionError('invalid_argument', 'level must be an integer from 1 to 9', {
        field: 'level',
      });
    }
  }

  encode(payload: Payload): Payload {
    // Compressed or encrypted bytes do not shrink: leave them (encoding stays idempotent).
    if (payload.encoding === ENCODING_COMPRESSED || payload.encoding === ENCODING_ENCRYPTED) {
      return payload;
    }
    if (payload.data.length < this.#threshold) return payload;
    const data = deflateSync(innerPayload(payload), { level: this.#level }).toString('base64');
    if (data.length >= payload.data.length) return payload;
    return { encoding: ENCODING_COMPRESSED, data };
  }

  decode(payload: Payload): Payload {
    if (payload.encoding !== ENCODING_COMPRESSED) return payload;
    let bytes: Buffer;
    try {
      bytes = inflateSync(Buffer.from(payload.data, 'base64'));
    } catch (err) {
      throw new AionError('codec_error', `cannot decompress payload: ${(err as Error).message}`, {
        reason: 'malformed',
      });
    }
    return outerPayload(bytes, ENCODING_COMPRESSED);
  }
}
