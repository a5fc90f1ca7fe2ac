// Package management on a server: `aion deploy`, `versions`, `route` (rollback and
// roll-forward) and `unload`.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AionError } from '../../../core/index.js';
import { printResult, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';

/** `aion deploy`, `versions`, `route` and `unload`. */
export function registerDeployCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  withRemote(
    program.command('deploy').description('deploy a package file (.aion) to the server (admin)'),
  )
    .argument('<file>', 'package file built by aion build')
    .action(async (file: string, flags: RemoteFlags) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new AionError(
          'invalid_argument',
          `cannot read package ${file}: ${(err as Error).message}`,
          { path: file },
        );
      }
      const result = await (await clientFor(flags)).deploy(bytes);
      printResult(
        io,
        json(),
        result,
        () =>
          `deployed ${result.version.slice(0, 12)}${result.freshlyLoaded ? '' : ' (already deployed)'}${result.routeChanged ? '; routes updated' : ''}`,
      );
    });

  withRemote(program.command('versions').description('list deployed package versions')).action(
    async (flags: RemoteFlags) => {
      const versions = await (await clientFor(flags)).versions();
      printResult(io, json(), { versions }, () =>
        table(
          ['VERSION', 'NAME', 'DEPLOYED', 'ROUTED TYPES', 'OPEN RUNS'],
          versions.map((v) => [
            v.version.slice(0, 12),
            v.name,
            date(v.deployedAt),
            v.routedTypes.join(',') || '-',
            String(v.openRuns),
          ]),
        ),
      );
    },
  );

  withRemote(
    program
      .command('route')
      .description('route a workflow type to a deployed version (rollback/roll-forward)'),
  )
    .argument('<workflowType>')
    .argument('<version>', 'full package version (sha-256 hex)')
    .action(async (type: string, version: string, flags: RemoteFlags) => {
      await (await clientFor(flags)).route(type, version);
      printResult(io, json(), { ok: true }, () => `routed ${type} -> ${version.slice(0, 12)}`);
    });

  withRemote(
    program
      .command('unload')
      .description('unload a package version (refused while routed or pinned)'),
  )
    .argument('<version>', 'full package version (sha-256 hex)')
    .action(async (version: string, flags: RemoteFlags) => {
      await (await clientFor(flags)).unload(version);
      printResult(io, json(), { ok: true }, () => `unloaded ${version.slice(0, 12)}`);
    });
}
