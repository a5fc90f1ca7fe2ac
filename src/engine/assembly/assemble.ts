// The one place the engine is put together: seams chosen, infrastructure and services built
// and wired; plus the startup (recovery) and shutdown (drain) sequences over the parts.
import { validateNamespace, type RunKey } from '../../core/index.js';
import { stopBuildService } from '../../package/index.js';
import type { Store } from '../../store/index.js';
import { ClusterNode, scheduleOps, type RemoteOp } from '../cluster/index.js';
import type { ResetOptions } from '../control/index.js';
import { Lifecycle } from '../lifecycle.js';
import type { EngineOptions } from '../options.js';
import { recoverOpenRuns, useOpenNamespaces } from '../recovery/index.js';
import { seamsFrom, type EngineSeams } from '../seams.js';
import { retryForever } from '../store-retry.js';
import { unwiredHooks } from './hooks.js';
import { buildInfrastructure, type Infrastructure } from './infrastructure.js';
import { claimStore, DEFAULT_LEASE_TTL_MS } from './node-claim.js';
import { buildServices, type Services } from './services.js';

export interface EngineParts {
  readonly store: Store;
  readonly ownsStore: boolean;
  readonly seams: EngineSeams;
  readonly lifecycle: Lifecycle;
  readonly infra: Infrastructure;
  readonly services: Services;
  /** This engine's node id in a shared store's node rows and shard leases. */
  readonly nodeId: string;
  /** Cluster mode: this engine's life as a cluster node (set at start). */
  cluster?: ClusterNode;
  /** The sweep over open runs that follows a start (settles when every run was gone through). */
  sweep?: Promise<void>;
}

export function assembleEngine(
  options: EngineOptions,
  store: Store,
  ownsStore: boolean,
): EngineParts {
  const namespace = validateNamespace(options.namespace ?? 'default');
  const seams = seamsFrom(options);
  const identity = options.identity ?? `engine-${seams.ids.uuid()}`;
  // The random end of a fresh id (a time-ordered id begins with the time).
  const nodeId = `${identity}#${seams.ids.uuid().slice(-8)}`;
  const lifecycle = new Lifecycle();
  const hooks = unwiredHooks();
  const infra = buildInfrastructure(options, {
    namespace,
    identity,
    // A cluster node's leases name the process, so a dead node's are told from its successor's.
    leaseOwner: options.cluster === true ? nodeId : identity,
    store,
    seams,
    hooks,
    stopped: () => lifecycle.halted,
  });
  const services = buildServices(options, { infra, seams, lifecycle, hooks });
  return { store, ownsStore, seams, lifecycle, infra, services, nodeId };
}

/** Registers the namespace, claims the store, deploys `workflowsPath`, recovers open work. */
export async function startEngine(p: EngineParts, options: EngineOptions): Promise<void> {
  const { infra, services, seams } = p;
  // The engine's own namespace is registered (idempotent; settings of an existing one kept).
  await services.namespaceService.ensure(infra.namespace);
  await infra.schemas.load(infra.namespace);
  const ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  if (options.cluster === true) {
    // A cluster node holds a share of the shards; dead nodes' leases are voided as their
    // shards are adopted (live nodes' leases stay theirs).
    p.cluster = await ClusterNode.join({
      store: p.store,
      infra,
      nodeId: p.nodeId,
      now: () => seams.clock.now(),
      ttlMs,
      delay: (ms, o) => seams.delay(ms, o),
    });
  } else {
    // This node now owns the store (a shared store's shard leases, fencing its commits), so
    // the task leases and timer claims of a previous (dead) owner are void.
    await claimStore(p.store, {
      nodeId: p.nodeId,
      ttlMs,
      logger: infra.logger,
      metrics: infra.metrics,
      delay: (ms) => seams.delay(ms),
    });
    await infra.store.expireLeases({ exceptOwner: infra.identity, now: seams.clock.now() });
  }
  if (options.workflowsPath) {
    await services.deploys.deployFromPath(infra.namespace, options.workflowsPath);
  }
  // Until the open runs are swept, the pause of a run is read from the store before its attempts.
  if (!p.cluster) infra.activities.beginPauseRecovery();
  infra.timers.start();
  infra.activities.start();
  services.retention.start();
  if (options.keepAlive !== false) p.lifecycle.keepProcessAlive();
  // The store answered a moment ago: if it goes away now, recovery waits for it to come back.
  if (p.cluster) await retryForever(infra.retry, () => recoverOpenRuns(infra));
  else await retryForever(infra.retry, () => useOpenNamespaces(infra));
  await retryForever(infra.retry, () => services.outbox.recover());
  // Schedules of the namespaces this engine serves; others are reconciled at their next fire.
  await retryForever(infra.retry, () => services.schedules.recover([...infra.namespaces.names]));
  services.outbox.startSweeping();
  if (!p.cluster) p.sweep = sweepOpenRuns(p);
  p.cluster?.started((shards) => recoverShards(p, shards), remoteOps(p));
}

