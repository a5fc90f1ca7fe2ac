import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AionError } from '../../core/index.js';
import { printResult, withHint, type CliIo } from '../output.js';

interface BackupFlags {
  readonly out: string;
  readonly dataDir: string;
}

/** `aion backup`: an online copy of a data directory's SQLite store. */
export function registerBackupCommand(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      "copy a data directory's SQLite store to a new file: one consistent snapshot, also while the server runs",
    )
    .requiredOption('--out <file>', 'the backup file to create (it must not exist)')
    .option('--data-dir <dir>', 'data directory of the server', '.aion')
    .action(async (flags: BackupFlags) => {
      const json = program.opts<{ json: boolean }>().json;
      const store = path.join(flags.dataDir, 'aion.db');
      if (!existsSync(store)) {
        throw withHint(
          new AionError('not_found', `no Aion store at ${store}`, { path: store }),
          'pass the --data-dir of the server whose store to back up (a PostgreSQL store is backed up with PostgreSQL tools)',
        );
      }
      const { backupSqliteFile } = await import('../../store/sqlite/index.js');
      const started = Date.now();
      const result = await backupSqliteFile({ path: store, out: flags.out });
      const ms = Date.now() - started;
      printResult(io, json, { store, ...result, ms }, () => {
        return `backed up ${store} to ${result.path} (${result.bytes} bytes, ${ms} ms)`;
      });
    });
}
