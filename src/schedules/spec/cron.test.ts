import { describe, expect, it } from 'vitest';
import { nextFireTimes } from './next-fire-times.js';
import type { ScheduleSpec } from './types.js';

const AFTER = new Date('2026-01-01T00:00:00Z'); // a Thursday

function fires(spec: ScheduleSpec, count = 5, after = AFTER): string[] {
  return nextFireTimes(spec, after, count).map((d) => d.toISOString());
}

function invalid(spec: ScheduleSpec): string {
  try {
    nextFireTimes(spec, AFTER, 1);
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_argument' });
    return (error as Error).message;
  }
  throw new Error('expected the spec to be refused');
}

describe('cron expressions', () => {
  it('reads 5 fields minute first, firing strictly after the given time', () => {
    expect(fires({ cronExpressions: ['*/20 * * * *'] }, 4)).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T01:20:00.000Z',
    ]);
  });

  it('reads 6 fields seconds first', () => {
    expect(fires({ cronExpressions: ['15,45 0 12 * * *'] }, 3)).toEqual([
      '2026-01-01T12:00:15.000Z',
      '2026-01-01T12:00:45.000Z',
      '2026-01-02T12:00:15.000Z',
    ]);
  });

  it('accepts ranges, steps, lists and names', () => {
    expect(fires({ cronExpressions: ['0 9-17/4 * JAN MON-FRI'] }, 4)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T13:00:00.000Z',
      '2026-01-01T17:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
    ]);
    expect(fires({ cronExpressions: ['30 6 1,15 * *'] }, 3)).toEqual([
      '2026-01-01T06:30:00.000Z',
      '2026-01-15T06:30:00.000Z',
      '2026-02-01T06:30:00.000Z',
    ]);
  });

  it.each([
    ['@yearly', ['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']],
    ['@monthly', ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']],
    ['@weekly', ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']],
    ['@daily', ['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']],
    ['@hourly', ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']],
  ])('knows the alias %s', (alias, expected) => {
    expect(fires({ cronExpressions: [alias] }, 2)).toEqual(expected);
  });

  it('fires on a day matching either day of month or day of week when both are restricted', () => {
    // The 13th, or any Friday (Jan 2, 9, 13, 16).
    expect(fires({ cronExpressions: ['0 0 13 * FRI'] }, 4)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
      '2026-01-16T00:00:00.000Z',
    ]);
  });

  it('treats 7 as Sunday', () => {
    expect(fires({ cronExpressions: ['0 0 * * 7'] }, 1)).toEqual(['2026-01-04T00:00:00.000Z']);
  });

  it('names the expression and the out-of-range token', () => {
    expect(invalid({ cronExpressions: ['0 * * * *', '61 * * * *'] })).toBe(
      'spec.cronExpressions[1]: "61" is out of range for minutes (0–59)',
    );
    expect(invalid({ cronExpressions: ['0 0 24 * * *'] })).toBe(
      'spec.cronExpressions[0]: "24" is out of range for hours (0–23)',
    );
    expect(invalid({ cronExpressions: ['0 0 1 13 *'] })).toMatch(
      /"13" is out of range for months \(1–12\)/,
    );
  });

  it('refuses the wrong number of fields', () => {
    expect(invalid({ cronExpressions: ['* * * *'] })).toMatch(
      /^spec\.cronExpressions\[0\]: "\* \* \* \*" has 4 fields; use 5/,
    );
  });

  it.each(['0 0 L * *', '0 0 * * 5L', '0 0 * * 1#2', '0 0 15W * *', 'H 0 * * *'])(
    'refuses the unsupported modifier in %s',
    (expr) => {
      expect(invalid({ cronExpressions: [expr] })).toMatch(/uses L, W, # or H/);
    },
  );

  it('reports what the parser refused', () => {
    expect(invalid({ cronExpressions: ['1-x * * * *'] })).toMatch(
      /^spec\.cronExpressions\[0\]: cannot parse "1-x \* \* \* \*"/,
    );
    expect(invalid({ cronExpressions: ['*/0 * * * *'] })).toMatch(/"0" is not a valid step/);
    expect(invalid({ cronExpressions: ['@fortnightly'] })).toMatch(/cannot parse "@fortnightly"/);
    expect(invalid({ cronExpressions: [''] })).toMatch(/non-empty string/);
  });
});
