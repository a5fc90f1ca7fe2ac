import { describe, expect, it } from 'vitest';
import { nextFireTimes } from './next-fire-times.js';
import type { CalendarSpec } from './types.js';

const AFTER = new Date('2026-01-01T00:00:00Z'); // a Thursday

function fires(calendars: CalendarSpec[], count = 4, after = AFTER): string[] {
  return nextFireTimes({ calendars }, after, count).map((d) => d.toISOString());
}

function refusal(calendars: CalendarSpec[]): string {
  try {
    nextFireTimes({ calendars }, AFTER, 1);
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_argument' });
    return (error as Error).message;
  }
  throw new Error('expected the spec to be refused');
}

describe('calendar specs', () => {
  it('defaults second, minute and hour to 0 and the other fields to every value', () => {
    expect(fires([{}], 2)).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
  });

  it('accepts ranges with steps, lists and "*"', () => {
    expect(
      fires([{ hour: { start: 8, end: 20, step: 6 }, minute: [0, { start: 30 }] }], 5),
    ).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T08:30:00.000Z',
      '2026-01-01T14:00:00.000Z',
      '2026-01-01T14:30:00.000Z',
      '2026-01-01T20:00:00.000Z',
    ]);
    expect(fires([{ hour: '*', minute: 15 }], 2)).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T01:15:00.000Z',
    ]);
  });

  it('accepts month and day names, and requires every field to match', () => {
    // Mondays in February that are also in the first week: 2026-02-02.
    expect(
      fires(
        [{ month: 'FEBRUARY', dayOfWeek: 'MONDAY', dayOfMonth: { start: 1, end: 7 }, hour: 9 }],
        2,
      ),
    ).toEqual(['2026-02-02T09:00:00.000Z', '2027-02-01T09:00:00.000Z']);
  });

  it('restricts years and stops after the last one', () => {
    expect(fires([{ year: [2026, 2028], month: 12, dayOfMonth: 25 }], 3)).toEqual([
      '2026-12-25T00:00:00.000Z',
      '2028-12-25T00:00:00.000Z',
    ]);
  });

  it('skips months without the day and never fires for an impossible date', () => {
    expect(fires([{ dayOfMonth: 31, hour: 12 }], 3)).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
      '2026-05-31T12:00:00.000Z',
    ]);
    expect(fires([{ month: 2, dayOfMonth: 29 }], 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
    expect(fires([{ month: 'FEBRUARY', dayOfMonth: 30 }])).toEqual([]);
  });

  it('names the field and the value it refuses', () => {
    expect(refusal([{ hour: 24 }])).toBe(
      'spec.calendars[0].hour: 24 is out of range for hours (0–23)',
    );
    expect(refusal([{}, { minute: [1, { start: 5, end: 60 }] }])).toBe(
      'spec.calendars[1].minute[1]: 60 is out of range for minutes (0–59)',
    );
    expect(refusal([{ month: 'SMARCH' as never }])).toBe(
      'spec.calendars[0].month: "SMARCH" is not a name of months',
    );
    expect(refusal([{ hour: { start: 5, end: 2 } }])).toBe(
      'spec.calendars[0].hour: end 2 is before start 5',
    );
    expect(refusal([{ hour: { start: 1, step: 0 } }])).toMatch(/step 0 must be a positive integer/);
    expect(refusal([{ second: [] }])).toMatch(/^spec\.calendars\[0\]\.second: an empty list/);
    expect(refusal([{ dayOfWeek: 7 }])).toMatch(/7 is out of range for days of week \(0–6\)/);
    expect(refusal([{ minute: 1.5 }])).toMatch(/1\.5 is out of range for minutes/);
  });
});
