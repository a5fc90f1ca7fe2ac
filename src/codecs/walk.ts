// Applying a codec chain to every payload inside a value (events, task rows, run records): any
// plain object with string `encoding` and `data` is a payload.
import { CODEC_ERROR_METADATA, isPayload, type Payload, type PayloadCodec } from '../core/index.js';
import { hideFailureAttributes, restoreFailureAttributes } from './failure-attributes.js';

/** What a walk does: to each payload, and to each other plain object before and after its fields. */
interface Walk {
  readonly payload: (p: Payload) => Payload;
  readonly before?: (obj: Record<string, unknown>) => Record<string, unknown>;
  readonly after?: (obj: Record<string, unknown>) => Record<string, unknown>;
}

export interface EncodeOptions {
  /** Also move failure messages and stack traces into encoded payloads. Default false. */
  readonly failureAttributes?: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Row fields the engine fills with its own JSON text (outbox and timer `data`, task `options`). */
const EMBEDDED_JSON = new Set(['data', 'options']);

function mapEmbedded(text: string, fn: Walk): string {
  if (!text.startsWith('{') && !text.startsWith('[')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const mapped = mapPayloads(parsed, fn);
  return mapped === parsed ? text : JSON.stringify(mapped);
}

function mapPayloads(value: unknown, fn: Walk): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const m = mapPayloads(v, fn);
      if (m !== v) (out ??= value.slice())[i] = m;
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  if (isPayload(value)) return fn.payload(value);
  const obj = fn.before ? fn.before(value) : value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const m =
      typeof v === 'string' && EMBEDDED_JSON.has(key) ? mapEmbedded(v, fn) : mapPayloads(v, fn);
    if (m !== v) (out ??= { ...obj })[key] = m;
  }
  const mapped = out ?? obj;
  return fn.after ? fn.after(mapped) : mapped;
}

function withoutMarker(p: Payload): Payload {
  const { [CODEC_ERROR_METADATA]: _marker, ...rest } = p.metadata ?? {};
  return Object.keys(rest).length > 0
    ? { ...p, metadata: rest }
    : { encoding: p.encoding, data: p.data };
}

/**
 * Encodes every payload in `value` with `codecs` (in order); returns `value` itself when it
 * holds none. A payload that came back undecodable (marked by `decodePayloads`) is written
 * back exactly as it was read.
 */
export function encodePayloads<T>(
  value: T,
  codecs: readonly PayloadCodec[],
  options: EncodeOptions = {},
): T {
  if (codecs.length === 0) return value;
  return mapPayloads(value, {
    payload: (p) => {
      if (p.metadata?.[CODEC_ERROR_METADATA] !== undefined) return withoutMarker(p);
      let out = p;
      for (const codec of codecs) out = codec.encode(out);
      return out;
    },
    ...(options.failureAttributes === true ? { before: hideFailureAttributes } : {}),
  }) as T;
}

/**
 * Decodes every payload in `value` with `codecs` (in reverse order). A payload that does not
 * decode (unknown key, wrong key, corrupt) stays as it was, marked with the reason in its
 * metadata (`aion-codec-error`): whoever converts it to a value gets a `codec_error` naming
 * the reason, and writing it back keeps the original bytes.
 */
export function decodePayloads<T>(value: T, codecs: readonly PayloadCodec[]): T {
  if (codecs.length === 0) return value;
  return mapPayloads(value, {
    payload: (p) => {
      let out = p;
      try {
        for (let i = codecs.length - 1; i >= 0; i--) out = codecs[i]!.decode(out);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { ...p, metadata: { ...p.metadata, [CODEC_ERROR_METADATA]: reason } };
      }
      return out;
    },
    // Encoded failure messages come back whether or not encoding them is still on.
    after: restoreFailureAttributes,
  }) as T;
}
