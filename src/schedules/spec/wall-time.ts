/** A wall-clock time in some time zone, to the second (month 1–12). */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall time read as if it were UTC, in milliseconds (for arithmetic on wall times). */
export function wallAsUtcMs(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The wall time whose UTC reading is `ms` (seconds floored). */
export function wallFromUtcMs(ms: number): WallTime {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

export function addSeconds(w: WallTime, seconds: number): WallTime {
  return wallFromUtcMs(wallAsUtcMs(w) + seconds * 1000);
}

export function daysInMonth(year: number, month: number): number {
  return wallFromUtcMs(
    wallAsUtcMs({ year, month: month + 1, day: 0, hour: 0, minute: 0, second: 0 }),
  ).day;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(year: number, month: number, day: number): number {
  return new Date(wallAsUtcMs({ year, month, day, hour: 0, minute: 0, second: 0 })).getUTCDay();
}
