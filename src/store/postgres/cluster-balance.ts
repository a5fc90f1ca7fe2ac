// A cluster node's share of the shards (membership mode `cluster`): at every beat it renews
// what it holds, claims the shards rendezvous hashing gives it among the live nodes (free or
// expired ones only), and hands off those that now belong to another live node (the engine
// drains them, then they are released for the new owner to claim). Lease expiry is judged by
// PostgreSQL's clock. See docs/adr/0014-cluster-shards-and-routing.md.
import { AionError } from '../../core/index.js';
import type { NodeIdentity, ShardObserver } from '../contract/index.js';
import { rendezvousOwner, type RenewedStanding } from '../shared/index.js';
import { intArray } from './arrays.js';
import type { PgDriver, Queryable } from './driver.js';

/** Whether a recorded node has provably ended (its process on this machine is gone). */
export type IsGone = (node: {
  readonly nodeId: string;
  readonly machine: string;
  readonly pidNamespace: string;
  readonly pid: number;
}) => boolean;

/** What the balancer shares with the membership that owns it. */
export interface ClusterState {
  readonly node: NodeIdentity;
  readonly ttlMs: number;
  readonly observer: ShardObserver;
  /** Epoch of each shard held, by shard (the fence reads it). */
  readonly epochs: Map<number, number>;
  /** Told of every renewal that held, and of every lease found taken. */
  readonly standing: RenewedStanding;
}

interface LeaseRow {
  readonly shard: number;
  readonly owner: string | undefined;
  readonly expired: boolean;
}

interface NodeRow {
  readonly nodeId: string;
  readonly mode: string;
  readonly live: boolean;
  readonly host: string;
  readonly pid: number;
  readonly machine: string;
  readonly pidNamespace: string;
}

export class ClusterBalancer {
  readonly #db: PgDriver;
  readonly #s: string;
  readonly #st: ClusterState;
  /** Set by drain(): this node claims nothing and hands everything off. */
  #draining = false;
  #balancing: Promise<void> | undefined;
  #stopped = false;

  constructor(db: PgDriver, schema: string, state: ClusterState) {
    this.#db = db;
    this.#s = schema;
    this.#st = state;
  }

