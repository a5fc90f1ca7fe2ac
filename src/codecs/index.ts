// Payload codecs shipped with Aion: encryption (AES-256-GCM with key ids) and compression.
export {
  EncryptionCodec,
  parseEncryptionKeys,
  ENCODING_ENCRYPTED,
  ENCRYPTION_KEY_ID,
  type EncryptionKey,
  type EncryptionCodecOptions,
} from './encryption.js';
export {
  CompressionCodec,
  ENCODING_COMPRESSED,
  type CompressionCodecOptions,
} from './compression.js';
export { encodePayloads, decodePayloads, type EncodeOptions } from './walk.js';
export { ENCODED_FAILURE_MESSAGE } from './failure-attributes.js';
export { encodeValue, decodeValue, mapTaskValues } from './value.js';
