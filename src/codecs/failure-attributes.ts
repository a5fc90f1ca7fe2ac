// Failure messages and stack traces as payloads (opt-in, like Temporal's
// encodeCommonAttributes): the message becomes "Encoded failure" and the real message and
// stack move into `encodedAttributes`, a payload the codecs then encode like any other.
import { CODEC_ERROR_METADATA, isFailure, isPayload, JsonPayloadConverter } from '../core/index.js';

/** The message a failure carries while its real one is encoded. */
export const ENCODED_FAILURE_MESSAGE = 'Encoded failure';

const json = new JsonPayloadConverter();

/** `obj` with its message and stack moved into `encodedAttributes`, when it is a failure. */
export function hideFailureAttributes(obj: Record<string, unknown>): Record<string, unknown> {
  if (!isFailure(obj) || obj.encodedAttributes !== undefined) return obj;
  const { message, stack, ...rest } = obj as Record<string, unknown>;
  const attributes = typeof stack === 'string' ? { message, stack } : { message };
  return {
    ...rest,
    message: ENCODED_FAILURE_MESSAGE,
    encodedAttributes: json.toPayload(attributes),
  };
}

/**
 * `obj` with its message and stack back from a decoded `encodedAttributes`; as it is when that
 * payload did not decode (the failure then reads "Encoded failure").
 */
export function restoreFailureAttributes(obj: Record<string, unknown>): Record<string, unknown> {
  const encoded = obj.encodedAttributes;
  if (!isFailure(obj) || !isPayload(encoded)) return obj;
  if (encoded.metadata?.[CODEC_ERROR_METADATA] !== undefined) return obj;
  let attributes: { message?: unknown; stack?: unknown };
  try {
    attributes = json.fromPayload(encoded) as typeof attributes;
  } catch {
    return obj;
  }
  const { encodedAttributes: _encoded, stack: _stack, ...rest } = obj as Record<string, unknown>;
  return {
    ...rest,
    message: typeof attributes.message === 'string' ? attributes.message : ENCODED_FAILURE_MESSAGE,
    ...(typeof attributes.stack === 'string' ? { stack: attributes.stack } : {}),
  };
}
