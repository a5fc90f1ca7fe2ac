import { compileCalendarSpec } from './calendar-spec.js';
import type { CalendarMatcher } from './calendar-fields.js';
import { compileCron } from './cron.js';
import { compileInterval, type CompiledInterval } from './interval.js';
import { invalidSpec } from './invalid.js';
import { ScheduleZone } from './time-zone.js';
import type { ScheduleSpec } from './types.js';
import { parseDuration } from '../../core/index.js';

/** A validated schedule spec, ready to compute fire times. */
export interface CompiledSpec {
  readonly zone: ScheduleZone;
  /** Cron expressions and calendar specs, in the zone. */
  readonly calendars: readonly CalendarMatcher[];
  readonly intervals: readonly CompiledInterval[];
  readonly skip: readonly CalendarMatcher[];
  readonly startAt: number | undefined;
  readonly endAt: number | undefined;
  readonly jitterMs: number;
}

/**
 * Validates and compiles a spec. Throws `invalid_argument` whose message names the field and
 * the offending token, e.g. `spec.cronExpressions[1]: "61" is out of range for minutes (0–59)`.
 */
export function compileScheduleSpec(spec: ScheduleSpec, path = 'spec'): CompiledSpec {
  if (typeof spec !== 'object' || spec === null)
    throw invalidSpec(path, 'a schedule spec must be an object');
  const list = <T>(name: string, value: T[] | undefined): T[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw invalidSpec(`${path}.${name}`, 'must be an array');
    return value;
  };
  const calendars = [
    ...list('cronExpressions', spec.cronExpressions).flatMap((c, i) =>
      compileCron(c, `${path}.cronExpressions[${i}]`),
    ),
    ...list('calendars', spec.calendars).map((c, i) =>
      compileCalendarSpec(c, `${path}.calendars[${i}]`),
    ),
  ];
  const intervals = list('intervals', spec.intervals).map((s, i) =>
    compileInterval(s, `${path}.intervals[${i}]`),
  );
  const skip = list('skip', spec.skip).map((c, i) => compileCalendarSpec(c, `${path}.skip[${i}]`));
  const startAt = instant(spec.startAt, `${path}.startAt`);
  const endAt = instant(spec.endAt, `${path}.endAt`);
  if (startAt !== undefined && endAt !== undefined && endAt < startAt) {
    throw invalidSpec(
      `${path}.endAt`,
      `${spec.endAt?.toISOString()} is before startAt ${spec.startAt?.toISOString()}`,
    );
  }
  return {
    zone: new ScheduleZone(spec.timezone ?? 'UTC', `${path}.timezone`),
    calendars,
    intervals,
    skip,
    startAt,
    endAt,
    jitterMs: jitter(spec.jitter, `${path}.jitter`),
  };
}

function instant(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidSpec(path, `${JSON.stringify(value)} is not a valid Date`);
  }
  return value.getTime();
}

function jitter(value: unknown, path: string): number {
  if (value === undefined) return 0;
  try {
    return parseDuration(value as number | string, path);
  } catch {
    throw invalidSpec(
      path,
      `${JSON.stringify(value)} is not a duration (milliseconds or a string like '30s')`,
    );
  }
}
