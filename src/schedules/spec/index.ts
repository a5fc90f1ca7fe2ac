export type {
  CalendarField,
  CalendarSpec,
  DayOfWeek,
  IntervalSpec,
  LooseRange,
  Month,
  Range,
  ScheduleSpec,
} from './types.js';
export { DAYS_OF_WEEK, MONTHS } from './types.js';
export { compileScheduleSpec, type CompiledSpec } from './compiled-spec.js';
export { nextFireTime, nextFireTimes } from './next-fire-times.js';
export { jitterOffset } from './jitter.js';
export { ScheduleZone } from './time-zone.js';
