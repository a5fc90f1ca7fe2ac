// Node rows and shard leases of a PostgreSQL store (migration 6), and the fence every commit
// passes. Lease expiry is judged by PostgreSQL's clock (`now()` in the statements), never by
// comparing node clocks. See docs/adr/0013-node-leases-and-fencing.md.
import { AionError, type RunKey } from '../../core/index.js';
import type {
  ClaimOutcome,
  LeaseObserver,
  Membership,
  NodeIdentity,
  NodeRecord,
  ShardLease,
  ShardObserver,
} from '../contract/index.js';
import { recordedProcessEnded, RenewedStanding, shardOf } from '../shared/index.js';
import { intArray } from './arrays.js';
import { ClusterBalancer, type IsGone } from './cluster-balance.js';
import type { PgDriver, Queryable, Row } from './driver.js';

/** Node ids whose store is open in this process (a holder with our PID but not here is gone). */
const liveNodes = new Set<string>();

const ms = (column: string): string => `(extract(epoch from ${column}) * 1000)::int8`;

const NODE_COLUMNS = `node_id, mode, host, pid, machine, pid_namespace,
  ${ms('started_at')} AS started_at, ${ms('heartbeat_at')} AS heartbeat_at`;

function toNode(row: Row): NodeRecord {
  return {
    nodeId: String(row.node_id),
    mode: row.mode === 'single' ? 'single' : 'cluster',
    ...(row.mode === 'draining' ? { draining: true } : {}),
    host: String(row.host),
    pid: Number(row.pid),
    machine: String(row.machine),
    pidNamespace: String(row.pid_namespace),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}

/** Whether a node recorded as holding leases has provably ended (so it can be taken over). */
function provablyGone(holder: NodeRecord | undefined): boolean {
  if (holder === undefined || liveNodes.has(holder.nodeId)) return false;
  return recordedProcessEnded(holder);
}

/** A recorded node that has provably ended: its process on this machine is gone. */
const isGone: IsGone = (n) => !liveNodes.has(n.nodeId) && recordedProcessEnded(n);

/** The shards a batch of commits touches, for the fence. */
export function shardsOf(runs: readonly RunKey[], count: number): number[] {
  return [...new Set(runs.map((r) => shardOf(r.namespace, r.workflowId, count)))].sort(
    (a, b) => a - b,
  );
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 100) {
    throw new AionError('invalid_argument', `lease ttl must be at least 100 ms, got ${ttlMs}`, {
      field: 'leaseTtlMs',
    });
  }
}

/** A commit touching shards this node does not hold (any more): nothing was written. */
export function shardMoved(shards: readonly number[]): AionError {
  return new AionError(
    'store_locked',
    `shard ${shards.join(', ')} is not held by this node (another cluster node owns it now); nothing was written`,
    { reason: 'shard_moved', shards: [...shards] },
  );
}

export class PgMembership implements Membership {
  readonly #db: PgDriver;
  readonly #s: string;
  #count: number | undefined;
  #node: NodeIdentity | undefined;
  #ttlMs = 0;
  /** Epoch of each shard this node holds, by shard. */
  readonly #epochs = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  /** Grows at every claim and release, so a renewal in flight across one is ignored. */
  #generation = 0;
  #lost: AionError | undefined;
  #observer: LeaseObserver | undefined;
  /** Set in cluster mode (join): the node holds a share of the shards. */
  #cluster: ClusterBalancer | undefined;
  readonly standing = new RenewedStanding();

