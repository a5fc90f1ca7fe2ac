import { base64ToBytes, bytesToBase64 } from './base64.js';
import { AionError } from './errors.js';
import { checkPayloadSize, DEFAULT_LIMITS, utf8Length, type Limits } from './limits.js';

/**
 * An encoded value as recorded in history and sent on the wire. `data` is opaque text
 * (JSON text for the default converter, base64 for binary codecs); stores keep it verbatim.
 */
export interface Payload {
  readonly encoding: string;
  readonly data: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Converts values to payloads and back. */
export interface PayloadConverter {
  toPayload(value: unknown): Payload;
  fromPayload(payload: Payload): unknown;
}

/**
 * Transforms encoded payloads (compression, encryption). Codecs run after the converter on
 * encode, in order, and in reverse order on decode.
 */
export interface PayloadCodec {
  encode(payload: Payload): Payload;
  decode(payload: Payload): Payload;
}

export const ENCODING_JSON = 'json/plain';
export const ENCODING_UNDEFINED = 'binary/null';
/** A top-level `Uint8Array` (or `Buffer`): its bytes as base64 text, as Temporal's `binary/plain`. */
export const ENCODING_BINARY = 'binary/plain';
/**
 * Metadata key set on a payload that the configured codecs could not decode (unknown or wrong
 * key, corrupt data): it holds the reason, and converting the payload fails with it.
 */
export const CODEC_ERROR_METADATA = 'aion-codec-error';

function describePath(path: readonly string[]): string {
  return path.length === 0 ? 'the value' : `value at ${path.join('.')}`;
}

function refuse(reason: string, path: readonly string[]): never {
  throw new AionError(
    'codec_error',
    `cannot encode ${describePath(path)} as JSON: ${reason}; convert it to plain JSON data or configure a custom payload converter`,
    { path: path.join('.') },
  );
}

function checkJsonValue(value: unknown, path: string[], seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(`${String(value)} is not a finite number`, path);
      return;
    case 'bigint':
      refuse('BigInt does not round-trip through JSON', path);
      break;
    case 'function':
      refuse('functions cannot be serialized', path);
      break;
    case 'symbol':
      refuse('symbols cannot be serialized', path);
      break;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) refuse('the structure is cyclic', path);
      if (
        value instanceof Map ||
        value instanceof Set ||
        value instanceof WeakMap ||
        value instanceof WeakSet
      ) {
        refuse(
          `${value.constructor.name} does not round-trip through JSON (use an array or object)`,
          path,
        );
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return; // e.g. Date → ISO string
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(String(i));
          checkJsonValue(value[i], path, seen);
          path.pop();
        }
      } else {
        for (const key of Object.keys(value)) {
          path.push(key);
          checkJsonValue((value as Record<string, unknown>)[key], path, seen);
          path.pop();
        }
      }
      seen.delete(value);
    }
  }
}

/** True for a `Uint8Array` of any realm (the sandbox's or the host's), `Buffer` included. */
function isBytes(value: unknown): value is Uint8Array {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]')
  );
}

/**
 * The default converter: JSON text. It refuses values that would not come back equal
 * (BigInt, functions, symbols, cyclic structures, NaN/Infinity, Map/Set) instead of silently
 * losing data. A top-level `undefined` and a top-level `Uint8Array` (`binary/plain`, base64)
 * round-trip, as with Temporal's default converter. Two conversions are deliberate and match
 * Temporal's JSON converter, so ported code sees the same values: a `Date` becomes its ISO
 * string and object properties that are `undefined` are dropped (docs/workflows.md, Payloads).
 */
export class JsonPayloadConverter implements PayloadConverter {
  toPayload(value: unknown): Payload {
    if (value === undefined) return { encoding: ENCODING_UNDEFINED, data: '' };
    if (isBytes(value)) return { encoding: ENCODING_BINARY, data: bytesToBase64(value) };
    let data: string;
    try {
      data = JSON.stringify(value);
    } catch {
      checkJsonValue(value, [], new Set());
      refuse('JSON.stringify failed', []);
    }
    // JSON.stringify drops functions/symbols and maps NaN to null silently; a scan is needed
    // only for objects (primitives were validated by stringify or are checked here).
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) checkJsonValue(value, [], new Set());
    } else if (
      typeof value === 'object' ||
      typeof value === 'function' ||
      typeof value === 'symbol'
    ) {
      checkJsonValue(value, [], new Set());
    }
    return { encoding: ENCODING_JSON, data };
  }

  fromPayload(payload: Payload): unknown {
    const codecError = payload.metadata?.[CODEC_ERROR_METADATA];
    if (codecError !== undefined) {
      throw new AionError('codec_error', codecError, { encoding: payload.encoding });
    }
    if (payload.encoding === ENCODING_UNDEFINED) return undefined;
    if (payload.encoding === ENCODING_BINARY) return base64ToBytes(payload.data);
    if (payload.encoding !== ENCODING_JSON) {
      throw new AionError(
        'codec_error',
        `cannot decode payload with encoding ${JSON.stringify(payload.encoding)}: the JSON converter reads only ${ENCODING_JSON} (and ${ENCODING_BINARY}); configure the codec that wrote it`,
        { encoding: payload.encoding },
      );
    }
    try {
      return JSON.parse(payload.data) as unknown;
    } catch (err) {
      throw new AionError(
        'codec_error',
        `payload is not valid JSON: ${(err as Error).message}`,
        {},
      );
    }
  }
}

export interface DataConverterOptions {
  readonly payloadConverter?: PayloadConverter;
  readonly payloadCodecs?: readonly PayloadCodec[];
  readonly limits?: Limits;
}

/** Converter + codec chain + size limit: the one object the engine uses to encode values. */
export class DataConverter {
  readonly #converter: PayloadConverter;
  readonly #codecs: readonly PayloadCodec[];
  readonly #limits: Limits;

  constructor(options: DataConverterOptions = {}) {
    this.#converter = options.payloadConverter ?? new JsonPayloadConverter();
    this.#codecs = options.payloadCodecs ?? [];
    this.#limits = options.limits ?? DEFAULT_LIMITS;
  }

  /** Encodes a value; throws `codec_error` or `payload_too_large` (naming `what`) on failure. */
  encode(value: unknown, what = 'payload'): Payload {
    let payload = this.#converter.toPayload(value);
    for (const codec of this.#codecs) payload = codec.encode(payload);
    checkPayloadSize(payloadSize(payload), this.#limits, what);
    return payload;
  }

  decode(payload: Payload): unknown {
    let p = payload;
    for (let i = this.#codecs.length - 1; i >= 0; i--) p = this.#codecs[i]!.decode(p);
    return this.#converter.fromPayload(p);
  }

  encodeArgs(args: readonly unknown[], what = 'arguments'): Payload[] {
    return args.map((arg, i) => this.encode(arg, `${what}[${i}]`));
  }

  decodeArgs(payloads: readonly Payload[]): unknown[] {
    return payloads.map((p) => this.decode(p));
  }
}

export function payloadSize(payload: Payload): number {
  return utf8Length(payload.data);
}

export function isPayload(value: unknown): value is Payload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Payload).encoding === 'string' &&
    typeof (value as Payload).data === 'string'
  );
}
