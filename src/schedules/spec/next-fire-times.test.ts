import { describe, expect, it } from 'vitest';
import { compileScheduleSpec } from './compiled-spec.js';
import { nextFireTime, nextFireTimes } from './next-fire-times.js';
import type { ScheduleSpec } from './types.js';

const AFTER = new Date('2026-01-01T00:00:00Z');

function fires(spec: ScheduleSpec, count = 4, after = AFTER): string[] {
  return nextFireTimes(spec, after, count).map((d) => d.toISOString());
}

function refusal(spec: ScheduleSpec): string {
  try {
    compileScheduleSpec(spec);
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_argument' });
    return (error as Error).message;
  }
  throw new Error('expected the spec to be refused');
}

describe('intervals', () => {
  it('fire at multiples of every since the epoch, shifted by offset', () => {
    expect(fires({ intervals: [{ every: '10s', offset: '2s' }] }, 3)).toEqual([
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:12.000Z',
      '2026-01-01T00:00:22.000Z',
    ]);
    expect(fires({ intervals: [{ every: '1 day', offset: '6h' }] }, 2)).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-02T06:00:00.000Z',
    ]);
  });

  it('fire strictly after the given time', () => {
    expect(fires({ intervals: [{ every: 60_000 }] }, 1)).toEqual(['2026-01-01T00:01:00.000Z']);
  });

  it('refuse a zero period and an offset not shorter than every', () => {
    expect(refusal({ intervals: [{ every: 0 }] })).toBe(
      'spec.intervals[0].every: 0 must be longer than 0',
    );
    expect(refusal({ intervals: [{ every: '10s', offset: '10s' }] })).toMatch(
      /^spec\.intervals\[0\]\.offset: "10s" must be shorter than every/,
    );
    expect(refusal({ intervals: [{ every: 'soon' }] })).toMatch(
      /^spec\.intervals\[0\]\.every: "soon" is not a duration/,
    );
  });
});

describe('merged specs', () => {
  it('merge every spec in time order and fire a shared time once', () => {
    const spec: ScheduleSpec = {
      cronExpressions: ['0 * * * *'],
      calendars: [{ hour: 1, minute: 30 }],
      intervals: [{ every: '30m' }],
    };
    expect(fires(spec, 5)).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T02:30:00.000Z',
    ]);
  });

  it('never fire for an empty spec', () => {
    expect(fires({}, 3)).toEqual([]);
    expect(nextFireTime({}, AFTER)).toBeUndefined();
  });

  it('accept a compiled spec as well as a plain one', () => {
    const compiled = compileScheduleSpec({ cronExpressions: ['@hourly'] });
    expect(nextFireTime(compiled, AFTER)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });
});

describe('skip, startAt and endAt', () => {
  it('skip times matching an exclusion, in the schedule zone', () => {
    const spec: ScheduleSpec = {
      cronExpressions: ['0 9 * * *'],
      skip: [{ dayOfWeek: ['SATURDAY', 'SUNDAY'], hour: '*', minute: '*', second: '*' }],
    };
    expect(fires(spec, 3)).toEqual([
      '2026-01-01T09:00:00.000Z', // Thu
      '2026-01-02T09:00:00.000Z', // Fri
      '2026-01-05T09:00:00.000Z', // Mon
    ]);
    const berlin: ScheduleSpec = {
      cronExpressions: ['0 * * * *'],
      timezone: 'Europe/Berlin',
      skip: [{ hour: { start: 1, end: 2 }, minute: '*' }],
    };
    // 00:00 and 03:00 Berlin (UTC+1): 01:00 and 02:00 local are skipped.
    expect(fires(berlin, 2, new Date('2025-12-31T22:30:00Z'))).toEqual([
      '2025-12-31T23:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
  });

  it('step over a skipped day of a every-second spec as one stretch', () => {
    const spec: ScheduleSpec = {
      cronExpressions: ['* * * * * *'],
      skip: [{ dayOfMonth: { start: 1, end: 3 }, hour: '*', minute: '*', second: '*' }],
    };
    expect(fires(spec, 2, new Date('2025-12-31T23:59:58Z'))).toEqual([
      '2025-12-31T23:59:59.000Z',
      '2026-01-04T00:00:00.000Z',
    ]);
  });

  it('give up when every fire is skipped', () => {
    expect(fires({ cronExpressions: ['@daily'], skip: [{}] }, 1)).toEqual([]);
  });

  it('fire from startAt (inclusive) to endAt (inclusive)', () => {
    const spec: ScheduleSpec = {
      intervals: [{ every: '1h' }],
      startAt: new Date('2026-01-01T03:00:00Z'),
      endAt: new Date('2026-01-01T05:00:00Z'),
    };
    expect(fires(spec, 5)).toEqual([
      '2026-01-01T03:00:00.000Z',
      '2026-01-01T04:00:00.000Z',
      '2026-01-01T05:00:00.000Z',
    ]);
    expect(fires(spec, 5, new Date('2026-01-01T04:00:00Z'))).toEqual(['2026-01-01T05:00:00.000Z']);
  });

  it('refuse an end before the start and a bad date', () => {
    expect(
      refusal({
        startAt: new Date('2026-02-01T00:00:00Z'),
        endAt: new Date('2026-01-01T00:00:00Z'),
      }),
    ).toMatch(/^spec\.endAt: 2026-01-01T00:00:00\.000Z is before startAt/);
    expect(refusal({ startAt: new Date(Number.NaN) })).toMatch(
      /^spec\.startAt: .* is not a valid Date/,
    );
    expect(refusal({ jitter: 'a while' })).toMatch(/^spec\.jitter: "a while" is not a duration/);
  });
});