  constructor(db: PgDriver, s: string) {
    this.#db = db;
    this.#s = s;
    db.setGuard(() => this.#lost);
  }

  get lost(): AionError | undefined {
    return this.#lost;
  }

  async shardCount(): Promise<number> {
    if (this.#count === undefined) {
      const rows = await this.#db.query(`SELECT shard_count FROM ${this.#s}.cluster`);
      this.#count = Number(rows[0]?.shard_count);
    }
    return this.#count;
  }

  async claimAll(
    node: NodeIdentity,
    ttlMs: number,
    observer?: LeaseObserver,
  ): Promise<ClaimOutcome> {
    checkTtl(ttlMs);
    await this.shardCount();
    const sentAt = this.standing.now();
    const outcome = await this.#db.tx('claim shards', (q) => this.#claim(q, node, ttlMs));
    if (!outcome.ok) return outcome;
    this.standing.renewed(sentAt, ttlMs);
    this.#node = node;
    this.#ttlMs = ttlMs;
    this.#observer = observer;
    liveNodes.add(node.nodeId);
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, Math.floor(ttlMs / 3)));
    this.#timer.unref();
    return outcome;
  }

  async #claim(q: Queryable, node: NodeIdentity, ttlMs: number): Promise<ClaimOutcome> {
    const s = this.#s;
    // Claims serialise on the lease rows; the advisory lock orders them before any read.
    await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`aion.claim:${s}`]);
    const held = await q.query(
      `SELECT l.owner, ${ms('max(l.lease_until)')} AS until, ${ms('now()')} AS now
         FROM ${s}.shard_leases l
        WHERE l.owner IS NOT NULL AND l.owner <> $1 AND l.lease_until > now()
        GROUP BY l.owner`,
      [node.nodeId],
    );
    const holders = await this.#nodes(
      q,
      held.map((h) => String(h.owner)),
    );
    const tookOverFrom: string[] = [];
    for (const h of held) {
      const holderId = String(h.owner);
      const holder = holders.get(holderId);
      if (!provablyGone(holder)) {
        return {
          ok: false,
          holderId,
          ...(holder ? { holder } : {}),
          until: Number(h.until),
          now: Number(h.now),
        };
      }
      tookOverFrom.push(holderId);
    }
    await this.#endSessionsOfPreviousOwners(q, node.nodeId);
    const rows = await q.query(
      `UPDATE ${s}.shard_leases
          SET owner = $1, epoch = epoch + 1, lease_until = now() + make_interval(secs => $2::int8 / 1000.0)
        RETURNING shard, epoch`,
      [node.nodeId, ttlMs],
    );
    await q.query(
      `INSERT INTO ${s}.nodes (node_id, mode, host, pid, machine, pid_namespace, app_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()`,
      [
        node.nodeId,
        node.mode,
        node.host,
        node.pid,
        node.machine,
        node.pidNamespace,
        this.#db.applicationName ?? null,
      ],
    );
    // Rows of nodes that hold nothing any more (killed, taken over) are history.
    await q.query(
      `DELETE FROM ${s}.nodes n WHERE n.node_id <> $1
          AND NOT EXISTS (SELECT 1 FROM ${s}.shard_leases l WHERE l.owner = n.node_id)`,
      [node.nodeId],
    );
    this.#generation++;
    this.#epochs.clear();
    for (const r of rows) this.#epochs.set(Number(r.shard), Number(r.epoch));
    return { ok: true, shards: rows.length, tookOverFrom };
  }

  /**
   * A frozen (SIGSTOP, paused VM) previous owner may sit inside a transaction that holds the
   * leases' row locks, which would block the takeover for as long as it stays frozen. Its
   * sessions are ended first (waiting up to 5 s for each to go), found by the
   * application_name its node row recorded; their transactions roll back.
   */
  async #endSessionsOfPreviousOwners(q: Queryable, me: string): Promise<void> {
    await q.query(
      `SELECT pg_terminate_backend(a.pid, 5000)
         FROM pg_stat_activity a
         JOIN ${this.#s}.nodes n ON n.app_name = a.application_name
        WHERE n.node_id <> $1 AND n.app_name IS NOT NULL AND a.pid <> pg_backend_pid()
          AND n.node_id IN (SELECT owner FROM ${this.#s}.shard_leases WHERE owner IS NOT NULL)`,
      [me],
    );
  }

  async #nodes(q: Queryable, ids: readonly string[]): Promise<Map<string, NodeRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await q.query(
      `SELECT ${NODE_COLUMNS} FROM ${this.#s}.nodes WHERE node_id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [String(r.node_id), toNode(r)]));
  }

  /** Extends every lease this node holds; a lease found taken over makes this node lost. */
  async #renew(): Promise<void> {
    const node = this.#node;
    if (node === undefined || this.#lost) return;
    const generation = this.#generation;
    const held = this.#epochs.size;
    const [shards, epochs] = this.#held();
    const sentAt = this.standing.now();
    let renewed: number;
    try {
      const rows = await this.#db.query(
        `WITH beat AS (UPDATE ${this.#s}.nodes SET heartbeat_at = now() WHERE node_id = $1)
         UPDATE ${this.#s}.shard_leases l
            SET lease_until = now() + make_interval(secs => $4::int8 / 1000.0)
           FROM unnest($2::int[], $3::int8[]) AS f(shard, epoch)
          WHERE l.shard = f.shard AND l.epoch = f.epoch AND l.owner = $1
         RETURNING l.shard`,
        [node.nodeId, shards, epochs, this.#ttlMs],
        'renew leases',
      );
      renewed = rows.length;
    } catch (error) {
      this.#observer?.renewFailed?.(error);
      return; // unreachable database: the next beat tries again (the fence still holds)
    }
    // Released or claimed again meanwhile: this answer is about leases no longer held.
    if (generation !== this.#generation) return;
    // A lease found taken: #lose marks the standing broken.
    if (renewed < held) return this.#lose();
    this.standing.renewed(sentAt, this.#ttlMs);
    this.#observer?.renewed?.(renewed);
  }

  async #lose(): Promise<void> {
    const status = await this.status().catch(() => undefined);
    const taker = status?.leases.find((l) => l.owner !== this.#node?.nodeId)?.owner;
    const takerNode = status?.nodes.find((n) => n.nodeId === taker);
    this.#markLost(taker, takerNode);
  }

  #markLost(taker: string | undefined, takerNode: NodeRecord | undefined): void {
    if (this.#lost) return;
    this.standing.broken();
    const who =
      takerNode !== undefined
        ? `node ${takerNode.nodeId} (process ${takerNode.pid} on ${takerNode.host})`
        : taker !== undefined
          ? `node ${taker}`
          : 'another node';
    this.#lost = new AionError(
      'store_locked',
      `this engine no longer owns its PostgreSQL store: ${who} took its shard leases over after they expired (this process was paused or cut off longer than the lease ttl of ${this.#ttlMs} ms); it writes nothing more — stop this engine`,
      { reason: 'lease_lost', ...(taker !== undefined ? { takenBy: taker } : {}) },
    );
    this.#stop();
    this.#observer?.lost?.(this.#lost);
  }

  #held(): [string, string] {
    const shards = [...this.#epochs.keys()];
    return [intArray(shards), intArray(shards.map((s) => this.#epochs.get(s)!))];
  }

  /**
   * The fence of a commit touching `runs`, as SQL over the leases (locks them FOR SHARE, so a
   * takeover waits for the commit or the commit sees the new epoch): a query returning one row
   * per shard still held at its epoch, and its parameters from `$first`. Undefined while this
   * store holds no leases (tools, tests): nothing is fenced.
   */
  fenceSql(
    runs: readonly RunKey[],
    first: number,
  ): { sql: string; values: unknown[]; expected: number } | undefined {
    const node = this.#node;
    if (node === undefined || this.#count === undefined) return undefined;
    const shards = shardsOf(runs, this.#count);
    const epochs = shards.map((s) => this.#epochs.get(s) ?? -1);
    return {
      sql: `SELECT 1 FROM ${this.#s}.shard_leases l
              JOIN unnest($${first}::int[], $${first + 1}::int8[]) AS f(shard, epoch)
                ON l.shard = f.shard AND l.epoch = f.epoch
             WHERE l.owner = $${first + 2}
               FOR SHARE OF l`,
      values: [intArray(shards), intArray(epochs), node.nodeId],
      expected: shards.length,
    };
  }

  /** Runs the fence inside a transaction; a shard taken over makes this node lost. */
  async fence(q: Queryable, runs: readonly RunKey[]): Promise<void> {
    const f = this.fenceSql(runs, 1);
    if (f === undefined) return;
    const rows = await q.query(f.sql.replace('SELECT 1', 'SELECT l.shard'), f.values);
    if (rows.length === f.expected) return;
    if (this.#cluster !== undefined) {
      const held = new Set(rows.map((r) => Number(r.shard)));
      const moved = shardsOf(runs, this.#count!).filter((s) => !held.has(s));
      this.#cluster.lose(moved);
      throw shardMoved(moved);
    }
    this.#markLost(undefined, undefined);
    throw this.#lost!;
  }

  /**
   * Cluster mode: the indexes of `runs` on shards this node does not hold (their commits are
   * refused with `shard_moved` without being sent). Empty in single mode.
   */
  notHeld(runs: readonly RunKey[]): Set<number> {
    const out = new Set<number>();
    if (this.#cluster === undefined || this.#count === undefined) return out;
    runs.forEach((r, i) => {
      if (!this.#epochs.has(shardOf(r.namespace, r.workflowId, this.#count!))) out.add(i);
    });
    return out;
  }

  /** The error of a commit refused because its shard is not (or no longer) held here. */
  shardMovedFor(run: RunKey): AionError {
    return shardMoved([shardOf(run.namespace, run.workflowId, this.#count ?? 1)]);
  }

  async join(node: NodeIdentity, ttlMs: number, observer: ShardObserver): Promise<void> {
    checkTtl(ttlMs);
    if (this.#node !== undefined) {
      throw new AionError('invalid_argument', 'this store already serves a node', {
        nodeId: this.#node.nodeId,
      });
    }
    await this.shardCount();
    const cluster = new ClusterBalancer(this.#db, this.#s, {
      node,
      ttlMs,
      observer,
      epochs: this.#epochs,
      standing: this.standing,
    });
    await cluster.register(isGone);
    this.#node = node;
    this.#ttlMs = ttlMs;
    this.#observer = observer;
    this.#cluster = cluster;
    liveNodes.add(node.nodeId);
    await this.#clusterBeat(true);
    this.#timer = setInterval(() => void this.#clusterBeat(), Math.max(50, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /** Renewals never overlap (a balance runs beside them, see ClusterBalancer.beat). */
  #beating = false;
  async #clusterBeat(wait = false): Promise<void> {
    if (this.#beating || this.#cluster === undefined) return;
    this.#beating = true;
    try {
      await this.#cluster.beat(isGone, wait);
    } catch (error) {
      this.#observer?.renewFailed?.(error);
    } finally {
      this.#beating = false;
    }
  }

  held(): readonly number[] {
    return [...this.#epochs.keys()].sort((a, b) => a - b);
  }

  async drain(): Promise<void> {
    const cluster = this.#cluster;
    if (cluster === undefined) return;
    await cluster.drain(isGone);
  }

  async requestDrain(nodeId: string): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE ${this.#s}.nodes SET mode = 'draining' WHERE node_id = $1 AND mode <> 'single' RETURNING node_id`,
      [nodeId],
      'request drain',
    );
    return rows.length > 0;
  }

  async release(): Promise<void> {
    const node = this.#node;
    this.#generation++;
    this.#stop();
    this.#cluster?.stop();
    if (node === undefined || this.#lost || this.#db.closed) return;
    const [shards, epochs] = this.#held();
    this.#node = undefined;
    this.#epochs.clear();
    await this.#db.query(
      `WITH gone AS (DELETE FROM ${this.#s}.nodes WHERE node_id = $1)
       UPDATE ${this.#s}.shard_leases l SET owner = NULL, lease_until = NULL
         FROM unnest($2::int[], $3::int8[]) AS f(shard, epoch)
        WHERE l.shard = f.shard AND l.epoch = f.epoch AND l.owner = $1`,
      [node.nodeId, shards, epochs],
      'release leases',
    );
    this.#observer?.released?.();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#node !== undefined) liveNodes.delete(this.#node.nodeId);
  }

  async status(): Promise<{
    now: number;
    shardCount: number;
    nodes: NodeRecord[];
    leases: ShardLease[];
  }> {
    const s = this.#s;
    const [clock, nodes, leases] = await Promise.all([
      this.#db.query(`SELECT ${ms('now()')} AS now, shard_count FROM ${s}.cluster`),
      this.#db.query(`SELECT ${NODE_COLUMNS} FROM ${s}.nodes ORDER BY node_id`),
      this.#db.query(
        `SELECT shard, owner, epoch, ${ms('lease_until')} AS until FROM ${s}.shard_leases ORDER BY shard`,
      ),
    ]);
    return {
      now: Number(clock[0]?.now),
      shardCount: Number(clock[0]?.shard_count),
      nodes: nodes.map(toNode),
      leases: leases.map((l) => ({
        shard: Number(l.shard),
        ...(typeof l.owner === 'string' ? { owner: l.owner } : {}),
        epoch: Number(l.epoch),
        ...(l.until != null ? { until: Number(l.until) } : {}),
      })),
    };
  }
}
