// Cluster mode (EngineOptions.cluster): this engine joins the cluster of a shared store as a
// node. The membership tells it which shards it holds; it drives their runs, timers, outbox
// rows and schedules, takes their inbox messages, and reaches every other run through the
// inbox. Shards it gains are recovered as at startup; shards it hands off or loses leave
// memory with their queued input forwarded. See docs/adr/0014-cluster-shards-and-routing.md.
import os from 'node:os';
import { AionError } from '../../core/index.js';
import type { PayloadCodec } from '../../core/index.js';
import {
  machineIdentity,
  type Membership,
  type ShardObserver,
  type Store,
} from '../../store/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { NamespacesInUse, SearchAttributeSchemas } from '../namespaces/index.js';
import type { PackageRegistry } from '../package-registry.js';
import type { EngineLogger, RunScheduler } from '../scheduler/index.js';
import type { StoreRetryEnv } from '../store-retry.js';
import type { TimerService } from '../timer-service.js';
import { InboxWorker, type RemoteOp } from './inbox-worker.js';
import { Ownership } from './ownership.js';
import { InboxRouter } from './router.js';

/** How soon a route set on another node is used for starts on this one. */
export const ROUTE_REFRESH_MS = 1_000;

/** What a node does with shards it gains (recovery as at startup, for those shards only). */
export type RecoverShards = (shards: readonly number[]) => Promise<void>;

/** The engine parts a cluster node works with. */
export interface ClusterInfra {
  /** The store as the engine uses it (payload codecs applied). */
  readonly store: Store;
  readonly scheduler: RunScheduler;
  readonly timers: TimerService;
  /** Told when shards were lost: running attempts' task leases may have been voided. */
  readonly activities: { recheckLeases(): void };
  readonly registry: PackageRegistry;
  readonly namespaces: NamespacesInUse;
  readonly schemas: SearchAttributeSchemas;
  readonly payloadCodecs: readonly PayloadCodec[];
  readonly retry: StoreRetryEnv;
  readonly logger: EngineLogger;
  readonly metrics: EngineMetrics;
}

export interface ClusterNodeDeps {
  /** The store as opened (its membership and inbox). */
  readonly store: Store;
  readonly infra: ClusterInfra;
  readonly nodeId: string;
  readonly now: () => number;
  readonly ttlMs: number;
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
}

export class ClusterNode {
  readonly ownership: Ownership;
  readonly #d: ClusterNodeDeps;
  readonly #membership: Membership;
  readonly #worker: InboxWorker;
  #recover: RecoverShards | undefined;
  #stopRoutes: (() => void) | undefined;
  #gainedEarly: number[] = [];
  /** Set once join() returned: shards gained from then on may be missed by startup. */
  #joined = false;
  /** Shards gained before recovery could run (during startup): recovered by the startup. */
  #started = false;

