// The one place the engine is put together: seams chosen, infrastructure and services built
// and wired; plus the startup (recovery) and shutdown (drain) sequences over the parts.
import { validateNamespace } from '../../core/index.js';
import { stopBuildService } from '../../package/index.js';
import type { Store } from '../../store/index.js';
import { Lifecycle } from '../lifecycle.js';
import type { EngineOptions } from '../options.js';
import { recoverOpenRuns } from '../recovery/index.js';
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
}

export function assembleEngine(
  options: EngineOptions,
  store: Store,
  ownsStore: boolean,
): EngineParts {
  const namespace = validateNamespace(options.namespace ?? 'default');
  const seams = seamsFrom(options);
  const identity = options.identity ?? `engine-${seams.ids.uuid()}`;
  const lifecycle = new Lifecycle();
  const hooks = unwiredHooks();
  const infra = buildInfrastructure(options, {
    namespace,
    identity,
    store,
    seams,
    hooks,
    stopped: () => lifecycle.halted,
  });
  const services = buildServices(options, { infra, seams, lifecycle, hooks });
  const nodeId = `${identity}#${seams.ids.uuid().slice(0, 8)}`;
  return { store, ownsStore, seams, lifecycle, infra, services, nodeId };
}

/** Registers the namespace, claims the store, deploys `workflowsPath`, recovers open work. */
export async function startEngine(p: EngineParts, options: EngineOptions): Promise<void> {
  const { infra, services, seams } = p;
  // The engine's own namespace is registered (idempotent; settings of an existing one kept).
  await services.namespaceService.ensure(infra.namespace);
  await infra.schemas.load(infra.namespace);
  // This node now owns the store (a shared store's shard leases, fencing its commits), so the
  // task leases and timer claims of a previous (dead) owner are void.
  await claimStore(p.store, {
    nodeId: p.nodeId,
    ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    logger: infra.logger,
    metrics: infra.metrics,
    delay: (ms) => seams.delay(ms),
  });
  await infra.store.expireLeases({ exceptOwner: infra.identity, now: seams.clock.now() });
  if (options.workflowsPath) {
    await services.deploys.deployFromPath(infra.namespace, options.workflowsPath);
  }
  infra.timers.start();
  infra.activities.start();
  services.retention.start();
  if (options.keepAlive !== false) p.lifecycle.keepProcessAlive();
  // The store answered a moment ago: if it goes away now, recovery waits for it to come back.
  await retryForever(infra.retry, () => recoverOpenRuns(infra));
  await retryForever(infra.retry, () => services.outbox.recover());
  // Schedules of the namespaces this engine serves; others are reconciled at their next fire.
  await retryForever(infra.retry, () => services.schedules.recover([...infra.namespaces.names]));
  services.outbox.startSweeping();
}

/** Resolves when no run has work queued or in flight and no commit is pending. */
export async function whenIdle(p: EngineParts): Promise<void> {
  const { scheduler, recorder } = p.infra;
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
  await stopBuildService(); // esbuild's service process must not outlive the engine
  // Everything is committed: hand the shards back so the next node need not wait for expiry.
  await p.store.membership?.release().catch(() => {});
  if (p.ownsStore) await p.store.close();
}
