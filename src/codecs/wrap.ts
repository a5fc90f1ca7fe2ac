// The inner payload a wrapping codec (encryption, compression) transforms: the whole payload
// as JSON bytes, so its encoding and metadata are hidden and restored too.
import { AionError, type Payload } from '../core/index.js';

export function innerPayload(payload: Payload): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function outerPayload(bytes: Buffer, encoding: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    value = undefined;
  }
  const p = value as Partial<Payload> | undefined;
  if (typeof p?.encoding !== 'string' || typeof p.data !== 'string') {
    throw new AionError('codec_error', `a ${encoding} payload does not hold a payload`, {
      encoding,
      reason: 'malformed',
    });
  }
  return p as Payload;
}
