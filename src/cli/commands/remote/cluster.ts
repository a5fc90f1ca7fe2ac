// `aion cluster status`: the nodes serving the server's store and who holds each shard's
// lease (GET /api/v1/cluster).
import type { Command } from 'commander';
import type { StoreNodesStatus } from '../../../engine/index.js';
import { printResult, withHints, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function statusText(s: StoreNodesStatus): string {
  if (s.lost) return `this node lost its store: ${s.lost.message}`;
  if (!s.leases) {
    return `store: ${s.store} — one engine, this process (the store belongs to it alone; no node leases)`;
  }
  const now = s.now ?? Date.now();
  const head = `store: ${s.store} · mode: ${s.mode} · shards: ${s.shardCount ?? '-'} · this node: ${s.nodeId ?? '-'}`;
  const label = (n: StoreNodesStatus['nodes'][number]): string =>
    `${n.nodeId}${n.self ? ' (this)' : ''}${n.draining ? ' (draining)' : ''}`;
  const nodes = table(
    ['NODE', 'HOST', 'PID', 'SHARDS', 'STARTED', 'HEARTBEAT'],
    s.nodes.map((n) => [
      label(n),
      n.host,
      String(n.pid),
      String(n.ownedShards),
      date(new Date(n.startedAt)),
      `${seconds(Math.max(0, now - n.heartbeatAt))} ago`,
    ]),
  );
  const shards = table(
    ['OWNER', 'SHARDS', 'EPOCHS', 'EXPIRES IN'],
    s.shards.map((g) => [
      g.owner ?? '(released)',
      String(g.shards),
      g.minEpoch === g.maxEpoch ? String(g.minEpoch) : `${g.minEpoch}-${g.maxEpoch}`,
      g.expiresAt === undefined ? '-' : seconds(g.expiresAt - now),
    ]),
  );
  return `${head}\n\n${nodes}\n\n${shards}`;
}

/** `aion cluster status` and `aion cluster drain`. */
export function registerClusterCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const cluster = program
    .command('cluster')
    .description("the nodes serving the server's store, and the shard leases");
  withRemote(
    cluster
      .command('status')
      .description('show the nodes, which node holds the shard leases, their epochs and expiry'),
  ).action(async (flags: RemoteFlags) =>
    withHints({}, async () => {
      const client = await clientFor(flags);
      const status = await client.connection.request<StoreNodesStatus>('GET', '/api/v1/cluster');
      printResult(io, json(), status, () => statusText(status));
    }),
  );
  withRemote(
    cluster
      .command('drain <node>')
      .description(
        "hand a cluster node's shards to the other nodes before it is stopped (a rolling restart)",
      ),
  ).action(async (node: string, flags: RemoteFlags) =>
    withHints({}, async () => {
      const client = await clientFor(flags);
      const out = await client.connection.request<{ nodeId: string; draining: boolean }>(
        'POST',
        `/api/v1/cluster/nodes/${encodeURIComponent(node)}/drain`,
      );
      printResult(
        io,
        json(),
        out,
        () =>
          `node ${out.nodeId} is draining: its shards move to the other nodes within a few lease beats (watch \`aion cluster status\`); stop it once it holds none`,
      );
    }),
  );
}
