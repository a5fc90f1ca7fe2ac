import { AionError } from './errors.js';

/** Size limits enforced at every edge. All fields are optional overrides of {@link DEFAULT_LIMITS}. */
export interface Limits {
  /** Maximum encoded size of one payload in bytes (UTF-8 of the encoded data). Default 2 MiB. */
  readonly maxPayloadBytes: number;
  /** Maximum number of events in one run's history. Default 51,200. */
  readonly maxHistoryLength: number;
}

/**
 * Defaults match Temporal's hard limits (2 MiB per payload, 51,200 events per run): generous
 * enough for real workflows while keeping a run cheap to replay. Long-lived workflows should
 * `continueAsNew` well before the history limit.
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxPayloadBytes: 2 * 1024 * 1024,
  maxHistoryLength: 51_200,
});

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new AionError(
        'invalid_argument',
        `limit ${key} must be a positive integer, got ${String(value)}`,
        {
          field: key,
        },
      );
    }
  }
  return Object.freeze(limits);
}

const encoder = new TextEncoder();

/** UTF-8 byte length of a string without allocating for the common small case. */
export function utf8Length(text: string): number {
  // Every UTF-16 unit encodes to at most 3 UTF-8 bytes; ASCII-only strings are exact.
  if (text.length < 256) {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    }
    return bytes;
  }
  return encoder.encode(text).length;
}

export function checkPayloadSize(bytes: number, limits: Limits, what: string): void {
  if (bytes > limits.maxPayloadBytes) {
    throw new AionError(
      'payload_too_large',
      `${what} is ${bytes} bytes, over the limit of ${limits.maxPayloadBytes} bytes; store large data elsewhere and pass a reference, or raise limits.maxPayloadBytes`,
      { bytes, limit: limits.maxPayloadBytes, what },
    );
  }
}

export function checkHistoryLength(length: number, limits: Limits, runId: string): void {
  if (length > limits.maxHistoryLength) {
    throw new AionError(
      'history_too_large',
      `run ${runId} would reach ${length} events, over the limit of ${limits.maxHistoryLength}; use continueAsNew to start a fresh history, or raise limits.maxHistoryLength`,
      { runId, length, limit: limits.maxHistoryLength },
    );
  }
}
