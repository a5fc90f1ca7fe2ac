// The flags of `aion schedule create|update`: the spec (`--cron`, `--interval`, `--calendar`,
// `--time-zone`, `--start-at`, `--end-at`, `--jitter`), the action, the policies and the state,
// turned into the client's schedule options — for update, laid over the current description.
import type { Command } from 'commander';
import {
  AionError,
  ScheduleOverlapPolicy,
  type CalendarSpec,
  type IntervalSpec,
  type ScheduleDescription,
  type ScheduleOptions,
  type SchedulePolicies,
  type ScheduleSpec,
  type ScheduleUpdateOptions,
} from '../../../core/index.js';
import { parseJsonOption } from './args.js';
import type { RemoteFlags } from './connect.js';

export interface ScheduleFlags extends RemoteFlags {
  readonly cron: string[];
  readonly interval: string[];
  readonly calendar: string[];
  readonly timeZone?: string;
  readonly startAt?: string;
  readonly endAt?: string;
  readonly jitter?: string;
  readonly workflowType?: string;
  readonly taskQueue?: string;
  readonly input?: string;
  readonly workflowId?: string;
  readonly overlap?: string;
  readonly catchupWindow?: string;
  readonly pauseOnFailure?: boolean;
  readonly paused?: boolean;
  readonly note?: string;
  readonly remainingActions?: string;
  readonly memo?: string;
  readonly searchAttributes?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The definition flags `create` and `update` share. */
export function withScheduleFlags(cmd: Command): Command {
  return cmd
    .option('--cron <expr>', "cron expression, e.g. '0 9 * * 1-5' (repeatable)", collect, [])
    .option(
      '--interval <every[/offset]>',
      "fixed interval, e.g. '1h' or '1d/2h' (repeatable)",
      collect,
      [],
    )
    .option(
      '--calendar <json>',
      'calendar spec as JSON, e.g. \'{"hour":9,"dayOfWeek":"MONDAY"}\' (repeatable)',
      collect,
      [],
    )
    .option('--time-zone <iana>', "time zone of cron and calendar specs (default 'UTC')")
    .option('--start-at <iso>', 'no fire before this instant (ISO 8601)')
    .option('--end-at <iso>', 'no fire after this instant (ISO 8601)')
    .option('--jitter <duration>', "delay each fire by up to this much, e.g. '30s'")
    .option('--workflow-type <type>', 'the workflow type each fire starts')
    .option('--task-queue <name>', 'task queue of the started workflows')
    .option('--input <json>', 'workflow arguments as a JSON array, e.g. \'["Ada", 42]\'')
    .option('--workflow-id <id>', 'base of the started workflow ids (default: the schedule id)')
    .option('--overlap <policy>', Object.values(ScheduleOverlapPolicy).join(' | '))
    .option('--catchup-window <duration>', "how late a fire may still start (default '1m')")
    .option('--pause-on-failure', 'pause the schedule when a started workflow fails')
    .option('--no-pause-on-failure', 'do not pause on failure')
    .option('--note <text>', 'a note kept with the schedule state')
    .option('--remaining-actions <n>', 'take this many actions, then stop firing')
    .option('--memo <json>', 'memo of the schedule as a JSON object')
    .option('--search-attributes <json>', "the schedule's search attributes as a JSON object");
}

function bad(field: string, message: string): AionError {
  return new AionError('invalid_argument', `${field} ${message}`, { field });
}

function instant(value: string, flag: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw bad(
      flag,
      `must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z (got ${JSON.stringify(value)})`,
    );
  return d;
}

function intervalOf(value: string): IntervalSpec {
  const [every, offset, extra] = value.split('/').map((s) => s.trim());
  if (!every || extra !== undefined || offset === '')
    throw bad(
      '--interval',
      `must be <every> or <every>/<offset>, e.g. '1h' or '1d/2h' (got ${JSON.stringify(value)})`,
    );
  return { every, ...(offset !== undefined ? { offset } : {}) };
}

function calendarOf(value: string): CalendarSpec {
  return parseJsonOption(value, '--calendar') as CalendarSpec;
}

/** The spec lists the flags give; undefined when none of `--cron`, `--interval`, `--calendar` is. */
function specLists(f: ScheduleFlags): Partial<ScheduleSpec> | undefined {
  if (f.cron.length + f.interval.length + f.calendar.length === 0) return undefined;
  return {
    ...(f.cron.length > 0 ? { cronExpressions: f.cron } : {}),
    ...(f.interval.length > 0 ? { intervals: f.interval.map(intervalOf) } : {}),
    ...(f.calendar.length > 0 ? { calendars: f.calendar.map(calendarOf) } : {}),
  };
}

/** The spec: `base` with the given flags applied (the three lists replace the base's together). */
function specOf(f: ScheduleFlags, base: ScheduleSpec = {}): ScheduleSpec {
  const lists = specLists(f);
  const { cronExpressions, intervals, calendars, ...rest } = base;
  return {
    ...rest,
    ...(lists ?? omitUndefined({ cronExpressions, intervals, calendars })),
    ...(f.timeZone !== undefined ? { timezone: f.timeZone } : {}),
    ...(f.startAt !== undefined ? { startAt: instant(f.startAt, '--start-at') } : {}),
    ...(f.endAt !== undefined ? { endAt: instant(f.endAt, '--end-at') } : {}),
    ...(f.jitter !== undefined ? { jitter: f.jitter } : {}),
  };
}

function omitUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function inputOf(value: string | undefined): unknown[] | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (Array.isArray(parsed)) return parsed as unknown[];
  } catch {
    // fall through
  }
  throw bad('--input', `must be a JSON array of the workflow's arguments, e.g. '["Ada", 42]'`);
}

