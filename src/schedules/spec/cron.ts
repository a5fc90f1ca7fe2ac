import { CronExpressionParser, type CronFieldCollection } from 'cron-parser';
import { FIELD_BOUNDS, sortedUnique, allValues } from './calendar-fields.js';
import type { CalendarFieldName, CalendarMatcher } from './calendar-fields.js';
import { invalidSpec } from './invalid.js';

type CronField = Exclude<CalendarFieldName, 'year'>;

const FIVE: readonly CronField[] = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];
const SIX: readonly CronField[] = ['second', ...FIVE];
const NAMES = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;
/** Cron allows 7 for Sunday. */
const CRON_MAX: Partial<Record<CronField, number>> = { dayOfWeek: 7 };

/**
 * Compiles a cron expression (5 fields, 6 with seconds first, or an `@daily`-style alias)
 * into calendar matchers. As in cron, when both day of month and day of week are restricted
 * a day matching either fires, which takes two matchers. `L`, `W`, `#` and `H` are refused.
 */
export function compileCron(expression: unknown, path: string): CalendarMatcher[] {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw invalidSpec(path, 'a cron expression must be a non-empty string');
  }
  const text = expression.trim();
  if (!text.startsWith('@')) checkTokens(text, path);
  let fields: CronFieldCollection;
  try {
    fields = CronExpressionParser.parse(text, { strict: false }).fields;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidSpec(path, `cannot parse ${JSON.stringify(text)}: ${reason}`);
  }
  const values = (name: CronField): number[] =>
    sortedUnique(fields[name].values.map((v) => (name === 'dayOfWeek' && v === 7 ? 0 : Number(v))));
  const base: CalendarMatcher = {
    second: values('second'),
    minute: values('minute'),
    hour: values('hour'),
    dayOfMonth: values('dayOfMonth'),
    month: values('month'),
    dayOfWeek: values('dayOfWeek'),
    year: undefined,
  };
  if (fields.dayOfMonth.isWildcard || fields.dayOfWeek.isWildcard) return [base];
  return [
    { ...base, dayOfWeek: allValues('dayOfWeek') },
    { ...base, dayOfMonth: allValues('dayOfMonth') },
  ];
}

/** Field count and numeric ranges, checked here so the error names the offending token. */
function checkTokens(text: string, path: string): void {
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw invalidSpec(
      path,
      `${JSON.stringify(text)} has ${parts.length} fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`,
    );
  }
  const names = parts.length === 5 ? FIVE : SIX;
  parts.forEach((part, i) => {
    const name = names[i]!;
    for (const item of part.split(',')) {
      if (/[LW#H]/i.test(item.replace(NAMES, ''))) {
        throw invalidSpec(
          path,
          `${JSON.stringify(item)} uses L, W, # or H, which schedules do not support; list the values instead`,
        );
      }
      const [range = '', step] = item.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
        throw invalidSpec(
          path,
          `${JSON.stringify(step)} is not a valid step for ${FIELD_BOUNDS[name].label}`,
        );
      }
      for (const token of range.split('-')) checkNumber(token, name, path);
    }
  });
}

function checkNumber(token: string, name: CronField, path: string): void {
  if (!/^\d+$/.test(token)) return; // '*', '?' and names are the parser's to judge
  const { min, label } = FIELD_BOUNDS[name];
  const max = CRON_MAX[name] ?? FIELD_BOUNDS[name].max;
  const value = Number(token);
  if (value < min || value > max) {
    throw invalidSpec(
      path,
      `${JSON.stringify(token)} is out of range for ${label} (${min}–${max})`,
    );
  }
}
