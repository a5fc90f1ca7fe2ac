// The spec types live with the public API types in core; the spec engine uses them from here.
export {
  DAYS_OF_WEEK,
  MONTHS,
  type CalendarField,
  type CalendarSpec,
  type DayOfWeek,
  type IntervalSpec,
  type LooseRange,
  type Month,
  type Range,
  type ScheduleSpec,
} from '../../core/index.js';
