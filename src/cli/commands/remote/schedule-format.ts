// Human-readable views of schedules: `aion schedule describe` (spec, state, the next fire
// times in the schedule's time zone and UTC, recent actions, counts) and the `list` table.
import ms from 'ms';
import type {
  CalendarSpec,
  ScheduleActionResult,
  ScheduleDescription,
  ScheduleSpec,
  ScheduleSummary,
} from '../../../core/index.js';
import { date, table } from './format.js';

/** How many upcoming fire times `describe` shows. */
const NEXT_SHOWN = 5;

const duration = (d: number | string): string => (typeof d === 'number' ? ms(d) : d);

/** A date as wall-clock time in a time zone, with the zone's abbreviation. */
export function zoned(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(d);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

function calendarText(c: CalendarSpec): string {
  const { comment, ...fields } = c;
  return `${JSON.stringify(fields)}${comment ? ` (${comment})` : ''}`;
}

/** One line per part of the spec. */
export function specLines(spec: ScheduleSpec): string[] {
  return [
    ...(spec.cronExpressions ?? []).map((c) => `cron ${c}`),
    ...(spec.intervals ?? []).map(
      (i) =>
        `every ${duration(i.every)}${i.offset !== undefined && i.offset !== 0 ? ` offset ${duration(i.offset)}` : ''}`,
    ),
    ...(spec.calendars ?? []).map((c) => `calendar ${calendarText(c)}`),
    ...(spec.skip ?? []).map((c) => `skip ${calendarText(c)}`),
  ];
}

/** A short one-line form of a spec, for the list table. */
export function specSummary(spec: ScheduleSpec): string {
  const lines = specLines(spec).filter((l) => !l.startsWith('skip '));
  return lines.length <= 2
    ? lines.join('; ')
    : `${lines.slice(0, 2).join('; ')}; +${lines.length - 2}`;
}

function actionLine(a: ScheduleActionResult): string {
  const wf = a.action?.workflow.workflowId ?? '-';
  return `  ${date(a.scheduledAt)}  ${a.kind.padEnd(9)}  ${a.outcome.padEnd(8)}  ${wf}${a.reason ? `  (${a.reason})` : ''}`;
}

function stateText(s: ScheduleDescription['state']): string {
  const parts = [s.paused ? 'PAUSED' : 'ACTIVE'];
  if (s.remainingActions !== undefined) parts.push(`${s.remainingActions} actions left`);
  if (s.note) parts.push(`note: ${s.note}`);
  return parts.join(', ');
}

function header(d: ScheduleDescription, tz: string): string[] {
  const a = d.action;
  const s = d.spec;
  return [
    `Schedule     ${d.scheduleId}`,
    `State        ${stateText(d.state)}`,
    `Spec         ${specLines(s).join('\n             ') || '(no times)'}`,
    `Time zone    ${tz}`,
    ...(s.startAt ? [`Start at     ${date(s.startAt)}`] : []),
    ...(s.endAt ? [`End at       ${date(s.endAt)}`] : []),
    ...(s.jitter !== undefined ? [`Jitter       ${duration(s.jitter)}`] : []),
    `Action       start ${String(a.workflowType)} on ${a.taskQueue ?? '(default queue)'} as ${a.workflowId ?? d.scheduleId}-<time>`,
    ...(a.args && a.args.length > 0 ? [`Input        ${JSON.stringify(a.args)}`] : []),
    `Policies     overlap ${d.policies.overlap}, catch-up window ${ms(d.policies.catchupWindow)}, pause on failure ${d.policies.pauseOnFailure ? 'yes' : 'no'}`,
  ];
}

/** `aion schedule describe`. */
export function describeScheduleText(d: ScheduleDescription): string {
  const tz = d.spec.timezone ?? 'UTC';
  const i = d.info;
  const next = i.nextActionTimes.slice(0, NEXT_SHOWN);
  const nextRows = next.map((t) => [zoned(t, tz), date(t)]);
  return [
    ...header(d, tz),
    '',
    `Next fires${next.length === 0 ? '   none' : ''}`,
    ...(next.length > 0 ? [indent(table([tz, 'UTC'], nextRows))] : []),
    '',
    `Recent actions${i.recentActions.length === 0 ? '   none' : ''}`,
    ...i.recentActions.map(actionLine),
    ...(i.runningActions.length > 0
      ? [
          '',
          'Running',
          ...i.runningActions.map(
            (r) => `  ${r.workflow.workflowId}  ${r.workflow.firstExecutionRunId}`,
          ),
        ]
      : []),
    '',
    `Actions      taken ${i.numActionsTaken}, skipped (overlap) ${i.numActionsSkippedOverlap}, missed (catch-up window) ${i.numActionsMissedCatchupWindow}, dropped ${i.numActionsDropped}, failed ${i.numActionsFailed}; buffered ${i.bufferedActions}`,
    `Created      ${date(i.createdAt)}${i.lastUpdatedAt ? `, updated ${date(i.lastUpdatedAt)}` : ''}`,
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** `aion schedule list`. */
export function scheduleTable(items: readonly ScheduleSummary[]): string {
  if (items.length === 0) return 'no schedules';
  return table(
    ['SCHEDULE', 'WORKFLOW TYPE', 'STATE', 'NEXT FIRE (UTC)', 'SPEC'],
    items.map((s) => [
      s.scheduleId,
      s.action.workflowType,
      s.state.paused ? 'PAUSED' : 'ACTIVE',
      date(s.info.nextActionTimes[0]),
      specSummary(s.spec),
    ]),
  );
}
