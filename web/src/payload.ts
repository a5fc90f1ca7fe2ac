// Payloads as people read them: JSON payloads parsed, empty ones as null, others (encrypted
// or binary) described. Applied through whole events for display.
import type { Payload } from './types.js';

function isPayload(v: unknown): v is Payload {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as Payload).encoding === 'string' &&
    Object.keys(v).every((k) => k === 'encoding' || k === 'data' || k === 'metadata')
  );
}

/** The value a payload carries, or a description of it when it cannot be read here. */
export function payloadValue(p: Payload): unknown {
  if (p.encoding === 'binary/null') return null;
  if (p.encoding === 'json/plain' && typeof p.data === 'string') {
    try {
      return JSON.parse(p.data) as unknown;
    } catch {
      return p.data;
    }
  }
  const size = typeof p.data === 'string' ? p.data.length : 0;
  return {
    [`<${p.encoding ?? 'payload'}>`]: `${size} characters (not decoded: the decoded history needs the operator role)`,
  };
}

/** `value` with every payload inside replaced by what it carries. */
export function readable(value: unknown): unknown {
  if (isPayload(value)) return payloadValue(value);
  if (Array.isArray(value)) return value.map(readable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
  return value;
}

/** The trace id of a W3C traceparent header (`00-<trace id>-<span id>-<flags>`), if any. */
export function traceIdOf(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const h = (headers as Record<string, unknown>)._traceparent;
  const v = isPayload(h) ? payloadValue(h) : h;
  if (typeof v !== 'string') return undefined;
  return /^[\da-f]{2}-([\da-f]{32})-/.exec(v)?.[1];
}
