// A node claims its store before it serves anything: on a store several processes can share
// (PostgreSQL), it takes every shard's lease, which fences every later commit of the store by
// the leases' epochs. A store another live node holds is refused with `store_locked`; a holder
// that is provably gone is taken over at once, and one whose process cannot be checked (another
// machine) is waited out until its leases expire. See docs/adr/0013-node-leases-and-fencing.md.
import os from 'node:os';
import { AionError } from '../../core/index.js';
import {
  machineIdentity,
  type ClaimOutcome,
  type LeaseObserver,
  type Store,
} from '../../store/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { EngineLogger } from '../scheduler/index.js';

/** Default lease ttl: failover (another node taking over a dead one) waits at most this. */
export const DEFAULT_LEASE_TTL_MS = 5_000;

export interface ClaimDeps {
  readonly nodeId: string;
  readonly ttlMs: number;
  readonly logger: EngineLogger;
  readonly metrics: EngineMetrics;
  readonly delay: (ms: number) => Promise<void>;
}

type Refused = Extract<ClaimOutcome, { ok: false }>;

/** Claims `store` for this node, waiting out a holder that may be dead; see the module comment. */
export async function claimStore(store: Store, deps: ClaimDeps): Promise<void> {
  const membership = store.membership;
  if (membership === undefined) return;
  const node = {
    nodeId: deps.nodeId,
    host: os.hostname(),
    pid: process.pid,
    ...machineIdentity(),
    mode: 'single' as const,
  };
  let first: Refused | undefined;
  for (;;) {
    const outcome = await membership.claimAll(node, deps.ttlMs, observer(deps));
    if (outcome.ok) {
      deps.metrics.leasesHeld.set(outcome.shards);
      if (outcome.tookOverFrom.length > 0 || first !== undefined) {
        deps.logger.info('took the store over from a node that is gone', {
          nodeId: node.nodeId,
          from: outcome.tookOverFrom.length > 0 ? outcome.tookOverFrom : [first?.holderId],
        });
      }
      return;
    }
    // The holder renewed its leases since we first looked: it is alive.
    if (first !== undefined && (outcome.holderId !== first.holderId || outcome.until > first.until))
      throw refusal(outcome);
    if (first === undefined) {
      first = outcome;
      deps.logger.warn('another node holds this store: waiting for its leases to expire', {
        holder: outcome.holderId,
        expiresInMs: outcome.until - outcome.now,
      });
    }
    await deps.delay(Math.min(Math.max(outcome.until - outcome.now, 0) + 50, 1_000));
  }
}

/** Lease events as metrics, and a loss as an error in the log (the node writes nothing more). */
function observer(deps: ClaimDeps): LeaseObserver {
  const { metrics, logger } = deps;
  return {
    renewed: (held) => {
      metrics.leasesHeld.set(held);
      metrics.leaseRenewals.inc(1, { outcome: 'ok' });
    },
    renewFailed: () => metrics.leaseRenewals.inc(1, { outcome: 'failed' }),
    lost: (error) => {
      metrics.leasesHeld.set(0);
      metrics.leaseLosses.inc();
      logger.error(error.message, { nodeId: deps.nodeId, code: 'store_locked' });
    },
    released: () => metrics.leasesHeld.set(0),
  };
}

function refusal(outcome: Refused): AionError {
  const h = outcome.holder;
  const who = h ? `node ${h.nodeId} (process ${h.pid} on ${h.host})` : `node ${outcome.holderId}`;
  const age = h ? ` its heartbeat is ${Math.max(0, outcome.now - h.heartbeatAt)} ms old` : '';
  return new AionError(
    'store_locked',
    `another Aion node serves this PostgreSQL store: ${who} holds its shard leases and renews them (${age.trim() || 'it is alive'}); one node serves a store at a time — stop the other node (a node that was killed is taken over once its leases expire), or give this one another schema`,
    {
      reason: 'node_alive',
      holder: outcome.holderId,
      ...(h ? { holderPid: h.pid, holderHost: h.host } : {}),
    },
  );
}
