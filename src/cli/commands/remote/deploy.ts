// Package management on a server: `aion deploy`, `versions`, `route` (rollback and
// roll-forward) and `unload`.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Client } from '../../../client/index.js';
import { AionError } from '../../../core/index.js';
import { printResult, QuietFailure, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';

/** `aion deploy`, `versions`, `route` and `unload`. */
export function registerDeployCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);

  withRemote(
    program.command('deploy').description('deploy a package file (.aion) to the server (admin)'),
  )
    .argument('<file>', 'package file built by aion build')
    .option(
      '--check',
      'deploy nothing: replay open runs of the types the package exports against it and list those that diverge (exit code 1 when any does)',
    )
    .option(
      '--sample <n>',
      'with --check: how many open runs to replay, newest first (1-1000)',
      '50',
    )
    .action(async (file: string, flags: RemoteFlags & { check?: boolean; sample: string }) => {
      const bytes = await readPackage(file);
      const client = await clientFor(flags);
      if (flags.check === true) {
        await checkDeploy(io, json(), client, bytes, flags.sample);
        return;
      }
      const result = await client.deploy(bytes);
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

async function readPackage(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new AionError(
      'invalid_argument',
      `cannot read package ${file}: ${(err as Error).message}`,
      {
        path: file,
      },
    );
  }
}

/** `aion deploy --check`: a table of the runs that diverge; exit code 1 when any does. */
async function checkDeploy(
  io: CliIo,
  json: boolean,
  client: Client,
  bytes: Uint8Array,
  sampleText: string,
): Promise<void> {
  const sample = Number(sampleText);
  if (!Number.isInteger(sample) || sample < 1 || sample > 1000) {
    throw new AionError(
      'invalid_argument',
      `--sample must be an integer from 1 to 1000 (got ${sampleText})`,
      {
        field: 'sample',
      },
    );
  }
  const result = await client.checkDeploy(bytes, { sample });
  printResult(io, json, result, () => {
    const summary = `checked ${result.checked} open run(s) of ${result.workflowTypes.join(', ') || 'no workflow types'} against ${result.version.slice(0, 12)}: ${result.passed} replay, ${result.diverged.length} diverge`;
    if (result.diverged.length === 0) return `${summary}; nothing was deployed`;
    const rows = result.diverged.map((d) => [
      d.workflowId,
      d.runId,
      d.workflowType,
      d.version.slice(0, 12),
      d.message,
    ]);
    return `${table(['WORKFLOW ID', 'RUN ID', 'TYPE', 'PINNED', 'DIVERGENCE'], rows)}\n${summary}; nothing was deployed`;
  });
  if (result.diverged.length > 0) {
    throw new QuietFailure(
      new AionError(
        'nondeterminism',
        `${result.diverged.length} of ${result.checked} open run(s) do not replay on ${result.version.slice(0, 12)}`,
      ),
    );
  }
}
