// `aion batch start|describe|list|stop`: one operation (cancel, terminate, signal, reset)
// applied to every run a visibility query matches, followed as a server-side job.
import type { Command } from 'commander';
import { AionError } from '../../../core/index.js';
import type { BatchDryRunInfo, BatchJobInfo, BatchOperation } from '../../../client/index.js';
import { printResult, type CliIo } from '../../output.js';
import { parseArgs, resetPoint } from './args.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';

interface BatchStartFlags extends RemoteFlags {
  readonly query: string;
  readonly cancel?: boolean;
  readonly terminate?: boolean;
  readonly signal?: string;
  readonly reset?: string | boolean;
  readonly arg?: string[];
  readonly reason?: string;
  readonly jobId?: string;
  readonly wait?: boolean;
  readonly dryRun?: boolean;
}

function batchLine(job: BatchJobInfo): string {
  return `${job.jobId}  ${job.state}  ${job.operation.type}  matched ${job.matched}, done ${job.succeeded}, skipped ${job.skipped}, failed ${job.failed}${job.error ? `  error: ${job.error}` : ''}`;
}

function dryRunText(dry: BatchDryRunInfo, operation: BatchOperation): string {
  const head = `dry run: ${operation.type} would apply to ${dry.matched} run${dry.matched === 1 ? '' : 's'}; nothing was started`;
  if (dry.sample.length === 0) return head;
  const rows = table(
    ['WORKFLOW ID', 'RUN ID', 'TYPE', 'STATUS', 'STARTED'],
    dry.sample.map((i) => [i.workflowId, i.runId, i.workflowType, i.status, date(i.startTime)]),
  );
  const more = dry.matched > dry.sample.length ? `\n(first ${dry.sample.length} shown)` : '';
  return `${head}\n${rows}${more}`;
}

/** The one operation the flags choose; `invalid_argument` unless exactly one is given. */
function operationOf(flags: BatchStartFlags): BatchOperation {
  const chosen = [flags.cancel, flags.terminate, flags.signal, flags.reset].filter(
    (v) => v !== undefined && v !== false,
  );
  if (chosen.length !== 1) {
    throw new AionError(
      'invalid_argument',
      'choose exactly one operation: --cancel, --terminate, --signal <name> or --reset [to]',
      { field: 'operation' },
    );
  }
  const reason = flags.reason ? { reason: flags.reason } : {};
  if (flags.cancel) return { type: 'cancel', ...reason };
  if (flags.terminate) return { type: 'terminate', ...reason };
  if (flags.signal) return { type: 'signal', signal: flags.signal, args: parseArgs(flags.arg) };
  const to = typeof flags.reset === 'string' ? flags.reset : undefined;
  return { type: 'reset', ...reason, ...(to !== undefined ? { to: resetPoint(to) } : {}) };
}

/** `aion batch start|describe|list|stop`. */
export function registerBatchCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const batch = program
    .command('batch')
    .description('operations on every workflow a visibility query matches');
  withRemote(batch.command('start').description('start a batch job'))
    .requiredOption(
      '--query <query>',
      'visibility query selecting the runs, e.g. "WorkflowType = \'order\'"',
    )
    .option('--cancel', 'request cancellation of each run')
    .option('--terminate', 'terminate each run')
    .option('--signal <name>', 'send this signal to each run (with --arg)')
    .option('--reset [to]', 'reset each run (to firstWorkflowTask, lastWorkflowTask or a seq)')
    .option('--arg <json...>', 'signal arguments, each as JSON')
    .option('--reason <text>', 'reason recorded with cancel, terminate or reset')
    .option('--job-id <id>', 'job id (re-submitting the same id is idempotent for signals)')
    .option('--wait', 'wait for the job to finish, printing progress')
    .option('--dry-run', 'show how many runs the job would change, and the first 20; start nothing')
    .action(async (flags: BatchStartFlags) => {
      const operation = operationOf(flags);
      const client = await clientFor(flags);
      if (flags.dryRun) {
        const dry = await client.batch.dryRun({ query: flags.query, operation });
        printResult(io, json(), dry, () => dryRunText(dry, operation));
        return;
      }
      let job = await client.batch.start({
        query: flags.query,
        operation,
        ...(flags.jobId ? { jobId: flags.jobId } : {}),
      });
      while (flags.wait && job.state === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 500));
        job = await client.batch.describe(job.jobId);
        if (!json() && io.isTTY) io.stderr(`\r${batchLine(job)}`);
      }
      if (!json() && io.isTTY && flags.wait) io.stderr('\n');
      printResult(io, json(), job, () => batchLine(job));
    });
  withRemote(batch.command('describe').description("show a batch job's progress"))
    .argument('<jobId>')
    .action(async (jobId: string, flags: RemoteFlags) => {
      const job = await (await clientFor(flags)).batch.describe(jobId);
      printResult(io, json(), job, () =>
        [
          batchLine(job),
          ...job.failures.map((f) => `  ${f.workflowId} ${f.runId}: [${f.code}] ${f.message}`),
        ].join('\n'),
      );
    });
  withRemote(batch.command('list').description('list batch jobs')).action(
    async (flags: RemoteFlags) => {
      const jobs = await (await clientFor(flags)).batch.list();
      printResult(io, json(), { jobs }, () =>
        jobs.length === 0 ? 'no batch jobs' : jobs.map(batchLine).join('\n'),
      );
    },
  );
  withRemote(batch.command('stop').description('stop a running batch job'))
    .argument('<jobId>')
    .action(async (jobId: string, flags: RemoteFlags) => {
      const job = await (await clientFor(flags)).batch.stop(jobId);
      printResult(io, json(), job, () => batchLine(job));
    });
}
