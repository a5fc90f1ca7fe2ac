// Cluster mode: a node drives only the runs of the shards it holds. What arrives for another
// shard's run is handed to the router (the durable inbox of the shard's owner); when shards
// leave this node (handed off, or found taken over), their runs leave memory and what was
// queued for them follows them. See docs/adr/0014-cluster-shards-and-routing.md.
import type { Payload, QueryOutcome, RunKey } from '../../core/index.js';
import type { Arrival, PendingStart, RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import type { UpdateAdmission } from './live-access.js';
import type { Plan } from './plan.js';

/** Where the runs of shards this node does not hold are reached. */
export interface RunRouter {
  /** Whether this node drives the run now (it holds the run's shard and is not leaving it). */
  owns(key: RunKey): boolean;
  shardOf(key: ShardKey): number;
  /** The shards this node drives, ascending (the store's filters). */
  activeShards(): readonly number[];
  /** Sends the arrival to the run's owner; its ack settles with the owner's outcome. */
  arrival(key: RunKey, arrival: Arrival): void;
  /** Sends a new run's start (and the arrivals that go with it) to the run's owner. */
  start(key: RunKey, start: PendingStart, arrivals: readonly Arrival[]): void;
  query(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }>;
  validateUpdate(key: RunKey, name: string, args: readonly Payload[]): Promise<UpdateAdmission>;
  /**
   * Has the run's (or schedule's) owner carry out an engine operation (`op` names it, `args`
   * are JSON), and returns its result.
   */
  call(key: ShardKey, op: string, args: readonly unknown[]): Promise<unknown>;
}

/** What a shard is computed from: a run's workflow id, or a schedule's id. */
export interface ShardKey {
  readonly namespace: string;
  readonly workflowId: string;
}

/**
 * Hands what is queued for a run this node no longer drives to the router: an arrival that
 * came from the inbox stays there (its message is still pending, and the new owner takes it);
 * any other goes to the run's new owner with its ack.
 */
export function forwardQueued(
  router: RunRouter,
  key: RunKey,
  start: PendingStart | undefined,
  arrivals: readonly Arrival[],
): void {
  const local = arrivals.filter((x) => x.inboxId === undefined);
  if (start !== undefined && start.inboxId === undefined) router.start(key, start, local);
  else for (const x of local) router.arrival(key, x);
}

/** Drops the runs of `shards` from memory, forwarding what was queued for them. */
export function dropShardRuns(
  ctx: SchedulerContext,
  router: RunRouter,
  shards: ReadonlySet<number>,
): RunActor[] {
  const busy: RunActor[] = [];
  for (const a of ctx.runs.all()) {
    if (!shards.has(router.shardOf(a.key))) continue;
    if (a.busy || a.readers > 0) {
      // Its commit (or rebuild) is in flight: it leaves once that settles (see moved()).
      a.leaving = true;
      busy.push(a);
      continue;
    }
    evict(ctx, router, a);
  }
  return busy;
}

/** Forgets the run here and forwards its queued input. */
export function evict(ctx: SchedulerContext, router: RunRouter, a: RunActor): void {
  const start = a.pendingStart;
  const arrivals = a.inbox;
  a.inbox = [];
  a.pendingStart = undefined;
  a.leaving = false;
  a.retryTimer?.cancel();
  a.retryTimer = undefined;
  ctx.runs.forget(a);
  if (a.residentIn !== undefined) ctx.deps.thread.evict([a.mapKey]);
  a.residentIn = undefined;
  forwardQueued(router, a.key, start, arrivals);
  a.wakeWaiters();
}

/**
 * The commit was refused because the run's shard is not held here (any more): nothing was
 * written. The run leaves memory, and the plan's input goes to the shard's owner.
 */
export function moved(ctx: SchedulerContext, router: RunRouter, p: Plan): void {
  const a = p.actor;
  ctx.deps.logger.info('run moved to another node; forwarding its input', {
    runId: a.key.runId,
    shard: router.shardOf(a.key),
  });
  a.inbox = [...p.arrivals, ...a.inbox];
  a.pendingStart = p.start ?? a.pendingStart;
  p.skip = true;
  evict(ctx, router, a);
  a.reset();
}
