// `aion start` and `aion execute`: the start options they share (ids, arguments, queue,
// search attributes, timeouts, id policies, idempotency key) and how they map to the client.
import type { Command } from 'commander';
import type { WorkflowStartOptions } from '../../../client/index.js';
import { uuidV7 } from '../../../clock/index.js';
import { printResult, type CliIo } from '../../output.js';
import { parseArgs, parseJsonOption } from './args.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { show } from './format.js';

interface StartFlags extends RemoteFlags {
  readonly workflowId?: string;
  readonly arg?: string[];
  readonly taskQueue?: string;
  readonly searchAttributes?: string;
  readonly memo?: string;
  readonly executionTimeout?: string;
  readonly runTimeout?: string;
  readonly idReusePolicy?: string;
  readonly idConflictPolicy?: string;
  readonly requestId?: string;
}

function startOptions(flags: StartFlags): WorkflowStartOptions {
  const sa = parseJsonOption(flags.searchAttributes, '--search-attributes');
  const memo = parseJsonOption(flags.memo, '--memo');
  return {
    ...(flags.workflowId ? { workflowId: flags.workflowId } : {}),
    args: parseArgs(flags.arg),
    ...(flags.taskQueue ? { taskQueue: flags.taskQueue } : {}),
    ...(sa ? { searchAttributes: sa } : {}),
    ...(memo ? { memo } : {}),
    ...(flags.executionTimeout ? { executionTimeout: flags.executionTimeout } : {}),
    ...(flags.runTimeout ? { runTimeout: flags.runTimeout } : {}),
    ...(flags.idReusePolicy
      ? {
          workflowIdReusePolicy: flags.idReusePolicy as NonNullable<
            WorkflowStartOptions['workflowIdReusePolicy']
          >,
        }
      : {}),
    ...(flags.idConflictPolicy
      ? {
          workflowIdConflictPolicy: flags.idConflictPolicy as NonNullable<
            WorkflowStartOptions['workflowIdConflictPolicy']
          >,
        }
      : {}),
    ...(flags.requestId ? { requestId: flags.requestId } : {}),
  };
}

function startCommand(cmd: Command): Command {
  return withRemote(cmd)
    .argument('<workflowType>', 'the workflow type (exported function name)')
    .option('--workflow-id <id>', 'business id (default: a random UUID)')
    .option(
      '--arg <json...>',
      'workflow arguments, each as JSON (a bare word is taken as a string)',
    )
    .option('--task-queue <name>', 'task queue')
    .option('--search-attributes <json>', 'initial search attributes as a JSON object')
    .option('--memo <json>', 'memo as a JSON object')
    .option('--execution-timeout <duration>', "limit of the whole workflow, e.g. '7 days'")
    .option('--run-timeout <duration>', "limit of one run, e.g. '1 hour'")
    .option(
      '--id-reuse-policy <policy>',
      'ALLOW_DUPLICATE | ALLOW_DUPLICATE_FAILED_ONLY | REJECT_DUPLICATE',
    )
    .option('--id-conflict-policy <policy>', 'FAIL | USE_EXISTING | TERMINATE_EXISTING')
    .option('--request-id <key>', 'idempotency key: a retried start returns the same run');
}

/** `aion start` and `aion execute`. */
export function registerStartCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  startCommand(program.command('start').description('start a workflow and print its ids')).action(
    async (type: string, flags: StartFlags) => {
      const client = await clientFor(flags);
      const handle = await client.workflow.start(type, startOptions(flags));
      const d = await handle.describe();
      printResult(
        io,
        json(),
        { workflowId: d.workflowId, runId: d.runId },
        () => `started ${d.workflowId} run ${d.runId}`,
      );
    },
  );

  startCommand(
    program.command('execute').description('start a workflow and wait for its result'),
  ).action(async (type: string, flags: StartFlags) => {
    const client = await clientFor(flags);
    // The id is chosen here so the output can name it; the client's execute is one request
    // when the run closes within its wait.
    const options = startOptions(flags);
    const workflowId = options.workflowId ?? uuidV7();
    const result = await client.workflow.execute(type, { ...options, workflowId });
    printResult(io, json(), { workflowId, result: result ?? null }, () => show(result));
  });
}
