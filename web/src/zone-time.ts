// Wall-clock times in an IANA time zone: instants shown as a zone's clock shows them, and a
// wall time typed for a zone (a `datetime-local` value) read as the instant it names there.

/** `2026-01-01 04:00:00` as the wall clock of `zone` shows `at`; `—` for a bad zone or time. */
export function inZone(at: string | number | Date, zone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }).format(new Date(at));
  } catch {
    return '—';
  }
}

/** True when the browser knows `zone` as an IANA time zone. */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `at` as a `datetime-local` value (`2026-01-01T04:00:00`) on the wall clock of `zone`. */
export function wallValue(at: string | number | Date, zone: string): string {
  const w = wallMs(new Date(at).getTime(), zone);
  return w === undefined ? '' : new Date(w).toISOString().slice(0, 19);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at `ms`, read as if it were UTC (ms, whole seconds). */
function wallMs(ms: number, zone: string): number | undefined {
  let f = formats.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return undefined;
    }
    formats.set(zone, f);
  }
  if (Number.isNaN(ms)) return undefined;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = p;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const DAY = 86_400_000;

/** What a wall time typed for a zone names. */
export interface ZonedInstant {
  /** ISO 8601 (UTC). */
  readonly iso: string;
  /**
   * `gap`: the wall time does not exist there (clocks jump forward over it); the instant is as
   * far past the jump as the time was. `repeated`: it occurs twice (clocks fall back); the
   * first is taken.
   */
  readonly note?: 'gap' | 'repeated';
}

/** A `datetime-local` value read on the wall clock of `zone`; undefined if not a time. */
export function zonedInstant(value: string, zone: string): ZonedInstant | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const target = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6));
  const before = wallMs(target - DAY, zone);
  const after = wallMs(target + DAY, zone);
  if (before === undefined || after === undefined) return undefined;
  // The zone's offsets a day either side: the wall time is one of them, or in the jump between.
  const offsets = [...new Set([before - (target - DAY), after - (target + DAY)])];
  const matches = offsets
    .map((o) => target - o)
    .filter((at) => wallMs(at, zone) === target)
    .sort((a, b) => a - b);
  if (matches.length > 0)
    return {
      iso: new Date(matches[0]!).toISOString(),
      ...(matches.length > 1 ? { note: 'repeated' as const } : {}),
    };
  return { iso: new Date(target - offsets[0]!).toISOString(), note: 'gap' };
}
