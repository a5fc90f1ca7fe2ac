// The scheduler's loop: the set of ready runs, the tick that plans, activates and commits
// them, in-flight accounting for idleness, and the entry points the engine calls.
import { queryByReplay, readsStacks } from './closed-query.js';
import { timeTravelRun, type TimeTravelOutcome, type TimeTravelQuery } from './time-travel.js';
import type { Payload, QueryOutcome, RunKey } from '../../core/index.js';
import { randomIds } from '../../clock/index.js';
import type { Arrival, RunActor } from '../run-actor.js';
import { extend, isShardMoved, isTransientStoreError } from '../../core/index.js';
import { backgroundDelay } from '../store-retry.js';
import { AckDeadlines, setInFlight } from './ack-deadlines.js';
import { activatePlans } from './activation.js';
import { committed, conflicted, refusedCommit } from './commit-outcome.js';
import { buildCommit } from './commit.js';
import type { SchedulerContext, Wake } from './context.js';
import { resolveInDoubt } from './in-doubt.js';
import { loadWhenIdle, queryRun, validateRunUpdate, type UpdateAdmission } from './live-access.js';
import type { Plan } from './plan.js';
import { dropShardRuns, evict, moved, type RunRouter, type ShardKey } from './shard-routing.js';
import { planRun, requeue, wantsActivation } from './planning.js';
import { rebuildInBackground } from './rebuild.js';
import { ResidentRuns } from './residency.js';
import { refuseFrozen, unpark } from './supervision.js';
import type { SchedulerDeps } from './types.js';

/** Runs per workflow-thread request; a tick with more sends several, pipelined. */
const ACTIVATION_CHUNK = 256;

/**
 * Drives runs: collects ready runs each tick, rebuilds the ones that are not resident,
 * activates the rest in batches per package sandbox, and submits their commits together so
 * the recorder writes them in one transaction.
 */
