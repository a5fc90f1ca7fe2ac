// What `aion cluster status` and GET /api/v1/cluster show: the nodes serving the engine's
// store and who owns each shard (PostgreSQL), or that the store belongs to this process alone
// (SQLite, memory). See docs/storage.md and docs/adr/0013-node-leases-and-fencing.md.
import type { Store } from '../../store/index.js';

/** One node row, with how many shards it holds. */
export interface StoreNode {
  readonly nodeId: string;
  readonly host: string;
  readonly pid: number;
  readonly mode: string;
  /** Epoch ms, by the database's clock. */
  readonly startedAt: number;
  readonly heartbeatAt: number;
  readonly ownedShards: number;
  /** This engine. */
  readonly self: boolean;
  /** A cluster node handing its shards off before it stops (`aion cluster drain`). */
  readonly draining?: boolean;
}

/** Owners of the shards, grouped: shard ranges are listed per owner with their epochs. */
export interface ShardOwnership {
  /** Node id, or absent for released shards. */
  readonly owner?: string;
  readonly shards: number;
  readonly minEpoch: number;
  readonly maxEpoch: number;
  /** The earliest lease expiry of the group (database clock, epoch ms). */
  readonly expiresAt?: number;
}

export interface StoreNodesStatus {
  /** Store adapter: `postgres`, `sqlite` or `memory`. */
  readonly store: string;
  /** `single`: one engine serves the store; `cluster`: cluster nodes share its shards. */
  readonly mode: 'single' | 'cluster';
  /** Whether the store has node leases (PostgreSQL); false: the store is this process's. */
  readonly leases: boolean;
  /** This engine's node id (PostgreSQL). */
  readonly nodeId?: string;
  readonly shardCount?: number;
  /** The database's clock when read (epoch ms). */
  readonly now?: number;
  readonly nodes: readonly StoreNode[];
  readonly shards: readonly ShardOwnership[];
  /** Set when this engine lost its leases to another node: it writes nothing more. */
  readonly lost?: { readonly code: string; readonly message: string };
}

/** Reads the membership of `store` (one round trip per table) as seen by `nodeId`. */
export async function storeNodes(
  store: Store,
  nodeId: string | undefined,
  cluster = false,
): Promise<StoreNodesStatus> {
  const mode = cluster ? ('cluster' as const) : ('single' as const);
  const membership = store.membership;
  if (membership === undefined) {
    return { store: store.kind, mode, leases: false, nodes: [], shards: [] };
  }
  const lost = membership.lost;
  if (lost) {
    const code = (lost as { code?: string }).code ?? 'store_locked';
    return {
      store: store.kind,
      mode,
      leases: true,
      ...(nodeId ? { nodeId } : {}),
      nodes: [],
      shards: [],
      lost: { code, message: lost.message },
    };
  }
  const s = await membership.status();
  const groups = new Map<string | undefined, ShardOwnership>();
  for (const l of s.leases) {
    const g = groups.get(l.owner);
    groups.set(l.owner, {
      ...(l.owner !== undefined ? { owner: l.owner } : {}),
      shards: (g?.shards ?? 0) + 1,
      minEpoch: Math.min(g?.minEpoch ?? l.epoch, l.epoch),
      maxEpoch: Math.max(g?.maxEpoch ?? l.epoch, l.epoch),
      ...(l.until !== undefined || g?.expiresAt !== undefined
        ? { expiresAt: Math.min(g?.expiresAt ?? Infinity, l.until ?? Infinity) }
        : {}),
    });
  }
  return {
    store: store.kind,
    mode,
    leases: true,
    ...(nodeId ? { nodeId } : {}),
    shardCount: s.shardCount,
    now: s.now,
    nodes: s.nodes.map((n) => ({
      nodeId: n.nodeId,
      host: n.host,
      pid: n.pid,
      mode: n.mode,
      startedAt: n.startedAt,
      heartbeatAt: n.heartbeatAt,
      ownedShards: groups.get(n.nodeId)?.shards ?? 0,
      self: n.nodeId === nodeId,
      ...(n.draining ? { draining: true } : {}),
    })),
    shards: [...groups.values()],
  };
}
