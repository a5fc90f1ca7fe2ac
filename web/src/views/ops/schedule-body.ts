// The schedule form's fields and the request bodies they make: the create body
// (`POST …/schedules`), the update body (`PUT …/schedules/{id}`, everything the form does not
// show carried over from the schedule as it was read) and the spec alone (for the preview).
import { parseArgs } from '../run/action-specs.js';
import { isZone, wallValue, zonedInstant } from '../../zone-time.js';

export interface ScheduleFields {
  scheduleId: string;
  /** One cron expression per line. */
  cron: string;
  /** One interval per line: `<every>` or `<every> offset <offset>` (durations like `15m`). */
  intervals: string;
  /** Calendar specs and skip specs as JSON arrays (empty: none). */
  calendars: string;
  skip: string;
  timezone: string;
  /** `datetime-local` values read on the clock of `basis`. */
  startAt: string;
  endAt: string;
  basis: string;
  jitter: string;
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  /** JSON array (or one value, the only argument). */
  args: string;
  overlap: string;
  catchupWindow: string;
  pauseOnFailure: boolean;
  memo: string;
  searchAttributes: string;
  paused: boolean;
  note: string;
}

export const EMPTY_FIELDS: ScheduleFields = {
  scheduleId: '',
  cron: '',
  intervals: '',
  calendars: '',
  skip: '',
  timezone: 'UTC',
  startAt: '',
  endAt: '',
  basis: 'UTC',
  jitter: '',
  workflowType: '',
  workflowId: '',
  taskQueue: '',
  args: '',
  overlap: 'SKIP',
  catchupWindow: '',
  pauseOnFailure: false,
  memo: '',
  searchAttributes: '',
  paused: false,
  note: '',
};

/** A schedule as `GET …/schedules/{id}` describes it (the parts the form reads). */
export interface ScheduleDescription {
  readonly scheduleId: string;
  readonly spec: Record<string, unknown>;
  readonly action: Record<string, unknown> & { workflowType: string };
  readonly policies: { overlap: string; catchupWindow: number; pauseOnFailure: boolean };
  readonly state: { paused: boolean; note?: string; remainingActions?: number };
  readonly memo?: Record<string, unknown>;
  readonly searchAttributes?: Record<string, unknown>;
  readonly conflictToken: number;
}

type Json = Record<string, unknown>;

/** A duration as typed: digits are milliseconds, anything else goes as text (`15m`). */
function duration(text: string): string | number {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** A duration from an answer as the form shows it. */
function durationText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return '';
  for (const [unit, ms] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (value > 0 && value % ms === 0) return `${value / ms}${unit}`;
  return String(value);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function jsonOf<T>(text: string, label: string, kind: 'array' | 'object'): T | string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    const ok = kind === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null;
    if (!ok || (kind === 'object' && Array.isArray(v))) return `${label}: give a JSON ${kind}`;
    return v as T;
  } catch (err) {
    return `${label}: not valid JSON (${(err as Error).message})`;
  }
}

const pretty = (v: unknown): string =>
  v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
    ? ''
    : JSON.stringify(v, null, 2);

/** The spec the fields describe, or what to fix. */
export function buildSpec(f: ScheduleFields): Json | string {
  const intervals = lines(f.intervals).map((l) => {
    const [every = '', offset] = l.split(/\s+offset\s+/i);
    return { every: duration(every), ...(offset ? { offset: duration(offset) } : {}) };
  });
  const calendars = jsonOf<unknown[]>(f.calendars, 'Calendars', 'array');
  if (typeof calendars === 'string') return calendars;
  const skip = jsonOf<unknown[]>(f.skip, 'Skip', 'array');
  if (typeof skip === 'string') return skip;
  const cron = lines(f.cron);
  if (cron.length + intervals.length + (calendars?.length ?? 0) === 0)
    return 'Give a cron expression, an interval or a calendar.';
  if ((f.startAt || f.endAt) && !isZone(f.basis))
    return `Time zone: ${JSON.stringify(f.basis)} is not an IANA time zone (e.g. Europe/Berlin); the start and end are read in it.`;
  const start = f.startAt ? zonedInstant(f.startAt, f.basis) : undefined;
  const end = f.endAt ? zonedInstant(f.endAt, f.basis) : undefined;
  if (f.startAt && !start) return 'Start: not a date and time.';
  if (f.endAt && !end) return 'End: not a date and time.';
  const zone = f.timezone.trim();
  return {
    ...(cron.length ? { cronExpressions: cron } : {}),
    ...(intervals.length ? { intervals } : {}),
    ...(calendars?.length ? { calendars } : {}),
    ...(skip?.length ? { skip } : {}),
    ...(start ? { startAt: start.iso } : {}),
    ...(end ? { endAt: end.iso } : {}),
    ...(f.jitter.trim() ? { jitter: duration(f.jitter) } : {}),
    ...(zone && zone !== 'UTC' ? { timezone: zone } : {}),
  };
}

