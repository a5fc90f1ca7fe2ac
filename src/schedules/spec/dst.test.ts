import { describe, expect, it } from 'vitest';
import { nextFireTimes } from './next-fire-times.js';

function fires(
  timezone: string,
  spec: { cronExpressions?: string[] },
  after: string,
  count: number,
) {
  return nextFireTimes({ ...spec, timezone }, new Date(after), count).map((d) => d.toISOString());
}

// New York: 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
// Berlin:   2026-03-29 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
describe('daylight-saving transitions', () => {
  it('New York spring-forward: hourly fires once at the end of the gap', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['0 * * * *'] }, '2026-03-08T05:30:00Z', 4),
    ).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 02:00 does not exist → 03:00 EDT, and 03:00 EDT itself: one fire
      '2026-03-08T08:00:00.000Z', // 04:00 EDT
      '2026-03-08T09:00:00.000Z',
    ]);
  });

  it('New York spring-forward: daily at 02:30 fires at the first instant after the gap', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['30 2 * * *'] }, '2026-03-07T00:00:00Z', 3),
    ).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('New York fall-back: hourly fires once in the repeated hour, at its first occurrence', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['0 * * * *'] }, '2026-11-01T03:30:00Z', 4),
    ).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT (first occurrence; 01:00 EST is not fired)
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('New York fall-back: daily at 01:30 fires once, at the first occurrence', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['30 1 * * *'] }, '2026-10-31T00:00:00Z', 3),
    ).toEqual([
      '2026-10-31T05:30:00.000Z', // EDT
      '2026-11-01T05:30:00.000Z', // first 01:30 (EDT)
      '2026-11-02T06:30:00.000Z', // EST
    ]);
  });

  it('New York fall-back: asking from inside the second occurrence does not fire it again', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['30 1 * * *'] }, '2026-11-01T06:00:00Z', 1),
    ).toEqual(['2026-11-02T06:30:00.000Z']);
  });

  it('New York fall-back: every minute resumes after the repeated hour when asked from inside it', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['* * * * *'] }, '2026-11-01T06:10:00Z', 2),
    ).toEqual([
      '2026-11-01T07:00:00.000Z', // 02:00 EST; 01:11–01:59 EST repeat wall times already fired
      '2026-11-01T07:01:00.000Z',
    ]);
    expect(
      fires('America/New_York', { cronExpressions: ['* * * * *'] }, '2026-11-01T05:58:00Z', 2),
    ).toEqual([
      '2026-11-01T05:59:00.000Z', // 01:59 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('New York: daily at 02:30 across fall-back is unaffected', () => {
    expect(
      fires('America/New_York', { cronExpressions: ['30 2 * * *'] }, '2026-10-31T12:00:00Z', 2),
    ).toEqual(['2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z']);
  });

  it('Berlin spring-forward: hourly and daily at 02:30', () => {
    expect(
      fires('Europe/Berlin', { cronExpressions: ['0 * * * *'] }, '2026-03-28T23:30:00Z', 3),
    ).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 02:00 missing → 03:00 CEST, and 03:00 itself: one fire
      '2026-03-29T02:00:00.000Z', // 04:00 CEST
    ]);
    expect(
      fires('Europe/Berlin', { cronExpressions: ['30 2 * * *'] }, '2026-03-28T00:00:00Z', 3),
    ).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('Berlin fall-back: hourly and daily at 02:30 fire once, at the first occurrence', () => {
    expect(
      fires('Europe/Berlin', { cronExpressions: ['0 * * * *'] }, '2026-10-24T23:30:00Z', 3),
    ).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST (first occurrence)
      '2026-10-25T02:00:00.000Z', // 03:00 CET; 02:00 CET is not fired
      '2026-10-25T03:00:00.000Z',
    ]);
    expect(
      fires('Europe/Berlin', { cronExpressions: ['30 2 * * *'] }, '2026-10-24T00:00:00Z', 3),
    ).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('calendar specs follow the same rule', () => {
    const spec = { calendars: [{ hour: 2, minute: 30 }], timezone: 'Europe/Berlin' };
    expect(nextFireTimes(spec, new Date('2026-03-29T00:00:00Z'), 1)[0]?.toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
  });

  it('names an unknown zone', () => {
    expect(() => nextFireTimes({ timezone: 'Mars/Base' }, new Date(0), 1)).toThrow(
      'spec.timezone: unknown IANA time zone "Mars/Base"',
    );
  });
});
