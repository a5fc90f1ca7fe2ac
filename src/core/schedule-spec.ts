// The shape of a schedule spec (when a schedule fires); field names follow Temporal's ScheduleSpec.
import type { Duration } from './duration.js';

/** Month names accepted in calendar specs (also 1–12). */
export const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;
export type Month = (typeof MONTHS)[number];

/** Day names accepted in calendar specs (also 0–6, Sunday = 0). */
export const DAYS_OF_WEEK = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** An inclusive range: `end` defaults to `start`, `step` to 1. */
export interface Range<Unit> {
  start: Unit;
  end?: Unit;
  step?: number;
}

/** One value or one range. */
export type LooseRange<Unit> = Unit | Range<Unit>;

/** A field of a calendar spec: one value or range, a list of them, or `'*'` (every value). */
export type CalendarField<Unit> = LooseRange<Unit> | LooseRange<Unit>[] | '*';

/**
 * Wall-clock times in the schedule's time zone. A time matches when every field matches.
 * Defaults: `second`, `minute`, `hour` 0; `dayOfMonth`, `month`, `year`, `dayOfWeek` every value.
 */
export interface CalendarSpec {
  second?: CalendarField<number>;
  minute?: CalendarField<number>;
  hour?: CalendarField<number>;
  dayOfMonth?: CalendarField<number>;
  month?: CalendarField<Month | number>;
  year?: CalendarField<number>;
  dayOfWeek?: CalendarField<DayOfWeek | number>;
  comment?: string;
}

/**
 * Fires at every instant `k × every + offset` since the Unix epoch (independent of time zone).
 * `offset` defaults to 0 and must be less than `every`.
 */
export interface IntervalSpec {
  every: Duration;
  offset?: Duration;
}

/** When a schedule fires. Field names follow Temporal's `ScheduleSpec`. */
export interface ScheduleSpec {
  /** Cron expressions, 5 fields (minute first) or 6 (second first), or `@daily`-style aliases. */
  cronExpressions?: string[];
  intervals?: IntervalSpec[];
  calendars?: CalendarSpec[];
  /** Calendar specs whose matching times never fire. */
  skip?: CalendarSpec[];
  /** No fire before this instant (inclusive). */
  startAt?: Date;
  /** No fire after this instant (inclusive). */
  endAt?: Date;
  /** Each fire is delayed by a deterministic offset in [0, jitter). Default 0. */
  jitter?: Duration;
  /** IANA time zone of cron and calendar specs. Default `'UTC'`. */
  timezone?: string;
}