/**
 * The open runs, gone through in the background once the engine serves: the time to start
 * does not grow with their number. A run touched before the sweep reaches it is rebuilt from
 * its history on that touch (as any run that is not resident), timers and activity tasks are
 * claimed from the store as they fall due, whatever the sweep has reached.
 */
async function sweepOpenRuns(p: EngineParts): Promise<void> {
  const { infra } = p;
  const stopped = (): boolean => p.lifecycle.closed;
  try {
    await retryForever(infra.retry, () => recoverOpenRuns(infra, undefined, { stopped }));
    if (!stopped()) infra.activities.endPauseRecovery();
  } catch (err) {
    // Paused runs stay unknown: their status is still read before each attempt.
    if (!stopped()) infra.logger.error('sweep of open runs failed', { error: String(err) });
  }
}

/** What other cluster nodes may have this one carry out, for runs and schedules it drives. */
function remoteOps(p: EngineParts): Record<string, RemoteOp> {
  const { scope, schedules } = p.services;
  const { scheduler } = p.infra;
  return {
    reset: (ns: string, mode: 'reset' | 'reopen', workflowId: string, options: ResetOptions) =>
      scope.resets.resetOrReopen(ns, mode, workflowId, options),
    retry: (ns: string, workflowId: string, options: { runId?: string; version?: string }) =>
      scope.retries.retry(ns, workflowId, options),
    unpark: (key: RunKey) => scheduler.unpark(scheduler.actor(key)),
    ...scheduleOps(schedules),
    'schedule.onRunClosed': (ns: string, workflowId: string, scheduleId: string) =>
      schedules.onRunClosed(ns, workflowId, scheduleId),
  };
}

/** Shards a cluster node gained: their runs, outbox rows and schedules, as at startup. */
async function recoverShards(p: EngineParts, shards: readonly number[]): Promise<void> {
  const { infra, services } = p;
  const cluster = p.cluster!;
  await retryForever(infra.retry, () => recoverOpenRuns(infra, shards));
  await retryForever(infra.retry, () => services.outbox.recover(shards));
  const gained = {
    shards: new Set(shards),
    of: (ns: string, id: string) => cluster.ownership.shardOf({ namespace: ns, workflowId: id }),
  };
  await retryForever(infra.retry, () =>
    services.schedules.recover([...infra.namespaces.names], gained),
  );
}

/** Resolves when no run has work queued or in flight and no commit is pending. */
export async function whenIdle(p: EngineParts): Promise<void> {
  const { scheduler, recorder } = p.infra;
  await p.sweep;
  for (;;) {
    await scheduler.whenIdle();
    await recorder.drained();
    await p.services.schedules.whenIdle();
    if (scheduler.idle && recorder.idle && p.services.schedules.idle) return;
  }
}

/**
 * Graceful drain: stops accepting work and starting activity attempts (tasks scheduled from
 * now on stay in the store for the next start), lets running attempts finish and their
 * outcomes commit until `timeoutMs` (host time) has passed, then cancels what still runs,
 * commits everything in flight, and closes the store if the engine opened it.
 */
export async function stopEngine(p: EngineParts, timeoutMs: number): Promise<void> {
  if (!p.lifecycle.close()) return;
  const { infra, services, seams } = p;
  let expired: { running: number } | undefined;
  const deadline = seams.delay(timeoutMs, { unref: true }).then(() => {
    expired = { running: infra.activities.runningCount };
  });
  infra.activities.drain();
  await infra.executor?.shutdown({ graceful: true, timeoutMs, until: deadline });
  await Promise.race([whenIdle(p), deadline]);
  if (expired && timeoutMs > 0) {
    infra.logger.warn(
      `drain deadline reached after ${timeoutMs} ms: stopped waiting for in-flight work; what did not finish runs again on the next start`,
      { timeoutMs, runningActivities: expired.running },
    );
  }
  p.lifecycle.halt(); // store retries stop waiting for the store
  infra.scheduler.stop();
  infra.timers.stop();
  services.remoteWorkers.stop();
  services.retention.stop();
  infra.activities.stop();
  await infra.recorder.drained();
  await infra.activities.handedBack();
  await infra.thread.close();
  await infra.replays.close();
  await stopBuildService(); // esbuild's service process must not outlive the engine
  // Everything is committed: hand the shards back so the next node need not wait for expiry.
  await p.cluster?.leave();
  await p.store.membership?.release().catch(() => {});
  if (p.ownsStore) await p.store.close();
}
