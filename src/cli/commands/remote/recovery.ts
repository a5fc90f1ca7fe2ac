// Bringing a run back: `aion reopen` (a FAILED or CANCELLED run again, as a new run) and
// `aion retry` (a stuck open run now, optionally re-pinned to another version).
import type { Command } from 'commander';
import { printResult, withHints, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';

/** `aion reopen` and `aion retry`. */
export function registerRecoveryCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  withRemote(
    program
      .command('reopen')
      .description('start a FAILED or CANCELLED run again, reusing its recorded results'),
  )
    .argument('<workflowId>')
    .option('--run-id <runId>', 'the run to reopen (default: current)')
    .option('--reason <text>', 'reason (recorded)')
    .option(
      '--version <version>',
      'package version of the new run (default: the version of the reopened run)',
    )
    .action(
      async (
        id: string,
        flags: RemoteFlags & { runId?: string; reason?: string; version?: string },
      ) =>
        withHints(
          {
            invalid_state:
              'only a FAILED or CANCELLED run reopens: `aion retry` retries a stuck open run, `aion reset` restarts any run from a workflow-task boundary',
          },
          async () => {
            const handle = await (await clientFor(flags)).getHandle(id, flags.runId).reopen({
              ...(flags.reason ? { reason: flags.reason } : {}),
              ...(flags.version ? { version: flags.version } : {}),
            });
            printResult(
              io,
              json(),
              { workflowId: handle.workflowId, runId: handle.runId },
              () => `reopened ${id}: new run ${handle.runId}`,
            );
          },
        ),
    );

  withRemote(
    program
      .command('retry')
      .description('retry a stuck open run now, optionally re-pinned to another version'),
  )
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run (default: current)')
    .option(
      '--version <version>',
      'package version to re-pin to; refused unless the history replays on it',
    )
    .action(async (id: string, flags: RemoteFlags & { runId?: string; version?: string }) =>
      withHints(
        {
          workflow_closed:
            'a closed run is not retried: `aion reopen` starts a FAILED or CANCELLED run again',
          nondeterminism:
            'the run stays on its version: pass a --version its history replays on (`aion replay` checks one)',
        },
        async () => {
          const { repinned } = await (
            await clientFor(flags)
          )
            .getHandle(id, flags.runId)
            .retry(flags.version ? { version: flags.version } : {});
          printResult(io, json(), { workflowId: id, repinned }, () =>
            repinned
              ? `retry ${id}: re-pinned to ${flags.version!.slice(0, 12)}`
              : `retry ${id}: ok`,
          );
        },
      ),
    );
}