export class RunScheduler {
  readonly #d: SchedulerDeps;
  readonly #runs: ResidentRuns;
  readonly #ctx: SchedulerContext;
  #ready = new Set<RunActor>();
  #tickScheduled = false;
  /** True while a tick plans (an arrival then waits for the next tick). */
  #ticking = false;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;
  readonly #acks: AckDeadlines;
  /** Cluster mode: where runs of shards this node does not drive are reached. */
  #router: RunRouter | undefined;
  /** Callers of dropShards waiting for runs whose work was in flight to leave. */
  #leavingWaiters: (() => void)[] = [];

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.#acks = new AckDeadlines(deps.retry, deps.health);
    this.#runs = new ResidentRuns(deps.thread, deps.metrics, deps.maxResidentRuns);
    this.#ctx = {
      deps,
      runs: this.#runs,
      commandEnv: {
        limits: deps.limits,
        runLimits: deps.runLimits,
        activities: deps.activities,
        ids: deps.ids ?? randomIds,
      },
      markReady: (a) => this.markReady(a),
      enqueue: (key, arrival) => this.enqueue(key, arrival),
      hold: (a) => this.#hold(a),
      release: (a, wake) => this.#release(a, wake),
      enterRead: (a) => this.#enterRead(a),
      leaveRead: (a) => this.#leaveRead(a),
    };
  }

  get residentCount(): number {
    return this.#runs.size;
  }

  /** True when no run has work queued or in flight. */
  get idle(): boolean {
    return (
      this.#inFlight === 0 && this.#ready.size === 0 && !this.#tickScheduled && !this.#runs.evicting
    );
  }

  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Cluster mode: runs this node does not drive are reached through `router`. */
  setRouter(router: RunRouter): void {
    this.#router = router;
  }

  /** Cluster mode: the shards this node drives (undefined: every run is driven here). */
  drivenShards(): readonly number[] | undefined {
    return this.#router?.activeShards();
  }

  /** Cluster mode: true when another node drives the run (or the schedule, by its id). */
  isElsewhere(key: ShardKey): boolean {
    return this.#router !== undefined && !this.#router.owns(key as RunKey);
  }

  /** Has the node that drives `key` carry out the operation `op` (see RunRouter.call). */
  forward(key: ShardKey, op: string, args: readonly unknown[]): Promise<unknown> {
    if (this.#router === undefined) throw new Error('forward: not in cluster mode');
    return this.#router.call(key, op, args);
  }

  /** The router, when the run is driven by another node (cluster mode). */
  #elsewhere(key: RunKey): RunRouter | undefined {
    const r = this.#router;
    return r !== undefined && !r.owns(key) ? r : undefined;
  }

  /**
   * The shards left this node (the router no longer owns them): their runs leave memory and
   * what was queued for them is forwarded. Resolves once runs whose work was in flight have
   * left too.
   */
  async dropShards(shards: readonly number[]): Promise<void> {
    const router = this.#router;
    if (router === undefined || shards.length === 0) return;
    let busy = dropShardRuns(this.#ctx, router, new Set(shards));
    while (busy.length > 0) {
      await new Promise<void>((resolve) => this.#leavingWaiters.push(resolve));
      busy = busy.filter((a) => a.leaving);
    }
  }

  /**
   * True when this node drives the run and holds its whole history in memory, open with no
   * closing commit in flight: its close will be reported here (see ResultWaiters).
   */
  knowsOpen(key: RunKey): boolean {
    if (this.isElsewhere(key)) return false;
    const a = this.#runs.existing(key.namespace, key.runId);
    return (
      a !== undefined &&
      a.loaded &&
      a.key.workflowId === key.workflowId &&
      a.book.started !== undefined &&
      !a.book.closed
    );
  }

  /** True when the run's instance lives in the current workflow thread. */
  isResident(a: RunActor): boolean {
    return this.#runs.isResident(a);
  }

  existing(namespace: string, runId: string): RunActor | undefined {
    return this.#runs.existing(namespace, runId);
  }

  actor(key: RunKey): RunActor {
    return this.#runs.actor(key);
  }

  /** Registers a brand-new run (its start commit is pending). */
  addStart(actor: RunActor): void {
    const elsewhere = this.#elsewhere(actor.key);
    if (elsewhere) {
      this.#runs.forget(actor);
      const arrivals = actor.inbox;
      actor.inbox = [];
      elsewhere.start(actor.key, actor.pendingStart!, arrivals);
      actor.pendingStart = undefined;
      return;
    }
    actor.loaded = true;
    const start = actor.pendingStart;
    if (start) actor.pendingStart = extend(start, { ack: this.#acks.guard(start.ack) });
    this.#markArrived(actor);
  }

  /**
   * Queues an arrival for its run. A sender waiting on `ack` waits for the commit, however
   * slow the store is — but while the store is unavailable, at most the store deadline.
   */
  enqueue(key: RunKey, arrival: Arrival): void {
    const elsewhere = this.#elsewhere(key);
    if (elsewhere) return elsewhere.arrival(key, arrival);
    const a = this.actor(key);
    a.inbox.push(arrival.ack ? extend(arrival, { ack: this.#acks.guard(arrival.ack) }) : arrival);
    this.#markArrived(a);
  }

  /**
   * A run whose first workflow task was held (cron, `startDelay`) is due: it activates, and
   * the timer rows named go in that commit.
   */
  release(key: RunKey, cancelTimers: readonly string[]): void {
    // Another node drives the run: its owner claims the timer that releases it.
    if (this.#elsewhere(key)) return;
    const a = this.actor(key);
    a.needsActivation = true;
    a.releaseTimers = [...a.releaseTimers, ...cancelTimers];
    this.markReady(a);
  }

  markReady(actor: RunActor): void {
    if (this.#stopped) return;
    this.#ready.add(actor);
    if (!this.#tickScheduled) {
      this.#tickScheduled = true;
      setImmediate(() => this.#tick());
    }
  }

  /**
   * As {@link markReady}, for a new run or an arrival: once a whole chunk of runs is ready it
   * is planned and sent at once, so that in a burst (many starts, many timers due together)
   * the workflow thread activates the first runs while this thread takes in the rest.
   */
  #markArrived(actor: RunActor): void {
    this.markReady(actor);
    if (this.#ready.size >= ACTIVATION_CHUNK && !this.#ticking) this.#tick();
  }

  /** Waits until the run has nothing in flight, then returns its actor loaded (for queries). */
  loadedIdle(key: RunKey): Promise<RunActor> {
    return loadWhenIdle(this.#ctx, key);
  }

  /** Answers a query from the run's live instance. */
  query(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    const elsewhere = this.#elsewhere(key);
    if (elsewhere) return elsewhere.query(key, name, args);
    // Live instances do not record where operations start: a replay does (closed-query.ts).
    if (readsStacks(name)) return queryByReplay(this.#ctx, key, name, args);
    return queryRun(this.#ctx, key, name, args);
  }

  /** Answers a query on a closed run from a replay of its history. */
  queryClosed(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    return queryByReplay(this.#ctx, key, name, args);
  }

  /**
   * The stack trace and queries answered from a replay of the run's history up to the
   * workflow-task boundary of `atSeq` (open or closed run; any node can do it).
   */
  timeTravel(
    key: RunKey,
    atSeq: number,
    queries: readonly TimeTravelQuery[],
  ): Promise<TimeTravelOutcome> {
    return timeTravelRun(this.#ctx, key, atSeq, queries);
  }

  /**
   * Runs an update's validator on the live instance (nothing is recorded); before the run's
   * first activation, takes the update unvalidated (see validateRunUpdate).
   */
  validateUpdate(key: RunKey, name: string, args: readonly Payload[]): Promise<UpdateAdmission> {
    const elsewhere = this.#elsewhere(key);
    if (elsewhere) return elsewhere.validateUpdate(key, name, args);
    return validateRunUpdate(this.#ctx, key, name, args);
  }

  /** The workflow thread ran out of memory: each run activates alone until it succeeds once. */
  isolateAll(): void {
    this.#runs.isolateAll();
  }

  /** Clears the stuck flag and retries the run now (operator action or a re-pin). */
  unpark(a: RunActor): void {
    if (this.#elsewhere(a.key)) {
      this.#runs.forget(a);
      void this.forward(a.key, 'unpark', [a.key]).catch((err: unknown) =>
        this.#d.logger.warn('could not reach the node driving the run', { error: String(err) }),
      );
      return;
    }
    unpark(this.#ctx, a);
  }

  // ── the tick ──────────────────────────────────────────────────────────────────────────

  #tick(): void {
    this.#ticking = true;
    try {
      this.#plan();
    } finally {
      this.#ticking = false;
    }
  }

  #plan(): void {
    this.#tickScheduled = false;
    const ready = [...this.#ready];
    this.#ready = new Set();
    // Chunks pipeline: each is sent as soon as it is planned, so the workflow thread activates
    // it while this thread plans the next one, then commits the previous one and dispatches
    // its activities (both cores busy, no lock-step waves).
    let plans: Plan[] = [];
    for (const a of ready) {
      // A run being read is queued again by its last reader (see #leaveRead).
      if (a.busy || a.readers > 0 || a.idle) continue;
      if (a.frozen !== undefined && a.visibilityPatch === undefined) {
        refuseFrozen(a); // parked: takes nothing until retried
        a.wakeWaiters();
        continue;
      }
      const needsRebuild =
        a.pendingStart === undefined &&
        !this.#runs.isResident(a) &&
        !a.book.closed &&
        a.broken === undefined &&
        wantsActivation(a);
      if (!a.loaded || needsRebuild) {
        this.#hold(a);
        void rebuildInBackground(this.#ctx, a).finally(() => this.#release(a, 'always'));
        continue;
      }
      const plan = planRun(this.#ctx, a);
      if (plan === undefined) {
        a.wakeWaiters(); // nothing to activate: readers held back for it may go
        continue;
      }
      plans.push(plan);
      if (plans.length === ACTIVATION_CHUNK) {
        this.#activate(plans);
        plans = [];
      }
    }
    if (plans.length > 0) this.#activate(plans);
    this.#evictSoon();
    this.#checkIdle();
  }

  /** Activates the tick's plans as one unit of work, then commits each that was not put back. */
  #activate(plans: Plan[]): void {
    for (const p of plans) p.actor.busy = true;
    this.#inFlight++;
    const answered = this.#d.recorder.expectCommits(); // small group commits wait for these
    void activatePlans(this.#ctx, plans)
      .then(
        () => {
          for (const p of plans) {
            if (p.skip) continue; // put back: it belongs to a later tick now
            p.actor.busy = false;
            this.#commit(p);
          }
        },
        (err: unknown) => {
          if (!isTransientStoreError(err))
            this.#d.logger.error('activation failed', { error: String(err) });
          for (const p of plans) {
            if (p.skip) continue;
            requeue(this.#ctx, p, false);
            // A store failure (a package could not be read): wait before trying again.
            if (isTransientStoreError(err)) this.#backOff(p.actor);
          }
        },
      )
      .finally(() => {
        this.#inFlight--;
        answered();
        this.#evictSoon();
        this.#checkIdle();
      });
  }

  #evictSoon(): void {
    this.#runs.evictSoon(
      () => this.#ready,
      () => this.#checkIdle(),
    );
  }

  /** Submits the plan's commit to the recorder (group commit) and follows its outcome. */
  #commit(p: Plan): void {
    if (p.skip) return;
    const commit = buildCommit(this.#ctx, p);
    if (commit === undefined) return;
    const a = p.actor;
    this.#hold(a);
    setInFlight(p, true);
    // The outcome is followed up in the submit's own reaction (see #settleCommit). The run
    // stays held until the outcome is known (or the refusal's wait is over).
    void this.#d.recorder.submit(commit, a.book.started?.workflowType).then(
      (outcome) =>
        this.#settleCommit(a, () =>
          outcome.ok
            ? committed(this.#ctx, p)
            : this.#router && isShardMoved(outcome.error)
              ? moved(this.#ctx, this.#router, p)
              : conflicted(this.#ctx, p, outcome.error),
        ),
      (err: unknown) =>
        this.#settleCommit(a, () =>
          this.#router && isShardMoved(err)
            ? moved(this.#ctx, this.#router, p)
            : isTransientStoreError(err)
              ? resolveInDoubt(this.#ctx, p)
              : refusedCommit(this.#ctx, p, err),
        ),
    );
  }

  /**
   * Runs a commit's follow-up, then releases the run: at once when it returns, once it settles
   * when it returns a promise (a store look-up, a refusal's wait). A follow-up that throws is
   * logged; the run is released either way.
   */
  #settleCommit(a: RunActor, followUp: () => void | Promise<void>): void {
    let pending: void | Promise<void> = undefined;
    try {
      pending = followUp();
    } catch (err) {
      this.#followUpFailed(err);
    }
    if (pending === undefined) {
      this.#release(a, 'if-pending');
      return;
    }
    void pending
      .catch((err: unknown) => this.#followUpFailed(err))
      .finally(() => this.#release(a, 'if-pending'));
  }

  #followUpFailed(err: unknown): void {
    this.#d.logger.error('commit follow-up failed', { error: String(err) });
  }

  /** Holds the run for a backoff delay after a store failure, then queues it again. */
  #backOff(a: RunActor): void {
    this.#hold(a);
    const retry = this.#d.retry;
    void retry
      .delay(backgroundDelay(retry, ++a.storeAttempts), { unref: true })
      .finally(() => this.#release(a, 'always'));
  }

  #hold(a: RunActor): void {
    a.busy = true;
    this.#inFlight++;
  }

  #release(a: RunActor, wake: Wake): void {
    a.busy = false;
    this.#inFlight--;
    if (a.leaving && this.#router && a.readers === 0) this.#leave(a, this.#router);
    else if (wake === 'always' || (wake === 'if-pending' && !a.idle)) this.markReady(a);
    // A leaving run whose commit found its shard moved was evicted on the way (moved()):
    // dropShards must look again, or a handoff waiting for it would wait forever.
    this.#wakeLeaving();
    this.#evictSoon(); // a pass that ran while this run was busy had to spare it
    this.#checkIdle();
  }

  #enterRead(a: RunActor): void {
    a.readers++;
    this.#inFlight++;
  }

  #leaveRead(a: RunActor): void {
    a.readers--;
    this.#inFlight--;
    if (a.readers === 0 && a.leaving && !a.busy && this.#router) this.#leave(a, this.#router);
    else if (a.readers === 0) {
      // Work that arrived meanwhile goes first; readers still waiting follow once it is done.
      if (!a.idle) this.markReady(a);
      else a.wakeWaiters();
    }
    this.#checkIdle();
  }

  /** A run of a shard that left, whose work in flight has settled, leaves memory. */
  #leave(a: RunActor, router: RunRouter): void {
    evict(this.#ctx, router, a);
    this.#wakeLeaving();
  }

  /** dropShards callers re-check which of their runs are still leaving. */
  #wakeLeaving(): void {
    for (const w of this.#leavingWaiters.splice(0)) w();
  }

  #checkIdle(): void {
    if (this.idle) for (const w of this.#idleWaiters.splice(0)) w();
  }
}
