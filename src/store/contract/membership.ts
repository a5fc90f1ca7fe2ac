// The membership part of the store contract: which engine nodes serve a shared store, and
// which node owns each shard through a time-limited lease with a fencing epoch. Only stores
// several processes can share (PostgreSQL) have it; a SQLite file has its owner row, and a
// memory store lives in one process. See docs/adr/0013-node-leases-and-fencing.md.

/** Who a node is: enough to tell a dead process on the same machine from a live one. */
export interface NodeIdentity {
  /** Unique per process start (the engine's identity). */
  readonly nodeId: string;
  readonly host: string;
  readonly pid: number;
  /** `boot:<Linux boot id>` or `host:<name>` (see shared/machine.ts). */
  readonly machine: string;
  readonly pidNamespace: string;
  /**
   * `single`: this node owns every shard and refuses to share the store. `cluster`: it shares
   * the shards with the other cluster nodes (see {@link Membership.join}).
   */
  readonly mode: 'single' | 'cluster';
}

/** A node row as stored (times are epoch ms, read from the database's clock). */
export interface NodeRecord extends NodeIdentity {
  /** A cluster node handing its shards off before it stops (`aion cluster drain`). */
  readonly draining?: boolean;
  readonly startedAt: number;
  readonly heartbeatAt: number;
}

/** One shard's lease. `owner` is absent when the shard was released. */
export interface ShardLease {
  readonly shard: number;
  readonly owner?: string;
  readonly epoch: number;
  /** Lease expiry (epoch ms, database clock); absent when released. */
  readonly until?: number;
}

/** What a claim found: ok, or the live node that holds shards (and until when). */
export type ClaimOutcome =
  | { readonly ok: true; readonly shards: number; readonly tookOverFrom: readonly string[] }
  | {
      readonly ok: false;
      /** The holder's node row; absent when its row was deleted while its leases live on. */
      readonly holder?: NodeRecord;
      readonly holderId: string;
      /** The latest expiry among the holder's live leases (database clock, epoch ms). */
      readonly until: number;
      /** The database's clock when the claim was refused. */
      readonly now: number;
    };

/** Told what happens to the leases after a successful claim (metrics, logs). */
export interface LeaseObserver {
  /** A renewal extended `held` leases. */
  renewed?(held: number): void;
  /** A renewal could not reach the database (the next beat tries again). */
  renewFailed?(error: unknown): void;
  /** Another node took the shards over: the store refuses every call from now on. */
  lost?(error: Error): void;
  /** The leases were released (a clean leave). */
  released?(): void;
}

/**
 * Told how a cluster node's share of the shards changes (see {@link Membership.join}). The
 * membership calls these one at a time, in order, and waits for each.
 */
export interface ShardObserver extends LeaseObserver {
  /**
   * Shards newly held, each at a new epoch: recover their runs, timers and outbox rows.
   * `deadOwners` are the previous holders found dead (their task leases may be voided).
   */
  acquired(shards: readonly number[], deadOwners: readonly string[]): Promise<void>;
  /**
   * Shards to hand to another node: stop taking their work, and resolve once nothing of them
   * is in flight. The membership releases them afterwards (the new owner claims them).
   */
  handOff(shards: readonly number[]): Promise<void>;
  /**
   * Shards no longer held (another node took them after this one's leases expired, or a commit
   * found them moved): their writes are already refused; drop what is in memory of them.
   */
  lostShards(shards: readonly number[]): void;
}

/**
 * Whether this node's leases have held without a break since a moment it marked. Other nodes
 * void the task leases of a node whose shard leases expired, so a task leased to this node
 * before a break (a freeze, a partition) may already run elsewhere: its attempt must confirm
 * its lease in the store before it starts. Judged on this process's monotonic clock.
 */
export interface LeaseStanding {
  /** A mark to take just before a task lease is written. */
  mark(): number;
  /**
   * True when the leases have held since `mark` was taken and still hold now (with a margin):
   * no other node can have voided a task lease written after the mark.
   */
  heldSince(mark: number): boolean;
}

/** Membership of a shared store, and the fencing of its writes. */
export interface Membership {
  /** Whether this node's leases held without a break (see {@link LeaseStanding}). */
  readonly standing: LeaseStanding;
  /** The fixed number of shards of the store (set when the schema is created). */
  shardCount(): Promise<number>;
  /**
   * Claims every shard for `node` as a single node: each lease gets a new epoch and expires
   * `ttlMs` after the database's `now()`. Refused (nothing written) while another node holds a
   * live lease, unless that node is provably gone (same machine and PID namespace, process
   * ended). From a successful claim on, every commit of this store is fenced by the epochs:
   * once another node has taken a shard over, a commit touching it fails with `store_locked`
   * and writes nothing, and the store refuses every later call (this node must stop). The
   * store renews the leases every `ttlMs / 3` until {@link release} or `close()`.
   */
  claimAll(node: NodeIdentity, ttlMs: number, observer?: LeaseObserver): Promise<ClaimOutcome>;
  /**
   * Joins the cluster as `node`: registers its node row and, at every beat (`ttlMs / 3`),
   * renews its leases, claims the shards rendezvous hashing gives it over the live nodes
   * (free or expired ones at once; held ones once their owner hands them off), and hands off
   * those it holds that now belong to another live node. Refused with `store_locked` while a
   * single-mode node holds the store. Resolves after the first beat. Every commit is fenced
   * per shard: a commit touching a shard this node does not hold fails with `store_locked`
   * (reason `shard_moved`) and writes nothing, without affecting the other shards.
   */
  join(node: NodeIdentity, ttlMs: number, observer: ShardObserver): Promise<void>;
  /** The shards this node holds now (cluster mode), or every shard (single mode). */
  held(): readonly number[];
  /**
   * Hands every shard off and stops claiming (a drain before a stop): resolves once none is
   * held. The node row stays until {@link release}.
   */
  drain(): Promise<void>;
  /**
   * Asks the cluster node `nodeId` (any node, from any process) to drain: it hands its shards
   * off at its next beat and claims none after. False when no such cluster node is registered.
   */
  requestDrain(nodeId: string): Promise<boolean>;
  /** Releases the leases (keeping their epochs) and deletes the node row: a clean leave. */
  release(): Promise<void>;
  /** Set once this node has lost a lease: the store must not be used any more. */
  readonly lost: Error | undefined;
  /** Nodes, leases and the database's clock, for status pages. */
  status(): Promise<{
    readonly now: number;
    readonly shardCount: number;
    readonly nodes: readonly NodeRecord[];
    readonly leases: readonly ShardLease[];
  }>;
}

/** A store that several processes can share has `membership`. */
export interface SharedStore {
  readonly membership?: Membership;
}
