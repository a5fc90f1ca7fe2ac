// The payload codecs `aion server` configures on its engine: compression (when a threshold is
// set), then encryption (when keys are set). See docs/data-protection.md.
import type { FastifyRequest } from 'fastify';
import { AionError, isAionError, type PayloadCodec } from '../core/index.js';
import {
  CompressionCodec,
  decodePayloads,
  EncryptionCodec,
  parseEncryptionKeys,
} from '../codecs/index.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';

/** The codecs `config` asks for, in encoding order; none by default. */
export function payloadCodecsOf(
  config: Pick<ServerConfig, 'encryptionKeys' | 'payloadCompressionThreshold'>,
): PayloadCodec[] {
  const codecs: PayloadCodec[] = [];
  if (config.payloadCompressionThreshold !== undefined) {
    codecs.push(new CompressionCodec({ thresholdBytes: config.payloadCompressionThreshold }));
  }
  if (config.encryptionKeys !== undefined) {
    try {
      codecs.push(new EncryptionCodec({ keys: parseEncryptionKeys(config.encryptionKeys) }));
    } catch (err) {
      // The message never holds key material; say where the keys came from.
      if (!isAionError(err)) throw err;
      throw new AionError(
        'invalid_argument',
        `encryptionKeys (AION_ENCRYPTION_KEYS or the config file): ${err.message}`,
        { key: 'encryptionKeys' },
      );
    }
  }
  return codecs;
}

/**
 * Whether a history read asks for decoded payloads (`decode=true`). Decoding needs the
 * `operator` or `admin` role: readers see payloads as the store holds them.
 */
export function decodeRequested(
  ctx: ServerContext,
  request: FastifyRequest,
  value: string | undefined,
  action: string,
): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value !== 'true' && value !== '1') {
    throw new AionError(
      'invalid_argument',
      `decode must be true or false, got ${JSON.stringify(value)}`,
      {
        field: 'decode',
      },
    );
  }
  ctx.authorize(request, 'write', `${action}.decode`);
  return true;
}

/** `events` (as the store holds them) decoded with the engine's codecs when `decode`. */
export function storedForReader<T>(ctx: ServerContext, events: T, decode: boolean): T {
  return decode ? decodePayloads(events, ctx.engine.payloadCodecs) : events;
}
