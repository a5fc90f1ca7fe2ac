// Reading workflows on a server: `aion describe`, `watch` (live events), `list`, `count`,
// and the server side of `aion history` (the replayable JSON export of one run).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AionError, type HistoryEvent } from '../../../core/index.js';
import type {
  WorkflowCountGroupBy,
  WorkflowCountGroups,
  WorkflowExecutionDescription,
  WorkflowExecutionInfo,
} from '../../../client/index.js';
import { splitGroupBy } from '../../../visibility/index.js';
import { printResult, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { colourStatus, date, table } from './format.js';

/** `aion describe`, `watch`, `list` and `count`. */
export function registerInspectCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  withRemote(program.command('describe').description("show a workflow run's state"))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run')
    .action(async (id: string, flags: RemoteFlags & { runId?: string }) => {
      const d = await (await clientFor(flags)).getHandle(id, flags.runId).describe();
      printResult(io, json(), d, () => describeText(io, d));
    });

  withRemote(program.command('watch').description("follow a run's events live until it closes"))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run (default: the current run)')
    .option('--from-seq <n>', 'first event to show', '1')
    .option('--no-follow', 'stop at the end of this run instead of following continue-as-new')
    .action(
      async (
        id: string,
        flags: RemoteFlags & { runId?: string; fromSeq: string; follow: boolean },
      ) => {
        const fromSeq = Number(flags.fromSeq);
        if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) {
          throw new AionError('invalid_argument', '--from-seq must be a positive integer', {
            field: 'fromSeq',
          });
        }
        const handle = (await clientFor(flags)).getHandle(id, flags.runId);
        const stream = handle.subscribe({ fromSeq, follow: flags.follow });
        for await (const event of stream) {
          if (json()) {
            io.stdout(`${JSON.stringify({ runId: stream.runId, ...event })}\n`);
          } else {
            io.stdout(
              `${String(event.seq).padStart(5)}  ${new Date(event.recordedAt).toISOString()}  ${event.type}${summary(event)}\n`,
            );
          }
        }
      },
    );

  withRemote(program.command('list').description('list workflows (visibility query language)'))
    .argument('[query]', "e.g. \"WorkflowType = 'order' AND ExecutionStatus = 'RUNNING'\"")
    .option('--page-size <n>', 'rows per page', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(
      async (
        query: string | undefined,
        flags: RemoteFlags & { pageSize: string; cursor?: string },
      ) => {
        const pageSize = Number(flags.pageSize);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
          throw new AionError(
            'invalid_argument',
            '--page-size must be an integer between 1 and 1000',
            { field: 'pageSize' },
          );
        }
        const page = await (
          await clientFor(flags)
        ).workflow.list({
          ...(query ? { query } : {}),
          pageSize,
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        });
        printResult(io, json(), page, () => listTable(io, page.items, page.nextCursor));
      },
    );

  registerCountCommand(program, io, json);
}

/** `aion count [query] [--group-by field]`: grouped also when the query ends in GROUP BY. */
function registerCountCommand(program: Command, io: CliIo, json: () => boolean): void {
  withRemote(program.command('count').description('count workflows matching a query'))
    .argument('[query]', 'visibility query')
    .option('--group-by <field>', 'one count per ExecutionStatus or WorkflowType')
    .action(async (query: string | undefined, flags: RemoteFlags & { groupBy?: string }) => {
      const client = await clientFor(flags);
      const groupBy = flags.groupBy ?? splitGroupBy(query ?? '').groupBy;
      if (groupBy === undefined) {
        const count = await client.workflow.count(query ? { query } : {});
        printResult(io, json(), { count }, () => String(count));
        return;
      }
      const grouped = await client.workflow.countGroups({
        ...(query ? { query } : {}),
        ...(flags.groupBy !== undefined ? { groupBy: flags.groupBy as WorkflowCountGroupBy } : {}),
      });
      printResult(io, json(), grouped, () => groupsTable(groupBy, grouped));
    });
}

function groupsTable(groupBy: string, grouped: WorkflowCountGroups): string {
  return table(
    [groupBy === 'WorkflowType' ? 'TYPE' : 'STATUS', 'COUNT'],
    [...grouped.groups.map((g) => [g.value, String(g.count)]), ['total', String(grouped.count)]],
  );
}

function describeText(io: CliIo, d: WorkflowExecutionDescription): string {
  return [
    `workflow   ${d.workflowId}`,
    `run        ${d.runId}`,
    `type       ${d.workflowType}`,
    `status     ${colourStatus(io, d.status)}${d.stuck ? ` (stuck since ${date(d.stuck.since)}: ${d.stuck.reason})` : ''}`,
    `version    ${d.version.slice(0, 12)}`,
    `queue      ${d.taskQueue}`,
    `started    ${date(d.startTime)}`,
    `closed     ${date(d.closeTime)}`,
    `history    ${d.historyLength} events`,
    ...(d.pendingActivities.length > 0
      ? [
          'activities',
          ...d.pendingActivities.map(
            (a) =>
              `  ${a.activityId} ${a.activityType} ${a.state} attempt ${a.attempt}${a.lastFailure ? ` last failure: ${a.lastFailure.message}` : ''}${a.warning ? ` — warning: ${a.warning}` : ''}`,
          ),
        ]
      : []),
    ...(d.pendingTimers.length > 0
      ? ['timers', ...d.pendingTimers.map((t) => `  ${t.timerId} fires ${date(t.fireAt)}`)]
      : []),
  ].join('\n');
}

/** A short, human description of what an event carries. */
function summary(event: HistoryEvent): string {
  const e = event as HistoryEvent & Record<string, unknown>;
  const parts: string[] = [];
  for (const key of [
    'workflowType',
    'activityType',
    'signalName',
    'timerId',
    'reason',
    'newRunId',
    'childWorkflowId',
  ]) {
    if (typeof e[key] === 'string') parts.push(`${key}=${e[key]}`);
  }
  const failure = e.failure as { message?: string } | undefined;
  if (failure?.message) parts.push(`failure=${JSON.stringify(failure.message)}`);
  return parts.length > 0 ? `  ${parts.join(' ')}` : '';
}

function listTable(
  io: CliIo,
  items: readonly WorkflowExecutionInfo[],
  nextCursor: string | undefined,
): string {
  const body = table(
    ['WORKFLOW ID', 'TYPE', 'STATUS', 'STARTED', 'CLOSED'],
    items.map((i) => [
      i.workflowId,
      i.workflowType,
      i.status,
      date(i.startTime),
      date(i.closeTime),
    ]),
    (column, padded, value) => (column === 2 ? colourStatus(io, value, padded) : padded),
  );
  return nextCursor ? `${body}\n(more: --cursor ${nextCursor})` : body;
}

/** `aion history` against a server: the replayable JSON export of one run. */
export async function remoteHistory(
  workflowId: string,
  flags: RemoteFlags & { runId?: string; out?: string; decode?: boolean },
  io: CliIo,
): Promise<void> {
  const history = await (
    await clientFor(flags)
  )
    .getHandle(workflowId, flags.runId)
    .fetchHistory(flags.decode === true ? { decode: true } : {});
  if (flags.out) {
    await writeFile(flags.out, `${JSON.stringify(history, null, 2)}\n`);
    io.stderr(
      `wrote ${history.events.length} events of ${history.workflowId}/${history.runId} to ${flags.out}\n`,
    );
  } else {
    io.stdout(`${JSON.stringify(history, null, 2)}\n`);
  }
}
