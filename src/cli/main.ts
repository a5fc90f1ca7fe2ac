import { Command, CommanderError } from 'commander';
import { AionError } from '../core/index.js';
import { registerBenchCommand } from './bench/index.js';
import { registerBackupCommand } from './commands/backup.js';
import { registerDemoCommand } from './commands/demo.js';
import { QuietFailure, registerPackageCommands } from './commands/package.js';
import { registerAuditCommands, registerKeyCommands } from './commands/keys.js';
import { registerServerCommands } from './commands/server.js';
import { registerRemoteCommands } from './commands/remote/index.js';
import { registerDevCommands } from './commands/dev.js';
import { aionVersion } from './installation.js';
import { processIo, reportError, type CliIo } from './output.js';

export interface GlobalOptions {
  readonly json: boolean;
}

/** Builds the `aion` program. Each command module registers itself. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('aion')
    .description('Aion: durable workflows for TypeScript')
    .version(aionVersion(), '-V, --version', 'print the Aion version')
    .option('--json', 'machine-readable JSON output', false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined });
  registerDemoCommand(program, io);
  registerPackageCommands(program, io);
  registerServerCommands(program, io);
  registerKeyCommands(program, io);
  registerAuditCommands(program, io);
  registerBackupCommand(program, io);
  registerRemoteCommands(program, io);
  registerDevCommands(program, io);
  registerBenchCommand(program, io);
  return program;
}

/** Runs the CLI and returns the process exit code (never throws, never calls process.exit). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof QuietFailure) return error.failure.exitCode;
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return 0;
      if (error.code === 'commander.help') return 0;
      return reportError(io, new AionError('usage', error.message.replace(/^error: /, '')), json);
    }
    return reportError(io, error, json);
  }
}