/**
 * The body of the create (no `loaded`) or the update of `loaded`, or what to fix. An update
 * keeps what the form does not show (the action's timeouts, retry and headers) and sends the
 * conflict token it read, so a change made meanwhile is refused.
 */
export function buildBody(f: ScheduleFields, loaded?: ScheduleDescription): Json | string {
  if (!loaded && !f.scheduleId.trim()) return 'Give a schedule id.';
  const spec = buildSpec(f);
  if (typeof spec === 'string') return spec;
  if (!f.workflowType.trim()) return 'Give a workflow type.';
  const args = parseArgs(f.args, 'Arguments');
  if (typeof args === 'string') return args;
  const memo = jsonOf<Json>(f.memo, 'Memo', 'object');
  if (typeof memo === 'string') return memo;
  const sa = jsonOf<Json>(f.searchAttributes, 'Search attributes', 'object');
  if (typeof sa === 'string') return sa;
  const {
    type: _type,
    workflowId: _id,
    taskQueue: _q,
    args: _a,
    ...kept
  } = loaded?.action ?? ({} as Json);
  const action = {
    ...kept,
    workflowType: f.workflowType.trim(),
    ...(f.workflowId.trim() ? { workflowId: f.workflowId.trim() } : {}),
    ...(f.taskQueue.trim() ? { taskQueue: f.taskQueue.trim() } : {}),
    ...(args.length ? { args } : {}),
  };
  const policies = {
    overlap: f.overlap,
    ...(f.catchupWindow.trim() ? { catchupWindow: duration(f.catchupWindow) } : {}),
    pauseOnFailure: f.pauseOnFailure,
  };
  const state = stateOf(f, loaded);
  return {
    ...(loaded ? {} : { scheduleId: f.scheduleId.trim() }),
    spec,
    action,
    policies,
    ...(memo ? { memo } : {}),
    ...(sa ? { searchAttributes: sa } : {}),
    ...(state ? { state } : {}),
    ...(loaded ? { conflictToken: loaded.conflictToken } : {}),
  };
}

/**
 * The state to send: on create when paused or noted; on update only what changed (the server
 * keeps the rest, such as the remaining actions; an emptied note clears it).
 */
function stateOf(f: ScheduleFields, loaded?: ScheduleDescription): Json | undefined {
  const note = f.note.trim();
  if (!loaded)
    return f.paused || note ? { paused: f.paused, ...(note ? { note } : {}) } : undefined;
  const paused = f.paused !== loaded.state.paused;
  const noted = note !== (loaded.state.note ?? '');
  if (!paused && !noted) return undefined;
  return { ...(paused ? { paused: f.paused } : {}), ...(noted ? { note } : {}) };
}

/** The form's fields for a schedule as described (times typed in its own zone). */
export function fieldsOf(d: ScheduleDescription): ScheduleFields {
  const s = d.spec;
  const zone = typeof s.timezone === 'string' ? s.timezone : 'UTC';
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  const wall = (v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' ? wallValue(v, zone) : '';
  const a = d.action;
  return {
    ...EMPTY_FIELDS,
    scheduleId: d.scheduleId,
    cron: list(s.cronExpressions).join('\n'),
    intervals: list(s.intervals)
      .map((i) => {
        const { every, offset } = i as { every: unknown; offset?: unknown };
        return offset
          ? `${durationText(every)} offset ${durationText(offset)}`
          : durationText(every);
      })
      .join('\n'),
    calendars: pretty(s.calendars),
    skip: pretty(s.skip),
    timezone: zone,
    basis: zone,
    startAt: wall(s.startAt),
    endAt: wall(s.endAt),
    jitter: durationText(s.jitter),
    workflowType: a.workflowType,
    workflowId: typeof a.workflowId === 'string' ? a.workflowId : '',
    taskQueue: typeof a.taskQueue === 'string' ? a.taskQueue : '',
    args: list(a.args).length ? JSON.stringify(a.args, null, 2) : '',
    overlap: d.policies.overlap,
    catchupWindow: durationText(d.policies.catchupWindow),
    pauseOnFailure: d.policies.pauseOnFailure,
    memo: pretty(d.memo),
    searchAttributes: pretty(d.searchAttributes),
    paused: d.state.paused,
    note: d.state.note ?? '',
  };
}
