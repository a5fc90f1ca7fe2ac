// Encoding of call arguments at the engine's edge (JSON, size-checked) and decoding of
// query results.
import {
  checkPayloadSize,
  JsonPayloadConverter,
  payloadSize,
  type Limits,
  type Payload,
} from '../core/index.js';

const json = new JsonPayloadConverter();

/** Encodes call arguments as JSON payloads, each checked against the payload size limit. */
export function encodeArgs(args: readonly unknown[], limits: Limits, what: string): Payload[] {
  return args.map((a, i) => {
    const p = json.toPayload(a);
    checkPayloadSize(payloadSize(p), limits, `${what}[${i}]`);
    return p;
  });
}

/** Decodes a JSON payload (query results). */
export function decodeJson(p: Payload): unknown {
  return json.fromPayload(p);
}
