import ms from 'ms';
import { AionError } from './errors.js';

/** A duration: milliseconds, or a string such as `'30s'`, `'5 minutes'`, `'1 day'` (the `ms` format). */
export type Duration = number | string;

/** Longest accepted duration: 100 years. */
export const MAX_DURATION_MS = 100 * 365.25 * 24 * 3600 * 1000;

/**
 * Parses a duration to whole milliseconds. Throws `invalid_argument` naming `what` for
 * negative, non-finite, unparseable or over-long values.
 */
/** `ms`'s reading of a string, or undefined: it throws on an empty or over-long string. */
function msOf(text: string): number | undefined {
  try {
    return ms(text as ms.StringValue);
  } catch {
    return undefined;
  }
}

/**
 * Strings already read (a workflow passes the same few, e.g. its activities' timeouts, on
 * every call; reading one takes a regular expression). Bounded: cleared when full.
 */
const parsed = new Map<string, number>();
const PARSED_MAX = 256;

function readString(text: string): number | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const value = msOf(text.trim());
  if (value === undefined || !Number.isFinite(value)) return value;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, value);
  return value;
}

export function parseDuration(value: Duration, what = 'duration'): number {
  let msValue: number | undefined;
  if (typeof value === 'number') msValue = value;
  else if (typeof value === 'string') msValue = readString(value);
  if (
    typeof msValue !== 'number' ||
    !Number.isFinite(msValue) ||
    msValue < 0 ||
    msValue > MAX_DURATION_MS
  ) {
    throw new AionError(
      'invalid_argument',
      `invalid ${what} ${JSON.stringify(value)}: use milliseconds (a non-negative number) or a string like '30s', '5 minutes', '1 day' (at most 100 years)`,
      { field: what },
    );
  }
  return Math.ceil(msValue);
}

export function optionalDuration(value: Duration | undefined, what: string): number | undefined {
  return value === undefined ? undefined : parseDuration(value, what);
}
