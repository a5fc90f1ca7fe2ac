// Shared plumbing of the commands that talk to a running server: the connection flags
// every such command takes, the client they build, and whether output is JSON.
import type { Command } from 'commander';
import { Client, Connection } from '../../../client/index.js';

export interface RemoteFlags {
  readonly address?: string;
  readonly apiKey?: string;
  readonly namespace?: string;
}

/** Adds `--address`, `--api-key` and `--namespace` to a command. */
export function withRemote(cmd: Command): Command {
  return cmd
    .option('--address <url>', 'server address (env AION_ADDRESS; default http://127.0.0.1:7233)')
    .option('--api-key <key>', 'API key (env AION_API_KEY)')
    .option('--namespace <name>', 'namespace (env AION_NAMESPACE; default "default")');
}

/** Connects to the server the flags (or the environment) name. */
export async function clientFor(flags: RemoteFlags): Promise<Client> {
  const connection = await Connection.connect({
    ...(flags.address ? { address: flags.address } : {}),
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
  });
  return new Client({ connection, ...(flags.namespace ? { namespace: flags.namespace } : {}) });
}

/** Reads the global `--json` flag at action time (it is parsed after registration). */
export function jsonFlag(program: Command): () => boolean {
  return () => program.opts<{ json: boolean }>().json;
}
