/**
 * The compiled form every cron expression and calendar spec shares: the allowed values of each
 * wall-clock field, ascending. `year` undefined means every year.
 */
export interface CalendarMatcher {
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly dayOfMonth: readonly number[];
  readonly month: readonly number[];
  /** 0 = Sunday … 6 = Saturday. */
  readonly dayOfWeek: readonly number[];
  readonly year: readonly number[] | undefined;
}

/** Bounds and display names of each field. */
export const FIELD_BOUNDS = {
  second: { min: 0, max: 59, label: 'seconds' },
  minute: { min: 0, max: 59, label: 'minutes' },
  hour: { min: 0, max: 23, label: 'hours' },
  dayOfMonth: { min: 1, max: 31, label: 'days of month' },
  month: { min: 1, max: 12, label: 'months' },
  dayOfWeek: { min: 0, max: 6, label: 'days of week' },
  year: { min: 1970, max: 9999, label: 'years' },
} as const;

export type CalendarFieldName = keyof typeof FIELD_BOUNDS;

/** Every value of a field, ascending. */
export function allValues(field: Exclude<CalendarFieldName, 'year'>): number[] {
  const { min, max } = FIELD_BOUNDS[field];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/** Ascending, without duplicates. */
export function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
