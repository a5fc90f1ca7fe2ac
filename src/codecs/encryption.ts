// AES-256-GCM payload encryption with key ids: the current key encrypts, every configured key
// decrypts, so keys rotate without rewriting history.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AionError, type Payload, type PayloadCodec } from '../core/index.js';
import { innerPayload, outerPayload } from './wrap.js';

/** The encoding of an encrypted payload; its metadata names the key that encrypted it. */
export const ENCODING_ENCRYPTED = 'binary/encrypted';
/** Metadata key holding the id of the key that encrypted a payload. */
export const ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** One AES-256 key: 32 bytes, given as bytes or as base64 text. */
export interface EncryptionKey {
  /** Recorded with every payload it encrypts (metadata `encryption-key-id`); never secret. */
  readonly id: string;
  readonly key: Uint8Array | string;
}

export interface EncryptionCodecOptions {
  /** Every key that may decrypt. At least one. */
  readonly keys: readonly EncryptionKey[];
  /** The key new payloads are encrypted with. Default: the first of `keys`. */
  readonly currentKeyId?: string;
}

function invalid(message: string, details: Record<string, unknown> = {}): AionError {
  return new AionError('invalid_argument', message, details);
}

function keyBytes(k: EncryptionKey): Buffer {
  const bytes = typeof k.key === 'string' ? Buffer.from(k.key, 'base64') : Buffer.from(k.key);
  if (bytes.length !== KEY_BYTES) {
    throw invalid(
      `encryption key ${JSON.stringify(k.id)} has ${bytes.length} bytes; AES-256-GCM needs exactly ${KEY_BYTES} (generate one with: openssl rand -base64 32)`,
      { keyId: k.id },
    );
  }
  return bytes;
}

/**
 * Encrypts payloads with AES-256-GCM. The whole inner payload (encoding, data, metadata) is
 * encrypted; what stays visible is the encoding `binary/encrypted` and the key id.
 * Payloads that are not encrypted pass through `decode` unchanged (history written before
 * encryption was turned on stays readable), and an encrypted payload passes through `encode`.
 *
 * @example
 * const codec = new EncryptionCodec({ keys: [{ id: 'k2', key: process.env.KEY_2! },
 *   { id: 'k1', key: process.env.KEY_1! }] }); // k2 encrypts; k1 and k2 decrypt
 * const engine = await createEngine({ store, payloadCodecs: [codec] });
 */
export class EncryptionCodec implements PayloadCodec {
  readonly #keys = new Map<string, Buffer>();
  readonly #currentId: string;

  constructor(options: EncryptionCodecOptions) {
    if (options.keys.length === 0) throw invalid('the encryption codec needs at least one key');
    for (const k of options.keys) {
      if (k.id === '' || /[\s,:]/.test(k.id)) {
        throw invalid(
          `encryption key id ${JSON.stringify(k.id)} must be non-empty without spaces, commas or colons`,
        );
      }
      if (this.#keys.has(k.id))
        throw invalid(`encryption key id ${JSON.stringify(k.id)} is listed twice`);
      this.#keys.set(k.id, keyBytes(k));
    }
    this.#currentId = options.currentKeyId ?? options.keys[0]!.id;
    if (!this.#keys.has(this.#currentId)) {
      throw invalid(`currentKeyId ${JSON.stringify(this.#currentId)} is not one of the keys`, {
        keyId: this.#currentId,
      });
    }
  }

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.#currentId;
  }

  encode(payload: Payload): Payload {
    if (payload.encoding === ENCODING_ENCRYPTED) return payload;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#currentId)!, iv);
    const body = Buffer.concat([cipher.update(innerPayload(payload)), cipher.final()]);
    const data = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    return {
      encoding: ENCODING_ENCRYPTED,
      data,
      metadata: { [ENCRYPTION_KEY_ID]: this.#currentId },
    };
  }

  decode(payload: Payload): Payload {
    if (payload.encoding !== ENCODING_ENCRYPTED) return payload;
    const keyId = payload.metadata?.[ENCRYPTION_KEY_ID] ?? '';
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new AionError(
        'codec_error',
        `cannot decrypt payload: it was encrypted with key ${JSON.stringify(keyId)}, which is not configured here; add that key (AION_ENCRYPTION_KEYS or the encryption codec's keys) to read it`,
        { keyId, reason: 'unknown_key' },
      );
    }
    const raw = Buffer.from(payload.data, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES)
      throw undecryptable(keyId, 'the ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw undecryptable(
        keyId,
        'authentication failed: the key material differs from the one that encrypted it, or the data was altered',
      );
    }
    return outerPayload(plain, ENCODING_ENCRYPTED);
  }
}

function undecryptable(keyId: string, why: string): AionError {
  return new AionError(
    'codec_error',
    `cannot decrypt payload encrypted with key ${JSON.stringify(keyId)}: ${why}`,
    { keyId, reason: 'decryption_failed' },
  );
}

/**
 * Parses a key list as `AION_ENCRYPTION_KEYS` holds it: `id:base64key[,id:base64key…]`. The
 * first key encrypts; all of them decrypt. Key material never appears in the error messages.
 */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const colon = part.indexOf(':');
    if (colon <= 0) {
      throw invalid(
        `encryption keys must be listed as id:base64key separated by commas; entry ${keys.length + 1} has no id`,
      );
    }
    keys.push({ id: part.slice(0, colon), key: part.slice(colon + 1) });
  }
  if (keys.length === 0) throw invalid('the encryption key list is empty');
  return keys;
}
