// Base64 (RFC 4648, padded) in plain JavaScript: the workflow sandbox has neither `Buffer` nor
// `atob`/`btoa`, and binary payloads are converted on both sides of it.
import { AionError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([...ALPHABET].map((c, i) => [c, i])),
);

/** The padded base64 text of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out +=
      b === undefined
        ? '=='
        : ALPHABET[(n >> 6) & 63]! + (c === undefined ? '=' : ALPHABET[n & 63]!);
  }
  return out;
}

/** The bytes of padded or unpadded base64 `text`; throws `codec_error` on other characters. */
export function base64ToBytes(text: string): Uint8Array {
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) throw invalid('its length is not a base64 length');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let j = 0;
  for (const ch of body) {
    const v = VALUES[ch];
    if (v === undefined) throw invalid(`it contains ${JSON.stringify(ch)}`);
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[j++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

function invalid(why: string): AionError {
  return new AionError('codec_error', `payload data is not base64: ${why}`, {});
}
