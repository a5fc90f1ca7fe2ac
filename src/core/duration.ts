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

export function parseDuration(value: Duration, what = 'duration'): number {
  let msValue: number | undefined;
  if (typeof value === 'number') msValue = value;
  else if (typeof value === 'string') msValue = msOf(value.trim());
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
