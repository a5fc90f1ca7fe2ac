import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { compileCalendarSpec } from './calendar-spec.js';
import { nextFireTimes } from './next-fire-times.js';
import { ScheduleZone } from './time-zone.js';
import type { CalendarSpec } from './types.js';
import { wallMatches } from './wall-search.js';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function cronField(r: (n: number) => number, min: number, max: number): string {
  switch (r(4)) {
    case 0:
      return '*';
    case 1:
      return String(min + r(max - min + 1));
    case 2: {
      const a = min + r(max - min + 1);
      return `${a}-${a + r(max - a + 1)}/${1 + r(5)}`;
    }
    default: {
      const a = min + r(max - min + 1);
      const b = min + r(max - min + 1);
      return a === b ? String(a) : `${a},${b}`; // the parser refuses duplicates
    }
  }
}

function calendarField(r: (n: number) => number, min: number, max: number) {
  const start = min + r(max - min + 1);
  return r(3) === 0 ? '*' : { start, end: start + r(max - start + 1), step: 1 + r(4) };
}

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'];

describe('fire times of random specs', () => {
  it('agree with cron-parser on random cron expressions in UTC', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = random(seed);
      const expr = [
        cronField(r, 0, 59),
        cronField(r, 0, 23),
        cronField(r, 1, 28),
        cronField(r, 1, 12),
        cronField(r, 0, 6),
      ].join(' ');
      const after = new Date(Date.UTC(2020 + r(10), r(12), 1 + r(28), r(24), r(60)));
      const ours = nextFireTimes({ cronExpressions: [expr] }, after, 8).map((d) => d.toISOString());
      const theirs = CronExpressionParser.parse(expr, { currentDate: after, tz: 'UTC' })
        .take(8)
        .map((d) => d.toISOString());
      expect(ours, `seed ${seed}: ${expr} after ${after.toISOString()}`).toEqual(theirs);
    }
  });

  it('are strictly increasing, after the given time, and match the spec or close a gap', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = random(seed);
      const calendar: CalendarSpec = {
        second: calendarField(r, 0, 59),
        minute: calendarField(r, 0, 59),
        hour: calendarField(r, 0, 23),
        dayOfMonth: calendarField(r, 1, 31),
        month: calendarField(r, 1, 12),
      };
      const timezone = ZONES[r(ZONES.length)]!;
      const zone = new ScheduleZone(timezone);
      const matcher = compileCalendarSpec(calendar, 'calendar');
      const after = new Date(Date.UTC(2024 + r(4), r(12), 1 + r(28), r(24)));
      const times = nextFireTimes({ calendars: [calendar], timezone }, after, 20);
      const context = `seed ${seed}: ${JSON.stringify(calendar)} in ${timezone}`;
      expect(times.length, context).toBeGreaterThan(0);
      let previous = after.getTime();
      for (const t of times) {
        expect(t.getTime(), context).toBeGreaterThan(previous);
        previous = t.getTime();
        // A fire either is a matching wall time, or is the first instant after a gap (the
        // offset changes right there) standing in for a matching wall time inside it.
        const atGapEnd = zone.offsetAt(t.getTime() - 1) !== zone.offsetAt(t.getTime());
        expect(wallMatches(matcher, zone.wallAt(t.getTime())) || atGapEnd, context).toBe(true);
      }
    }
  });
});
