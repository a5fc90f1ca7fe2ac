import type { CalendarMatcher } from './calendar-fields.js';
import { daysInMonth, weekday, type WallTime } from './wall-time.js';

/**
 * Years searched past the starting one. The Gregorian calendar repeats every 400 years, so a
 * matcher without a year restriction that matches nothing in that span matches nothing ever.
 */
const HORIZON_YEARS = 400;

/** The first wall time at or after `from` that the matcher accepts, or undefined. */
export function nextMatchingWall(m: CalendarMatcher, from: WallTime): WallTime | undefined {
  for (const year of yearsFrom(m, from.year)) {
    const firstYear = year === from.year;
    for (const month of m.month) {
      if (firstYear && month < from.month) continue;
      const firstMonth = firstYear && month === from.month;
      const last = daysInMonth(year, month);
      for (const day of m.dayOfMonth) {
        if (day > last) break;
        if (firstMonth && day < from.day) continue;
        if (!m.dayOfWeek.includes(weekday(year, month, day))) continue;
        const time = nextTime(m, firstMonth && day === from.day ? from : undefined);
        if (time) return { year, month, day, ...time };
      }
    }
  }
  return undefined;
}

function yearsFrom(m: CalendarMatcher, start: number): number[] {
  if (m.year) return m.year.filter((y) => y >= start);
  return Array.from({ length: HORIZON_YEARS + 1 }, (_, i) => start + i);
}

type TimeOfDay = Pick<WallTime, 'hour' | 'minute' | 'second'>;

/** The first accepted time of day at or after `from` (any time of day when undefined). */
function nextTime(m: CalendarMatcher, from: TimeOfDay | undefined): TimeOfDay | undefined {
  for (const hour of m.hour) {
    if (from && hour < from.hour) continue;
    const firstHour = from !== undefined && hour === from.hour;
    for (const minute of m.minute) {
      if (firstHour && minute < from.minute) continue;
      const firstMinute = firstHour && minute === from.minute;
      const second = m.second.find((s) => !firstMinute || s >= from.second);
      if (second !== undefined) return { hour, minute, second };
    }
  }
  return undefined;
}

/** Whether the matcher accepts a wall time. */
export function wallMatches(m: CalendarMatcher, w: WallTime): boolean {
  return (
    m.second.includes(w.second) &&
    m.minute.includes(w.minute) &&
    m.hour.includes(w.hour) &&
    m.dayOfMonth.includes(w.day) &&
    m.month.includes(w.month) &&
    m.dayOfWeek.includes(weekday(w.year, w.month, w.day)) &&
    (m.year === undefined || m.year.includes(w.year))
  );
}
