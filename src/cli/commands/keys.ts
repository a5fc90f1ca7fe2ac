// `aion key …` (API keys in a store, run beside a stopped server — or beside a running one on
// PostgreSQL) and `aion audit tail|export` (the audit trail, read from a running server).
import type { Command } from 'commander';
import { AionError, parseDuration } from '../../core/index.js';
import { ApiKeys, isRole, loadConfig, type ApiKeyInfo } from '../../server/index.js';
import type { AuditRecord, Store } from '../../store/index.js';
import { printResult, withHints, type CliIo } from '../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './remote/connect.js';
import { openStore } from './server.js';

interface StoreFlags {
  readonly dataDir?: string;
  readonly store?: string;
  readonly config?: string;
}

function withStore(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory of the server (default .aion)')
    .option('--store <store>', '"sqlite" (default) or a postgres:// connection string')
    .option('--config <file>', 'config file (default: ./aion.config.json if present)');
}

/** Runs `fn` on the keys of the store the flags name (importing a legacy key file first). */
async function withKeys<T>(flags: StoreFlags, fn: (keys: ApiKeys) => Promise<T>): Promise<T> {
  const config = loadConfig({
    ...(flags.config ? { file: flags.config } : {}),
    flags: { dataDir: flags.dataDir, store: flags.store },
  });
  const store: Store = await withHints(
    {
      store_locked:
        'the server is running on this data directory: manage keys over the API with an admin key (POST /api/v1/keys), or stop the server first',
    },
    () => openStore(config),
  );
  try {
    const keys = new ApiKeys(store);
    await keys.importKeyFile(config.dataDir);
    return await fn(keys);
  } finally {
    await store.close();
  }
}

function keyLine(k: ApiKeyInfo): string {
  const scope = k.namespaces === null ? '*' : k.namespaces.join(',');
  const state =
    k.revokedAt !== null
      ? 'revoked'
      : k.expiresAt !== null && k.expiresAt <= Date.now()
        ? 'expired'
        : 'live';
  return `${k.id}  ${k.role.padEnd(8)}  ${state.padEnd(7)}  ${scope}  ${k.name}  ${new Date(k.createdAt).toISOString()}`;
}

/** `aion key create|list|revoke`. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const key = program.command('key').description('manage the API keys of a store (server-side)');
  withStore(
    key
      .command('create')
      .description('create an API key; the token is printed once')
      .requiredOption('--role <role>', 'reader | operator | worker | admin')
      .option('--name <name>', 'a label for the key', 'cli')
      .option('--namespace <name...>', 'limit the key to these namespaces (default: every one)')
      .option('--expires-in <duration>', "the key stops working after this long (e.g. '90 days')"),
  ).action(
    async (
      o: StoreFlags & { role: string; name: string; namespace?: string[]; expiresIn?: string },
    ) => {
      if (!isRole(o.role)) {
        throw new AionError(
          'invalid_argument',
          `--role must be reader, operator, worker or admin (got ${JSON.stringify(o.role)})`,
          { field: 'role' },
        );
      }
      const role = o.role;
      const expiresAt = o.expiresIn ? Date.now() + parseDuration(o.expiresIn, 'expires-in') : null;
      const created = await withKeys(o, (keys) =>
        keys.create({ name: o.name, role, namespaces: o.namespace ?? null, expiresAt }),
      );
      printResult(io, json(), created, () =>
        [
          `created ${created.key.role} key ${created.key.id} (${created.key.name})`,
          created.token,
        ].join('\n'),
      );
    },
  );
  withStore(key.command('list').description('list API keys (never the tokens)')).action(
    async (o: StoreFlags) => {
      const keys = await withKeys(o, (k) => k.list());
      printResult(io, json(), { keys }, () =>
        keys.length === 0 ? 'no keys' : keys.map(keyLine).join('\n'),
      );
    },
  );
  withStore(
    key
      .command('revoke')
      .description('revoke an API key by id, for good')
      .argument('<id>', 'key id'),
  ).action(async (id: string, o: StoreFlags) => {
    await withKeys(o, (k) => k.revoke(id));
    printResult(io, json(), { revoked: id }, () => `revoked ${id}`);
  });
}

function auditLine(e: AuditRecord): string {
  const where = [e.namespace, e.target].filter((x) => x !== null).join('/');
  const how = e.outcome === 'ok' ? 'ok' : `${e.outcome} ${e.code ?? ''}`.trim();
  const times = e.count > 1 ? ` ×${e.count}` : '';
  return `${new Date(e.time).toISOString()}  ${e.subject}  ${e.action}  ${where || '-'}  ${how}${times}`;
}

type AuditFlags = RemoteFlags & { since: string; follow?: boolean };

/** Pages through `GET /api/v1/audit` from `afterSeq`, calling `each` per page; returns the last seq. */
async function readPages(
  flags: AuditFlags,
  afterSeq: number,
  each: (entries: readonly AuditRecord[]) => void,
): Promise<number> {
  const client = await clientFor(flags);
  const since = Date.now() - parseDuration(flags.since, 'since');
  for (;;) {
    const { entries } = await client.connection.request<{ entries: AuditRecord[] }>(
      'GET',
      `/api/v1/audit?limit=1000&since=${since}&afterSeq=${afterSeq}`,
    );
    if (entries.length === 0) return afterSeq;
    each(entries);
    afterSeq = entries[entries.length - 1]!.seq;
  }
}

/** `aion audit tail|export`. */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const audit = program.command('audit').description('read the audit trail of a server (admin)');
  withRemote(
    audit
      .command('tail')
      .description('print the audit entries of the last --since, then (with --follow) new ones')
      .option('--since <duration>', 'how far back to start', '1h')
      .option('-f, --follow', 'keep printing new entries until interrupted'),
  ).action(async (flags: AuditFlags) => {
    const print = (entries: readonly AuditRecord[]): void => {
      for (const e of entries) io.stdout(`${json() ? JSON.stringify(e) : auditLine(e)}\n`);
    };
    let seq = await readPages(flags, 0, print);
    while (flags.follow === true) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      seq = await readPages(flags, seq, print);
    }
  });
  withRemote(
    audit
      .command('export')
      .description('write the audit entries of the last --since as JSON lines on standard output')
      .option('--since <duration>', 'how far back to start', '3650 days'),
  ).action(async (flags: AuditFlags) => {
    await readPages(flags, 0, (entries) => {
      for (const e of entries) io.stdout(`${JSON.stringify(e)}\n`);
    });
  });
}
