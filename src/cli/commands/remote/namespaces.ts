// Namespace administration: `aion namespace create|list|describe|update` and the custom
// search attributes of a namespace (`aion search-attribute list|register`).
import type { Command } from 'commander';
import { AionError } from '../../../core/index.js';
import type { NamespaceDescription } from '../../../client/index.js';
import { printResult, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { table } from './format.js';

type SettingsFlags = RemoteFlags & { description?: string; retention?: string };

function nsLine(n: NamespaceDescription): string {
  return `${n.name}  retention ${n.retentionMs === null ? 'forever' : `${Math.round(n.retentionMs / 3_600_000)}h`}${n.description ? `  ${n.description}` : ''}`;
}

/** `aion namespace create|list|describe|update`. */
export function registerNamespaceCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const nsCmd = program.command('namespace').description('namespaces: isolated sets of workflows');
  withRemote(nsCmd.command('create').description('create a namespace (admin)'))
    .argument('<name>')
    .option('--description <text>', 'description')
    .option(
      '--retention <duration>',
      "keep closed runs this long, e.g. '30 days' (default: forever)",
    )
    .action(async (name: string, flags: SettingsFlags) => {
      const created = await (
        await clientFor(flags)
      ).createNamespace(name, {
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.retention ? { retention: flags.retention } : {}),
      });
      printResult(
        io,
        json(),
        created,
        () => `${created.created ? 'created' : 'exists'}: ${nsLine(created)}`,
      );
    });
  withRemote(nsCmd.command('list').description('list namespaces')).action(
    async (flags: RemoteFlags) => {
      const list = await (await clientFor(flags)).listNamespaces();
      printResult(io, json(), { namespaces: list }, () => list.map(nsLine).join('\n'));
    },
  );
  withRemote(nsCmd.command('describe').description("show a namespace's settings"))
    .argument('[name]', 'namespace (default: --namespace)')
    .action(async (name: string | undefined, flags: RemoteFlags) => {
      const client = await clientFor(flags);
      const n = await client.describeNamespace(name ?? client.namespace);
      printResult(io, json(), n, () => nsLine(n));
    });
  withRemote(
    nsCmd.command('update').description("change a namespace's description or retention (admin)"),
  )
    .argument('<name>')
    .option('--description <text>', 'description')
    .option(
      '--retention <duration>',
      "keep closed runs this long, e.g. '30 days'; 'forever' keeps them",
    )
    .action(async (name: string, flags: SettingsFlags) => {
      if (flags.description === undefined && flags.retention === undefined) {
        throw new AionError('invalid_argument', 'pass --description and/or --retention', {
          field: 'settings',
        });
      }
      const n = await (
        await clientFor(flags)
      ).updateNamespace(name, {
        ...(flags.description !== undefined ? { description: flags.description } : {}),
        ...(flags.retention !== undefined
          ? { retention: flags.retention === 'forever' ? null : flags.retention }
          : {}),
      });
      printResult(io, json(), n, () => `updated: ${nsLine(n)}`);
    });
}

/** `aion search-attribute list|register`. */
export function registerSearchAttributeCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const sa = program
    .command('search-attribute')
    .description('custom search attributes of a namespace');
  withRemote(sa.command('list').description('list registered search attributes')).action(
    async (flags: RemoteFlags) => {
      const attrs = await (await clientFor(flags)).searchAttributes();
      printResult(io, json(), { searchAttributes: attrs }, () =>
        Object.keys(attrs).length === 0
          ? 'no custom search attributes'
          : table(
              ['NAME', 'TYPE'],
              Object.entries(attrs).map(([n, t]) => [n, t]),
            ),
      );
    },
  );
  withRemote(sa.command('register').description('register search attributes (admin)'))
    .argument('<name:type...>', 'e.g. CustomerId:Keyword Amount:Double')
    .action(async (pairs: string[], flags: RemoteFlags) => {
      const defs: Record<string, string> = {};
      for (const pair of pairs) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z]+)$/.exec(pair);
        if (!m) {
          throw new AionError(
            'invalid_argument',
            `${JSON.stringify(pair)} is not name:type (types: Keyword, KeywordList, Text, Int, Double, Bool, Datetime)`,
            { field: 'searchAttribute' },
          );
        }
        defs[m[1]!] = m[2]!;
      }
      await (await clientFor(flags)).registerSearchAttributes(defs);
      printResult(io, json(), { ok: true }, () => `registered ${Object.keys(defs).join(', ')}`);
    });
}
