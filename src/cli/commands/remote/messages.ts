// `aion signal`, `aion query` and `aion update`: messages sent to one workflow run, with
// their arguments and idempotency keys.
import type { Command } from 'commander';
import { printResult, type CliIo } from '../../output.js';
import { parseArgs } from './args.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { show } from './format.js';

/** `aion signal`, `aion query` and `aion update`. */
export function registerMessageCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  withRemote(program.command('signal').description('send a signal to a workflow'))
    .argument('<workflowId>')
    .argument('<signal>', 'signal name')
    .option('--arg <json...>', 'signal arguments, each as JSON')
    .option('--run-id <runId>', 'a specific run')
    .option('--request-id <key>', 'idempotency key: a retried signal is recorded once')
    .action(
      async (
        id: string,
        signal: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string; requestId?: string },
      ) => {
        const handle = (await clientFor(flags)).getHandle(id, flags.runId);
        if (flags.requestId)
          await handle.signalWithRequestId(flags.requestId, signal, ...parseArgs(flags.arg));
        else await handle.signal(signal, ...parseArgs(flags.arg));
        printResult(io, json(), { ok: true }, () => `signalled ${id}: ${signal}`);
      },
    );

  withRemote(program.command('query').description("query a workflow's state"))
    .argument('<workflowId>')
    .argument('<query>', 'query name (or __stack_trace)')
    .option('--arg <json...>', 'query arguments, each as JSON')
    .option('--run-id <runId>', 'a specific run')
    .action(
      async (
        id: string,
        query: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string },
      ) => {
        const result = await (
          await clientFor(flags)
        )
          .getHandle(id, flags.runId)
          .query(query, ...parseArgs(flags.arg));
        printResult(io, json(), { result: result ?? null }, () =>
          typeof result === 'string' ? result : show(result),
        );
      },
    );

  withRemote(program.command('update').description('send an update and wait for its result'))
    .argument('<workflowId>')
    .argument('<update>', 'update name')
    .option('--arg <json...>', 'update arguments, each as JSON')
    .option('--update-id <id>', 'idempotency key of the update')
    .option('--run-id <runId>', 'a specific run')
    .action(
      async (
        id: string,
        update: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string; updateId?: string },
      ) => {
        const result = await (
          await clientFor(flags)
        )
          .getHandle(id, flags.runId)
          .executeUpdate(update, {
            args: parseArgs(flags.arg),
            ...(flags.updateId ? { updateId: flags.updateId } : {}),
          });
        printResult(io, json(), { result: result ?? null }, () => show(result));
      },
    );
}
