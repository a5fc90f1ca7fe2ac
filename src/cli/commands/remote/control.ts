// Operator actions on one workflow run: `aion cancel`, `terminate`, `pause`, `resume` and
// `reset` (a new run from a workflow-task boundary).
import type { Command } from 'commander';
import { printResult, type CliIo } from '../../output.js';
import { resetPoint } from './args.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';

/** `aion cancel`, `terminate`, `pause`, `resume` and `reset`. */
export function registerControlCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  for (const [action, description] of [
    ['cancel', 'request cooperative cancellation of a workflow'],
    ['terminate', 'end a workflow at once (no workflow code runs)'],
    ['pause', 'stop a workflow from advancing until resumed'],
  ] as const) {
    withRemote(program.command(action).description(description))
      .argument('<workflowId>')
      .option('--reason <text>', 'reason (recorded)')
      .option('--run-id <runId>', 'a specific run')
      .action(async (id: string, flags: RemoteFlags & { reason?: string; runId?: string }) => {
        await (await clientFor(flags)).getHandle(id, flags.runId)[action](flags.reason);
        printResult(io, json(), { ok: true }, () => `${action} ${id}: ok`);
      });
  }

  withRemote(program.command('resume').description('resume a paused workflow'))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run')
    .action(async (id: string, flags: RemoteFlags & { runId?: string }) => {
      await (await clientFor(flags)).getHandle(id, flags.runId).resume();
      printResult(io, json(), { ok: true }, () => `resume ${id}: ok`);
    });

  withRemote(
    program.command('reset').description('start a new run from a workflow-task boundary of a run'),
  )
    .argument('<workflowId>')
    .option('--run-id <runId>', 'the run to reset (default: current)')
    .option(
      '--to <point>',
      'a WorkflowTaskCompleted seq, firstWorkflowTask or lastWorkflowTask',
      'lastWorkflowTask',
    )
    .option('--reason <text>', 'reason (recorded)')
    .option('--version <version>', 'package version of the new run')
    .option(
      '--reapply <type>',
      'signals received after the reset point: SIGNAL (recorded again on the new run) or NONE',
      'SIGNAL',
    )
    .action(
      async (
        id: string,
        flags: RemoteFlags & {
          runId?: string;
          to: string;
          reason?: string;
          version?: string;
          reapply: string;
        },
      ) => {
        const handle = await (await clientFor(flags)).getHandle(id, flags.runId).reset({
          to: resetPoint(flags.to),
          ...(flags.reason ? { reason: flags.reason } : {}),
          ...(flags.version ? { version: flags.version } : {}),
          resetReapplyType: flags.reapply as 'SIGNAL' | 'NONE',
        });
        printResult(
          io,
          json(),
          { workflowId: handle.workflowId, runId: handle.runId },
          () => `reset ${id}: new run ${handle.runId}`,
        );
      },
    );
}