function overlapOf(value: string | undefined): ScheduleOverlapPolicy | undefined {
  if (value === undefined) return undefined;
  const v = value.toUpperCase();
  if (!(Object.values(ScheduleOverlapPolicy) as string[]).includes(v))
    throw bad(
      '--overlap',
      `must be one of ${Object.values(ScheduleOverlapPolicy).join(', ')} (got ${JSON.stringify(value)})`,
    );
  return v as ScheduleOverlapPolicy;
}

/** Parses `--overlap` for trigger and backfill. */
export const parseOverlap = overlapOf;

function remainingOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw bad(
      '--remaining-actions',
      `must be a non-negative integer (got ${JSON.stringify(value)})`,
    );
  return n;
}

type Action = ScheduleOptions['action'];

function actionOf(f: ScheduleFlags, base: Partial<Action>): Action {
  const workflowType = f.workflowType ?? base.workflowType;
  if (workflowType === undefined)
    throw bad('--workflow-type', 'is required: the workflow type each fire starts');
  const args = inputOf(f.input);
  return {
    ...base,
    type: 'startWorkflow',
    workflowType,
    ...(args !== undefined ? { args } : {}),
    ...(f.taskQueue !== undefined ? { taskQueue: f.taskQueue } : {}),
    ...(f.workflowId !== undefined ? { workflowId: f.workflowId } : {}),
  };
}

function policiesOf(f: ScheduleFlags, base: SchedulePolicies = {}): SchedulePolicies {
  const overlap = overlapOf(f.overlap);
  return {
    ...base,
    ...(overlap !== undefined ? { overlap } : {}),
    ...(f.catchupWindow !== undefined ? { catchupWindow: f.catchupWindow } : {}),
    ...(f.pauseOnFailure !== undefined ? { pauseOnFailure: f.pauseOnFailure } : {}),
  };
}

function extrasOf(f: ScheduleFlags): Pick<ScheduleOptions, 'memo' | 'searchAttributes'> {
  const memo = parseJsonOption(f.memo, '--memo');
  const sa = parseJsonOption(f.searchAttributes, '--search-attributes');
  return {
    ...(memo !== undefined ? { memo } : {}),
    ...(sa !== undefined ? { searchAttributes: sa } : {}),
  };
}

/** `aion schedule create <id>`: the options the flags describe. */
export function createOptionsOf(scheduleId: string, f: ScheduleFlags): ScheduleOptions {
  const spec = specOf(f);
  if (specLists(f) === undefined)
    throw bad('--cron', 'or --interval or --calendar is required: when the schedule fires');
  const remainingActions = remainingOf(f.remainingActions);
  return {
    scheduleId,
    spec,
    action: actionOf(f, {}),
    policies: policiesOf(f),
    state: {
      ...(f.paused ? { paused: true } : {}),
      ...(f.note !== undefined ? { note: f.note } : {}),
      ...(remainingActions !== undefined ? { remainingActions } : {}),
    },
    ...extrasOf(f),
  };
}

/** `aion schedule update <id>`: the current definition with the given flags applied. */
export function updateOptionsOf(
  f: ScheduleFlags,
  prev: ScheduleDescription,
): ScheduleUpdateOptions {
  const remainingActions = remainingOf(f.remainingActions) ?? prev.state.remainingActions;
  const note = f.note ?? prev.state.note;
  return {
    spec: specOf(f, prev.spec),
    action: actionOf(f, prev.action),
    policies: policiesOf(f, prev.policies),
    state: {
      paused: prev.state.paused,
      ...(note !== undefined ? { note } : {}),
      ...(remainingActions !== undefined ? { remainingActions } : {}),
    },
    ...(prev.memo !== undefined ? { memo: prev.memo } : {}),
    searchAttributes: prev.searchAttributes,
    ...extrasOf(f),
  };
}
