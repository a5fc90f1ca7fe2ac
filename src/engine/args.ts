// Encoding of call arguments at the engine's edge (the engine's converter, size-checked) and
// decoding of query results.
import type { DataConverter, Payload } from '../core/index.js';

/** Encodes call arguments with the engine's converter, each checked against the size limit. */
export function encodeArgs(
  converter: DataConverter,
  args: readonly unknown[],
  what: string,
): Payload[] {
  return converter.encodeArgs(args, what);
}

/** Decodes a query result with the engine's converter. */
export function decodeResult(converter: DataConverter, p: Payload): unknown {
  return converter.decode(p);
}
