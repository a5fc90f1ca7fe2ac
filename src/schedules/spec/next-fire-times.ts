import type { CalendarMatcher } from './calendar-fields.js';
import { compileScheduleSpec, type CompiledSpec } from './compiled-spec.js';
import { invalidSpec } from './invalid.js';
import { nextIntervalFire } from './interval.js';
import { ScheduleZone } from './time-zone.js';
import type { ScheduleSpec } from './types.js';
import { addSeconds, type WallTime } from './wall-time.js';
import { nextMatchingWall, wallMatches } from './wall-search.js';

/**
 * Skipped stretches in a row before giving up: a spec whose skip list covers every time it
 * would fire (for that long) is treated as having no further fire. A stretch is one fire, or
 * the whole minute / hour / day around it when the skip spec covers all of it.
 */
const MAX_SKIPPED = 5_000;
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
    const skippedUntil = skippedThrough(c, next);
    cursor = skippedUntil ?? next;
    if (skippedUntil !== undefined) {
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

/**
 * Undefined when no skip spec matches the instant; else the last instant of the stretch it
 * skips (the instant itself, or the end of its wall-clock minute / hour / day when the skip spec
 * accepts every finer value), so the search resumes after it.
 */
function skippedThrough(c: CompiledSpec, ms: number): number | undefined {
  if (c.skip.length === 0) return undefined;
  const wall = c.zone.wallAt(ms);
  let through: number | undefined;
  for (const m of c.skip) {
    if (!wallMatches(m, wall)) continue;
    const allSeconds = m.second.length === 60;
    const allMinutes = allSeconds && m.minute.length === 60;
    const allHours = allMinutes && m.hour.length === 24;
    const end: WallTime = {
      ...wall,
      hour: allHours ? 23 : wall.hour,
      minute: allMinutes ? 59 : wall.minute,
      second: allSeconds ? 59 : wall.second,
    };
    // Never move back (the end of the stretch may be a repeated wall time read at its first occurrence).
    const at = Math.max(ms, c.zone.instantOf(end));
    through = through === undefined ? at : Math.max(through, at);
  }
  return through;
}