  /** Registers the node row; refused while a live single-mode node holds the store. */
  async register(isGone: IsGone): Promise<void> {
    const s = this.#s;
    const n = this.#st.node;
    await this.#db.tx('join cluster', async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`aion.claim:${s}`]);
      const single = await q.query(
        `SELECT DISTINCT l.owner, n.pid, n.host, n.machine, n.pid_namespace FROM ${s}.shard_leases l
           JOIN ${s}.nodes n ON n.node_id = l.owner
          WHERE l.lease_until > now() AND n.mode = 'single'`,
      );
      const live = single.find(
        (r) =>
          !isGone({
            nodeId: String(r.owner),
            machine: String(r.machine),
            pidNamespace: String(r.pid_namespace),
            pid: Number(r.pid),
          }),
      );
      if (live) {
        throw new AionError(
          'store_locked',
          `a single-node Aion engine serves this PostgreSQL store: node ${String(live.owner)} (process ${Number(live.pid)} on ${String(live.host)}); a cluster node cannot share it — stop that engine and start every engine on this store in cluster mode`,
          { reason: 'node_alive', holder: String(live.owner) },
        );
      }
      await q.query(
        `INSERT INTO ${s}.nodes (node_id, mode, host, pid, machine, pid_namespace, app_name)
           VALUES ($1, 'cluster', $2, $3, $4, $5, $6)
         ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()`,
        [n.nodeId, n.host, n.pid, n.machine, n.pidNamespace, this.#db.applicationName ?? null],
      );
    });
  }

  /**
   * One beat: renew (losses reported), then balance unless a balance (a handoff draining its
   * shards, a recovery of gained ones) is still running. The balance is not awaited unless
   * `wait`: renewals must go on at every beat however long a handoff takes.
   */
  async beat(isGone: IsGone, wait = false): Promise<void> {
    if (this.#stopped) return;
    await this.#renew();
    if (this.#balancing === undefined && !this.#stopped) {
      this.#balancing = this.#balance(isGone)
        .catch(() => undefined) // the next beat looks again
        .finally(() => (this.#balancing = undefined));
    }
    if (wait) await this.#balancing;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Hands every shard off and stops claiming; resolves once none is held. */
  async drain(isGone: IsGone): Promise<void> {
    this.#draining = true;
    // The others stop counting this node among those the shards may go to.
    await this.#db.query(`UPDATE ${this.#s}.nodes SET mode = 'draining' WHERE node_id = $1`, [
      this.#st.node.nodeId,
    ]);
    while (this.#st.epochs.size > 0 && !this.#stopped) {
      await this.#balancing;
      await this.beat(isGone, true);
    }
  }

  async #renew(): Promise<void> {
    const { node, ttlMs, epochs, observer, standing } = this.#st;
    const shards = [...epochs.keys()];
    const sentAt = standing.now();
    let renewed: Set<number>;
    try {
      const rows = await this.#db.query(
        `WITH beat AS (
           INSERT INTO ${this.#s}.nodes (node_id, mode, host, pid, machine, pid_namespace, app_name)
             VALUES ($1, 'cluster', $5, $6, $7, $8, $9)
           ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now())
         UPDATE ${this.#s}.shard_leases l
            SET lease_until = now() + make_interval(secs => $4::int8 / 1000.0)
           FROM unnest($2::int[], $3::int8[]) AS f(shard, epoch)
          WHERE l.shard = f.shard AND l.epoch = f.epoch AND l.owner = $1
         RETURNING l.shard`,
        [
          node.nodeId,
          intArray(shards),
          intArray(shards.map((s) => epochs.get(s)!)),
          ttlMs,
          node.host,
          node.pid,
          node.machine,
          node.pidNamespace,
          this.#db.applicationName ?? null,
        ],
        'renew leases',
      );
      renewed = new Set(rows.map((r) => Number(r.shard)));
    } catch (error) {
      observer.renewFailed?.(error);
      return;
    }
    // A shard claimed or released while the renewal was in flight is not judged by it.
    const lost = shards.filter((s) => !renewed.has(s) && epochs.has(s));
    if (lost.length > 0) this.lose(lost);
    else standing.renewed(sentAt, ttlMs);
    observer.renewed?.(epochs.size);
  }

  /** Shards found moved (renewal, fence): forgotten, and the engine told. */
  lose(shards: readonly number[]): void {
    const gone = shards.filter((s) => this.#st.epochs.delete(s));
    if (gone.length === 0) return; // released meanwhile: nobody took them from this node
    this.#st.standing.broken();
    this.#st.observer.lostShards(gone);
  }

  async #balance(isGone: IsGone): Promise<void> {
    const { node, epochs, observer } = this.#st;
    let view: { leases: LeaseRow[]; nodes: NodeRow[] };
    try {
      view = await this.#view();
    } catch {
      return; // the next beat looks again
    }
    // An operator asked this node to drain (`aion cluster drain`): hand everything off.
    if (view.nodes.find((n) => n.nodeId === node.nodeId)?.mode === 'draining')
      this.#draining = true;
    const alive = view.nodes
      .filter((n) => n.live && n.mode === 'cluster' && !isGone(n))
      .map((n) => n.nodeId)
      .filter((id) => id !== node.nodeId || !this.#draining);
    const gone = new Set(
      view.nodes.filter((n) => n.nodeId !== node.nodeId && isGone(n)).map((n) => n.nodeId),
    );
    const toClaim: number[] = [];
    const toHand: number[] = [];
    for (const lease of view.leases) {
      const want =
        rendezvousOwner(lease.shard, alive) ?? (this.#draining ? undefined : node.nodeId);
      const mine = epochs.has(lease.shard);
      if (want === node.nodeId && !mine) {
        const free =
          lease.owner === undefined ||
          lease.expired ||
          (lease.owner !== node.nodeId && gone.has(lease.owner));
        if (free || lease.owner === node.nodeId) toClaim.push(lease.shard);
      } else if (mine && want !== node.nodeId && (want === undefined || alive.includes(want))) {
        toHand.push(lease.shard);
      }
    }
    if (toHand.length > 0 && (this.#draining || alive.length > 0)) await this.#handOff(toHand);
    if (toClaim.length > 0 && !this.#draining && !this.#stopped) {
      const claimed = await this.#claim(toClaim, [...gone]).catch(() => undefined);
      if (claimed && claimed.shards.length > 0) {
        await observer.acquired(claimed.shards, claimed.deadOwners);
      }
    }
  }

  async #view(): Promise<{ leases: LeaseRow[]; nodes: NodeRow[] }> {
    const s = this.#s;
    const ttl = this.#st.ttlMs;
    const [leases, nodes] = await Promise.all([
      this.#db.query(
        `SELECT shard, owner, (lease_until IS NULL OR lease_until <= now()) AS expired
           FROM ${s}.shard_leases ORDER BY shard`,
      ),
      this.#db.query(
        `SELECT node_id, mode, host, pid, machine, pid_namespace,
                heartbeat_at > now() - make_interval(secs => $1::int8 / 1000.0) AS live
           FROM ${s}.nodes`,
        [ttl],
      ),
    ]);
    return {
      leases: leases.map((r) => ({
        shard: Number(r.shard),
        owner: typeof r.owner === 'string' ? r.owner : undefined,
        expired: r.expired === true,
      })),
      nodes: nodes.map((r) => ({
        nodeId: String(r.node_id),
        mode: String(r.mode),
        live: r.live === true,
        host: String(r.host),
        pid: Number(r.pid),
        machine: String(r.machine),
        pidNamespace: String(r.pid_namespace),
      })),
    };
  }

  /**
   * Takes the shards still free, expired or held by a provably gone node, each at a new epoch.
   * The sessions of their previous owners are ended first: one frozen inside a transaction
   * would hold the lease rows' locks (see ADR 0013).
   */
  async #claim(
    shards: readonly number[],
    gone: readonly string[],
  ): Promise<{ shards: number[]; deadOwners: string[] }> {
    const s = this.#s;
    const { node, ttlMs, epochs } = this.#st;
    // The epochs are recorded once the claim committed (the transaction may be retried or
    // fail after its UPDATE: a shard is held only if its claim is in the store).
    const claimed = await this.#db.tx('claim shards', async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`aion.claim:${s}`]);
      await endSessions(q, s, node.nodeId, shards, gone);
      const rows = await q.query(
        `WITH prev AS (
           SELECT shard, owner FROM ${s}.shard_leases
            WHERE shard = ANY($2::int[])
              AND (owner IS NULL OR owner = $1 OR lease_until IS NULL OR lease_until <= now()
                   OR owner = ANY($4::text[]))
            FOR UPDATE)
         UPDATE ${s}.shard_leases l
            SET owner = $1, epoch = l.epoch + 1,
                lease_until = now() + make_interval(secs => $3::int8 / 1000.0)
           FROM prev WHERE l.shard = prev.shard
         RETURNING l.shard, l.epoch, prev.owner AS prev`,
        [node.nodeId, intArray(shards), ttlMs, gone],
      );
      const dead = new Set<string>();
      for (const r of rows) {
        if (typeof r.prev === 'string' && r.prev !== node.nodeId) dead.add(r.prev);
      }
      // Rows of nodes that hold nothing and stopped beating are history.
      await q.query(
        `DELETE FROM ${s}.nodes n
          WHERE n.node_id <> $1
            AND n.heartbeat_at <= now() - make_interval(secs => $2::int8 / 1000.0)
            AND NOT EXISTS (SELECT 1 FROM ${s}.shard_leases l
                             WHERE l.owner = n.node_id AND l.lease_until > now())`,
        [node.nodeId, ttlMs],
      );
      return {
        epochs: rows.map((r) => [Number(r.shard), Number(r.epoch)] as const),
        deadOwners: [...dead],
      };
    });
    for (const [shard, epoch] of claimed.epochs) epochs.set(shard, epoch);
    return {
      shards: claimed.epochs.map(([shard]) => shard).sort((a, b) => a - b),
      deadOwners: claimed.deadOwners,
    };
  }

  /** The engine drains the shards, then they are released (epochs kept) for their new owner. */
  async #handOff(shards: readonly number[]): Promise<void> {
    const { node, epochs, observer } = this.#st;
    await observer.handOff(shards);
    const held = shards.filter((s) => epochs.has(s));
    if (held.length === 0) return;
    const list = intArray(held);
    const eps = intArray(held.map((s) => epochs.get(s)!));
    for (const s of held) epochs.delete(s);
    await this.#db
      .query(
        `UPDATE ${this.#s}.shard_leases l SET owner = NULL, lease_until = NULL
           FROM unnest($2::int[], $3::int8[]) AS f(shard, epoch)
          WHERE l.shard = f.shard AND l.epoch = f.epoch AND l.owner = $1`,
        [node.nodeId, list, eps],
        'release shards',
      )
      // Not released (database unreachable): the leases expire on their own within the ttl.
      .catch(() => undefined);
  }
}

/** Ends (waiting for each) the sessions of the nodes whose leases on `shards` are taken over. */
async function endSessions(
  q: Queryable,
  s: string,
  me: string,
  shards: readonly number[],
  gone: readonly string[],
): Promise<void> {
  await q.query(
    `SELECT pg_terminate_backend(a.pid, 5000)
       FROM pg_stat_activity a
       JOIN ${s}.nodes n ON n.app_name = a.application_name
      WHERE n.node_id <> $1 AND n.app_name IS NOT NULL AND a.pid <> pg_backend_pid()
        AND n.node_id IN (
          SELECT owner FROM ${s}.shard_leases
           WHERE shard = ANY($2::int[]) AND owner IS NOT NULL
             AND (lease_until IS NULL OR lease_until <= now() OR owner = ANY($3::text[])))`,
    [me, intArray(shards), gone],
  );
}