  private constructor(deps: ClusterNodeDeps, membership: Membership, shardCount: number) {
    this.#d = deps;
    this.#membership = membership;
    const { infra } = deps;
    const inbox = deps.store.inbox!;
    this.ownership = new Ownership(shardCount);
    const router = new InboxRouter({
      inbox,
      ownership: this.ownership,
      codecs: infra.payloadCodecs,
      retry: infra.retry,
      logger: infra.logger,
      delay: deps.delay,
    });
    infra.scheduler.setRouter(router);
    this.#worker = new InboxWorker({
      inbox,
      ownership: this.ownership,
      scheduler: infra.scheduler,
      registry: infra.registry,
      timers: infra.timers,
      codecs: infra.payloadCodecs,
      retry: infra.retry,
      logger: infra.logger,
      inFlight: (n) => infra.metrics.inboxInFlight.set(n),
      prepareNamespace: async (ns) => {
        infra.namespaces.use(ns);
        if (!infra.schemas.has(ns)) await infra.schemas.load(ns);
        await infra.registry.loadRoutes(ns);
      },
    });
  }

  /** Joins the cluster (resolves once this node holds its first share of the shards). */
  static async join(deps: ClusterNodeDeps): Promise<ClusterNode> {
    const { membership, inbox } = deps.store;
    if (membership === undefined || inbox === undefined) {
      throw new AionError(
        'invalid_argument',
        'cluster mode needs a store several processes share (PostgreSQL); a SQLite or memory store serves one engine — remove the cluster option',
        { field: 'cluster' },
      );
    }
    const node = new ClusterNode(deps, membership, await membership.shardCount());
    await membership.join(
      {
        nodeId: deps.nodeId,
        host: os.hostname(),
        pid: process.pid,
        ...machineIdentity(),
        mode: 'cluster',
      },
      deps.ttlMs,
      node.#observer(),
    );
    node.#joined = true;
    return node;
  }

  /**
   * Startup is done: shards gained from now on are recovered when gained, and other nodes'
   * operations (`calls`) are carried out here.
   */
  started(recover: RecoverShards, calls: Readonly<Record<string, RemoteOp>>): void {
    this.#recover = recover;
    this.#worker.setCalls(calls);
    // Deploys and routes made on other nodes are seen here within this bound.
    this.#stopRoutes = this.#d.infra.registry.refreshRoutesEvery(ROUTE_REFRESH_MS);
    const early = this.#gainedEarly.filter((s) => this.ownership.ownsShard(s));
    this.#gainedEarly = [];
    if (early.length > 0) {
      void recover(early).catch((err: unknown) =>
        this.#d.infra.logger.error('recovering acquired shards failed', { error: String(err) }),
      );
    }
    this.#started = true;
    this.#worker.start();
  }

  /** Hands every shard to the other nodes (a graceful stop), then stops taking messages. */
  async leave(): Promise<void> {
    await this.#membership.drain().catch((err: unknown) =>
      this.#d.infra.logger.warn('could not hand the shards off; they expire instead', {
        error: String(err),
      }),
    );
    this.stop();
  }

  stop(): void {
    this.#worker.stop();
    this.#stopRoutes?.();
  }

  #observer(): ShardObserver {
    const { infra } = this.#d;
    const { metrics, logger, scheduler } = infra;
    return {
      ...leaseMetrics(metrics, () => this.ownership.size),
      acquired: async (shards, deadOwners) => {
        this.ownership.add(shards);
        metrics.leasesHeld.set(this.ownership.size);
        metrics.shardAdoptions.inc(shards.length, {
          from: deadOwners.length > 0 ? 'dead' : 'free',
        });
        const began = performance.now();
        logger.info('shards acquired', { shards: shards.length, from: deadOwners });
        if (deadOwners.length > 0) {
          // Their task leases and timer claims die with them: run their work again now.
          await infra.store
            .expireLeases({ exceptOwner: this.#d.nodeId, owners: deadOwners, now: this.#d.now() })
            .catch((err: unknown) =>
              logger.warn('could not void dead nodes\u2019 leases', { error: String(err) }),
            );
        }
        if (!this.#started) {
          // Startup recovers what is held when it runs; these may come after it looked.
          if (this.#joined) this.#gainedEarly.push(...shards);
          return;
        }
        await this.#recover?.(shards).catch((err: unknown) =>
          logger.error('recovering acquired shards failed', { error: String(err) }),
        );
        infra.timers.wake();
        this.#worker.wake();
        metrics.shardRecoverySeconds.observe((performance.now() - began) / 1000);
      },
      handOff: async (shards) => {
        this.ownership.leave(shards);
        await scheduler.dropShards(shards);
        this.#worker.forgetShards(shards);
        this.ownership.remove(shards);
        metrics.leasesHeld.set(this.ownership.size);
        metrics.shardHandoffs.inc(shards.length);
        logger.info('shards handed off', { shards: shards.length });
      },
      lostShards: (shards) => {
        this.ownership.remove(shards);
        this.#worker.forgetShards(shards);
        metrics.leasesHeld.set(this.ownership.size);
        metrics.leaseLosses.inc(shards.length);
        logger.warn('shards lost to another node (this one was cut off past its lease)', {
          shards: [...shards],
        });
        void scheduler.dropShards(shards);
        infra.activities.recheckLeases();
      },
    };
  }
}

function leaseMetrics(
  metrics: EngineMetrics,
  held: () => number,
): Pick<ShardObserver, 'renewed' | 'renewFailed'> {
  return {
    renewed: () => {
      metrics.leasesHeld.set(held());
      metrics.leaseRenewals.inc(1, { outcome: 'ok' });
    },
    renewFailed: () => metrics.leaseRenewals.inc(1, { outcome: 'failed' }),
  };
}
