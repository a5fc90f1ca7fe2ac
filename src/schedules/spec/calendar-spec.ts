import { allValues, FIELD_BOUNDS, sortedUnique } from './calendar-fields.js';
import type { CalendarFieldName, CalendarMatcher } from './calendar-fields.js';
import { invalidSpec } from './invalid.js';
import { DAYS_OF_WEEK, MONTHS, type CalendarField, type CalendarSpec } from './types.js';

const DEFAULTS: Record<CalendarFieldName, '*' | number> = {
  second: 0,
  minute: 0,
  hour: 0,
  dayOfMonth: '*',
  month: '*',
  dayOfWeek: '*',
  year: '*',
};

const NAMES: Partial<Record<CalendarFieldName, readonly string[]>> = {
  month: MONTHS,
  dayOfWeek: DAYS_OF_WEEK,
};

/** Compiles a calendar spec, throwing `invalid_argument` naming `path` and the bad value. */
export function compileCalendarSpec(spec: CalendarSpec, path: string): CalendarMatcher {
  if (typeof spec !== 'object' || spec === null) {
    throw invalidSpec(path, 'a calendar spec must be an object');
  }
  const field = (name: CalendarFieldName): number[] | undefined =>
    fieldValues(name, spec[name] ?? DEFAULTS[name], `${path}.${name}`);
  const year = field('year');
  return {
    second: field('second') ?? allValues('second'),
    minute: field('minute') ?? allValues('minute'),
    hour: field('hour') ?? allValues('hour'),
    dayOfMonth: field('dayOfMonth') ?? allValues('dayOfMonth'),
    month: field('month') ?? allValues('month'),
    dayOfWeek: field('dayOfWeek') ?? allValues('dayOfWeek'),
    year,
  };
}

/** The values of one field, or undefined for `'*'`. */
function fieldValues(
  name: CalendarFieldName,
  value: CalendarField<string | number>,
  path: string,
): number[] | undefined {
  if (value === '*') return undefined;
  const ranges = Array.isArray(value) ? value : [value];
  if (ranges.length === 0)
    throw invalidSpec(path, 'an empty list matches nothing; use "*" or a value');
  const values: number[] = [];
  ranges.forEach((range, i) => {
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof range === 'object' && range !== null) {
      const start = unit(name, range.start, at);
      const end = range.end === undefined ? start : unit(name, range.end, at);
      const step = range.step ?? 1;
      if (!Number.isInteger(step) || step < 1) {
        throw invalidSpec(at, `step ${JSON.stringify(step)} must be a positive integer`);
      }
      if (end < start) throw invalidSpec(at, `end ${end} is before start ${start}`);
      for (let v = start; v <= end; v += step) values.push(v);
    } else {
      values.push(unit(name, range, at));
    }
  });
  return sortedUnique(values);
}

/** One value of a field: an integer in bounds, or a month / day name. */
function unit(name: CalendarFieldName, value: unknown, path: string): number {
  const names = NAMES[name];
  if (typeof value === 'string' && names) {
    const i = names.indexOf(value.toUpperCase());
    if (i < 0)
      throw invalidSpec(
        path,
        `${JSON.stringify(value)} is not a name of ${FIELD_BOUNDS[name].label}`,
      );
    return name === 'month' ? i + 1 : i;
  }
  const { min, max, label } = FIELD_BOUNDS[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidSpec(
      path,
      `${JSON.stringify(value)} is out of range for ${label} (${min}–${max})`,
    );
  }
  return value;
}
