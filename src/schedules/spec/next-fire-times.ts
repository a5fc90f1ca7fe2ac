import type { CalendarMatcher } from './calendar-fields.js';
import { compileScheduleSpec, type CompiledSpec } from './compiled-spec.js';
import { invalidSpec } from './invalid.js';
import { nextIntervalFire } from './interval.js';
import { ScheduleZone } from './time-zone.js';
import type { ScheduleSpec } from './types.js';
import { addSeconds } from './wall-time.js';
import { nextMatchingWall, wallMatches } from './wall-search.js';

/**
 * Candidates skipped in a row before giving up: a spec whose skip list covers every time it
 * would fire (for that long) is treated as having no further fire.
 */
const MAX_SKIPPED = 100_000;
/** Wall times tried per calendar before giving up (the fall-back hour at one-second steps). */
const MAX_REPEATED_WALLS = 10_000;

function compiled(spec: ScheduleSpec | CompiledSpec): CompiledSpec {
  return isCompiled(spec) ? spec : compileScheduleSpec(spec);
}

function isCompiled(spec: ScheduleSpec | CompiledSpec): spec is CompiledSpec {
  return 'zone' in spec && spec.zone instanceof ScheduleZone;
}

/**
 * The first nominal fire time strictly after `after`, merged across every cron expression,
 * calendar and interval of the spec, honouring `skip`, `startAt` and `endAt` (jitter is not
 * applied: see {@link jitterOffset}). Undefined when the spec never fires again.
 */
export function nextFireTime(spec: ScheduleSpec | CompiledSpec, after: Date): Date | undefined {
  return nextFireTimes(spec, after, 1)[0];
}

/** The next `count` nominal fire times strictly after `after`, ascending and distinct. */
export function nextFireTimes(
  spec: ScheduleSpec | CompiledSpec,
  after: Date,
  count: number,
): Date[] {
  const c = compiled(spec);
  if (!Number.isInteger(count) || count < 0)
    throw invalidSpec('count', `${String(count)} must be a non-negative integer`);
  if (Number.isNaN(after.getTime())) throw invalidSpec('after', 'is not a valid Date');
  const out: Date[] = [];
  let cursor = after.getTime();
  if (c.startAt !== undefined && cursor < c.startAt) cursor = c.startAt - 1;
  let skipped = 0;
  while (out.length < count && skipped < MAX_SKIPPED) {
    const next = nextUnfiltered(c, cursor);
    if (next === undefined || (c.endAt !== undefined && next > c.endAt)) break;
    cursor = next;
    if (isSkipped(c, next)) {
      skipped++;
      continue;
    }
    skipped = 0;
    out.push(new Date(next));
  }
  return out;
}

/** The earliest fire of any spec strictly after `afterMs`, before skip and end. */
function nextUnfiltered(c: CompiledSpec, afterMs: number): number | undefined {
  let best: number | undefined;
  for (const interval of c.intervals) {
    const at = nextIntervalFire(interval, afterMs);
    if (best === undefined || at < best) best = at;
  }
  for (const matcher of c.calendars) {
    const at = nextCalendarFire(c.zone, matcher, afterMs);
    if (at !== undefined && (best === undefined || at < best)) best = at;
  }
  return best;
}

/**
 * The first fire of a calendar strictly after `afterMs`. Wall times map to instants
 * monotonically (gap → first instant after it; repeated time → first occurrence), so the
 * search starts at the wall time of `afterMs` and steps past wall times that map to or before it.
 */
export function nextCalendarFire(
  zone: ScheduleZone,
  matcher: CalendarMatcher,
  afterMs: number,
): number | undefined {
  let from = zone.wallAt(afterMs);
  for (let i = 0; i < MAX_REPEATED_WALLS; i++) {
    const wall = nextMatchingWall(matcher, from);
    if (wall === undefined) return undefined;
    const at = zone.instantOf(wall);
    if (at > afterMs) return at;
    from = addSeconds(wall, 1);
  }
  return undefined;
}

/** Whether a skip calendar matches the wall time of an instant in the schedule's zone. */
function isSkipped(c: CompiledSpec, ms: number): boolean {
  if (c.skip.length === 0) return false;
  const wall = c.zone.wallAt(ms);
  return c.skip.some((m) => wallMatches(m, wall));
}
