// `aion schedule create|describe|list|update|pause|unpause|trigger|backfill|delete`: schedules
// on a server, through the remote client's `client.schedule`.
import type { Command } from 'commander';
import { AionError, type ScheduleSummary } from '../../../core/index.js';
import { printResult, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import {
  createOptionsOf,
  parseOverlap,
  updateOptionsOf,
  withScheduleFlags,
  type ScheduleFlags,
} from './schedule-flags.js';
import { describeScheduleText, scheduleTable } from './schedule-format.js';

interface NoteFlags extends RemoteFlags {
  readonly note?: string;
}

interface BackfillFlags extends RemoteFlags {
  readonly start: string;
  readonly end: string;
  readonly overlap?: string;
}

function instantFlag(value: string, flag: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new AionError(
      'invalid_argument',
      `${flag} must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z (got ${JSON.stringify(value)})`,
      { field: flag },
    );
  }
  return d;
}

function pageSizeOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new AionError('invalid_argument', '--page-size must be an integer between 1 and 1000', {
      field: 'pageSize',
    });
  return n;
}

/** `aion schedule …`. */
export function registerScheduleCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const schedule = program
    .command('schedule')
    .description('workflows started on a cron expression, an interval or a calendar');

  withScheduleFlags(withRemote(schedule.command('create').description('create a schedule')))
    .argument('<scheduleId>')
    .option('--paused', 'create it paused')
    .action(async (id: string, flags: ScheduleFlags) => {
      const options = createOptionsOf(id, flags);
      const handle = await (await clientFor(flags)).schedule.create(options);
      printResult(io, json(), { scheduleId: handle.scheduleId }, () => `created schedule ${id}`);
    });

  withScheduleFlags(
    withRemote(
      schedule
        .command('update')
        .description("change a schedule's spec, action or policies (other fields are kept)"),
    ),
  )
    .argument('<scheduleId>')
    .action(async (id: string, flags: ScheduleFlags) => {
      const handle = (await clientFor(flags)).schedule.getHandle(id);
      await handle.update((prev) => updateOptionsOf(flags, prev));
      printResult(io, json(), { scheduleId: id }, () => `updated schedule ${id}`);
    });

  withRemote(schedule.command('describe').description('spec, state, next fires, recent actions'))
    .argument('<scheduleId>')
    .action(async (id: string, flags: RemoteFlags) => {
      const d = await (await clientFor(flags)).schedule.getHandle(id).describe();
      printResult(io, json(), d, () => describeScheduleText(d));
    });

  withRemote(schedule.command('list').description('list schedules'))
    .option(
      '--query <query>',
      "filter, e.g. \"WorkflowType = 'report' AND ExecutionStatus = 'Paused'\"",
    )
    .option('--page-size <n>', 'schedules fetched per request', '100')
    .action(async (flags: RemoteFlags & { query?: string; pageSize: string }) => {
      const client = await clientFor(flags);
      const items: ScheduleSummary[] = [];
      const options = {
        pageSize: pageSizeOf(flags.pageSize),
        ...(flags.query ? { query: flags.query } : {}),
      };
      for await (const s of client.schedule.list(options)) items.push(s);
      printResult(io, json(), { schedules: items }, () => scheduleTable(items));
    });

  registerActionCommands(schedule, io, json);
}

/** `pause`, `unpause`, `trigger`, `backfill` and `delete`. */
function registerActionCommands(schedule: Command, io: CliIo, json: () => boolean): void {
  for (const action of ['pause', 'unpause'] as const) {
    withRemote(schedule.command(action).description(`${action} a schedule`))
      .argument('<scheduleId>')
      .option('--note <text>', 'why (kept with the schedule state)')
      .action(async (id: string, flags: NoteFlags) => {
        await (await clientFor(flags)).schedule.getHandle(id)[action](flags.note);
        printResult(io, json(), { scheduleId: id }, () => `${action}d schedule ${id}`);
      });
  }

  withRemote(schedule.command('trigger').description('fire once now'))
    .argument('<scheduleId>')
    .option('--overlap <policy>', "overlap policy of this fire (default: the schedule's)")
    .action(async (id: string, flags: RemoteFlags & { overlap?: string }) => {
      const overlap = parseOverlap(flags.overlap);
      await (await clientFor(flags)).schedule.getHandle(id).trigger(overlap);
      printResult(io, json(), { scheduleId: id }, () => `triggered schedule ${id}`);
    });

  withRemote(schedule.command('backfill').description('take the fires of a past time range now'))
    .argument('<scheduleId>')
    .requiredOption('--start <iso>', 'first instant of the range (ISO 8601)')
    .requiredOption('--end <iso>', 'last instant of the range (ISO 8601, inclusive)')
    .option('--overlap <policy>', "overlap policy of these fires (default: the schedule's)")
    .action(async (id: string, flags: BackfillFlags) => {
      const overlap = parseOverlap(flags.overlap);
      await (await clientFor(flags)).schedule.getHandle(id).backfill({
        start: instantFlag(flags.start, '--start'),
        end: instantFlag(flags.end, '--end'),
        ...(overlap !== undefined ? { overlap } : {}),
      });
      printResult(io, json(), { scheduleId: id }, () => `backfilled schedule ${id}`);
    });

  withRemote(schedule.command('delete').description('delete a schedule'))
    .argument('<scheduleId>')
    .action(async (id: string, flags: RemoteFlags) => {
      await (await clientFor(flags)).schedule.getHandle(id).delete();
      printResult(io, json(), { scheduleId: id }, () => `deleted schedule ${id}`);
    });
}
