// The engine's activity task service: schedules task rows, runs attempts (in process or via
// a remote runner) under its lease, and hands their recorded outcomes back to the runs.
import type { ActivityExecutor } from '../../activity/internal.js';
import type { ActivityInfo } from '../../activity/internal.js';
import type { Clock } from '../../clock/index.js';
import { defectOn, type DataConverter, type RunKey } from '../../core/index.js';
import type { ActivityTask, LeaseStanding, NewActivityTask, Store } from '../../store/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { StoreRetryEnv } from '../store-retry.js';
import { TaskTokens } from '../task-tokens.js';
import { AsyncAttempts } from './async-attempts.js';
import { taskIdFor } from './task-ids.js';
import { attemptInfo, decodeHeartbeatDetails, type SignToken } from './attempt-info.js';
import { TaskClaims } from './claims.js';
import { extendOnHeartbeat, LeaseRenewals, leaseMsFor, type Running } from './lease.js';
import { TaskLeaseGuard } from './lease-guard.js';
import { recordFinal, settleOutcome } from './outcomes.js';
import {
  firstDelivery,
  taskDataOf,
  taskQueueOf,
  taskRow,
  type ScheduledActivity,
} from './task-row.js';
import type {
  ActivityArrival,
  AttemptRunner,
  RemoteWakeups,
  ServiceEnv,
  TaskData,
} from './types.js';

/**
 * Runs activity tasks on the engine's own executor: direct dispatch of tasks it enqueued
 * (already leased), claims of retries and of tasks left by a previous process, retry
 * decisions with durable backoff (the next attempt time lives in the task row), and final
 * outcomes handed back to the run as arrivals.
 */
export class ActivityService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #executor: ActivityExecutor | undefined;
  readonly #claims: TaskClaims;
  #remote: RemoteWakeups | undefined;
  readonly #onUnserved: ((task: NewActivityTask) => void) | undefined;
  /** Tasks pre-leased for a remote worker in their scheduling commit (until dispatched). */
  readonly #remoteReserved = new Set<string>();
  readonly #converter: DataConverter;
  readonly #metrics: EngineMetrics;
  readonly #running = new Map<string, Running>();
  readonly #redispatched = new Set<string>();
  readonly #paused = new Set<string>();
  /**
   * While the open runs are being swept after a start (see beginPauseRecovery): the runs whose
   * pause a commit here set since (the sweep's older read of them does not count).
   */
  #pausesLive: Set<string> | undefined;
  readonly #elsewhere: ((run: RunKey) => boolean) | undefined;
  /** Whether an attempt may start at once, given this node's lease standing. */
  readonly #guard: TaskLeaseGuard;
  readonly #env: ServiceEnv;
  readonly #renewals: LeaseRenewals;
  /** Draining: no attempt starts here any more; tasks wait in the store for the next start. */
  #draining = false;
  /** Tasks handed back to the store during the drain (awaited before the store closes). */
  readonly #handingBack = new Set<Promise<unknown>>();
  #stopped = false;
  /** The secrets that sign and verify task tokens. */
  readonly tokens: TaskTokens;
  /** Signs an attempt's task token when its info is first asked for it. */
  readonly #signToken: SignToken = (fields) => this.tokens.sign(fields);
  /** Attempts that raised CompleteAsyncError here, awaiting completion by token. */
  readonly asyncAttempts = new AsyncAttempts();

  constructor(options: {
    store: Store;
    clock: Clock;
    owner: string;
    namespaces: () => Iterable<string>;
    executor: ActivityExecutor | undefined;
    servedQueues: readonly string[];
    /** Types the executor implements; tasks of other types on served queues are left to remote workers. */
    servedTypes?: readonly string[];
    converter: DataConverter;
    metrics: EngineMetrics;
    retry: StoreRetryEnv;
    onArrival: (arrival: ActivityArrival) => void;
    /** A scheduled task nothing serves: no in-process implementation, no connected worker. */
    onUnserved?: (task: NewActivityTask) => void;
    /**
     * Cluster mode: true when another node drives the run (its pause is not known here: the
     * run's status is read before an attempt of it starts).
     */
    elsewhere?: (run: RunKey) => boolean;
    /**
     * Shared stores: whether this node's leases held without a break. After a break, an
     * attempt of a task leased before it starts only once its lease is confirmed in the store.
     */
    standing?: LeaseStanding;
  }) {
    this.#elsewhere = options.elsewhere;
    this.#onUnserved = options.onUnserved;
    this.#store = options.store;
    this.#clock = options.clock;
    this.tokens = new TaskTokens(options.store, () => options.clock.now());
    this.#owner = options.owner;
    this.#executor = options.executor;
    this.#converter = options.converter;
    this.#metrics = options.metrics;
    this.#claims = new TaskClaims({
      store: options.store,
      clock: options.clock,
      owner: options.owner,
      namespaces: options.namespaces,
      executor: options.executor !== undefined,
      servedQueues: options.servedQueues,
      servedTypes: options.servedTypes ?? [],
      random: options.retry.random,
      mark: () => this.#guard.mark(),
      onClaimed: (t, mark) => {
        if (!this.#running.has(t.taskId)) this.#run(t, undefined, false, mark);
      },
    });
    this.#env = {
      store: options.store,
      clock: options.clock,
      owner: options.owner,
      converter: options.converter,
      metrics: options.metrics,
      retry: options.retry,
      onArrival: options.onArrival,
      schedulePoll: (at) => this.#claims.wake(at),
      wakeRemote: (namespace, taskQueue, at) => this.#remote?.wake(namespace, taskQueue, at),
    };
    this.#renewals = new LeaseRenewals(this.#env, this.#running);
    this.#guard = new TaskLeaseGuard(this.#env, options.standing);
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /**
   * The task row for a newly scheduled activity (pre-leased when this engine will run it).
   * `preLease: false` leaves it unleased, for a commit that may be retried after it landed
   * (the retry would not dispatch it): the claim poll then picks it up at once.
   */
  newTask(
    run: RunKey,
    p: ScheduledActivity,
    now: number,
    options: { preLease?: boolean } = {},
  ): NewActivityTask {
    const unleased = (): NewActivityTask => taskRow(run, p, now);
    if (options.preLease === false) return unleased();
    if (this.#stopped || this.#draining) return unleased(); // claimable by the next engine
    const taskQueue = taskQueueOf(p);
    const lease = { owner: this.#owner, until: now + leaseMsFor(p.options) };
    if (this.#claims.serves(taskQueue, p.activityType))
      return this.#guard.marked(taskRow(run, p, now, lease));
    // A connected remote worker has a free slot: lease it in the scheduling commit and hand
    // it over after the commit, instead of a separate claim write later.
    const taskId = taskIdFor(run.runId, p.activityId);
    if (this.#remote?.reserve(run.namespace, taskQueue, p.activityType, taskId)) {
      this.#remoteReserved.add(taskId);
      return this.#guard.marked(taskRow(run, p, now, lease));
    }
    return unleased();
  }

  /** The mark to take before a task lease is written (see LeaseStanding); none without one. */
  leaseMark(): number | undefined {
    return this.#guard.mark();
  }

  /** Whether this engine's executor or a connected remote worker runs tasks of this kind. */
  isServed(namespace: string, taskQueue: string, activityType: string): boolean {
    return (
      this.#claims.serves(taskQueue, activityType) ||
      (this.#remote?.serves(namespace, taskQueue, activityType) ?? false)
    );
  }

  /** Connects the remote-worker dispatcher (woken for tasks the executor does not take). */
  attachRemote(remote: RemoteWakeups): void {
    this.#remote = remote;
  }

  /** Runs a task this engine enqueued pre-leased (called after its commit). */
  dispatch(task: NewActivityTask): void {
    if (task.leaseOwner !== this.#owner) {
      if (!this.isServed(task.namespace, task.taskQueue, task.activityType))
        this.#onUnserved?.(task);
      this.#remote?.wake(task.namespace, task.taskQueue, task.visibleAt);
      return;
    }
    const mark = this.#guard.markOf(task);
    if (this.#remoteReserved.delete(task.taskId)) {
      this.#remote?.take(firstDelivery(task), mark);
      return;
    }
    this.#run(firstDelivery(task), undefined, false, mark);
  }

  /**
   * Runs a task claimed (leased to this engine) by the remote dispatcher on `runner`, with
   * the same checks, lease renewal, retry policy and recording as in-process attempts.
   */
  runWith(task: ActivityTask, runner: AttemptRunner, mark: number | undefined): void {
    this.#run(task, runner, false, mark);
  }

  /**
   * Records the result of an attempt that had already been given up (its worker was lost or
   * timed out) while no later attempt has started: the task is in retry backoff and not
   * leased. The caller guarantees nobody claims the task meanwhile. Resolves once committed.
   */
  completeLate(task: ActivityTask, attempt: number, result: unknown): Promise<void> {
    const run: RunKey = {
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
    };
    const data = taskDataOf(task);
    return settleOutcome(
      this.#env,
      run,
      { ...task, attempt },
      data,
      { type: 'completed', result },
      true,
    );
  }

  /** While a run is paused no new attempt of its activities starts (running ones finish). */
  setPaused(runId: string, paused: boolean): void {
    this.#pausesLive?.add(runId);
    if (paused) this.#paused.add(runId);
    else if (this.#paused.delete(runId)) this.#claims.wake(this.#clock.now());
  }

  /** Aborts every running attempt of a run (it closed). */
  cancelRun(runId: string, reason: string): void {
    const prefix = `${runId}/`;
    for (const [taskId, r] of this.#running) if (taskId.startsWith(prefix)) r.handle.cancel(reason);
    this.#pausesLive?.add(runId);
    this.#paused.delete(runId);
  }

  /**
   * The paused runs are not all known yet (the open runs are swept in the background after a
   * start): until endPauseRecovery, an attempt starts only once its run's status, read from
   * the store, is not PAUSED.
   */
  beginPauseRecovery(): void {
    this.#pausesLive ??= new Set();
  }

  /** A run the sweep read as PAUSED (unless a commit here paused, resumed or closed it since). */
  recoveredPause(runId: string): void {
    if (!this.#pausesLive?.has(runId)) this.#paused.add(runId);
  }

  /** Every open run was swept: the paused ones are known. */
  endPauseRecovery(): void {
    this.#pausesLive = undefined;
  }

  isRunning(taskId: string): boolean {
    return this.#running.has(taskId);
  }

  /** This node's leases broke: extend every running attempt's lease now (lost ones stop). */
  recheckLeases(): void {
    this.#renewals.renewAllNow();
  }

  /**
   * The activity's outcome was recorded from elsewhere (another node's attempt, a late result):
   * an attempt of it still queued here never starts, and one running is cancelled.
   */
  supersede(taskId: string): void {
    const running = this.#running.get(taskId);
    if (running === undefined) return;
    running.superseded = true;
    running.handle.cancel('the activity\u2019s outcome was recorded from another attempt');
  }

  /** Aborts a running attempt (the workflow cancelled the activity or the run closed). */
  cancel(taskId: string, reason: string): void {
    this.#running.get(taskId)?.handle.cancel(reason);
  }

  /** Polls now (a namespace came into use). */
  wake(): void {
    if (!this.#stopped) this.#claims.wake(this.#clock.now());
  }

  start(): void {
    this.#claims.wake(this.#clock.now());
  }

  /** Admits a completion by token (see {@link AsyncAttempts.admit}). */
  admitAsyncCompletion(token: string): Promise<{ taskId: string; attempt: number }> {
    return this.asyncAttempts.admit(this.tokens, this.#store, token, taskIdFor);
  }

  /**
   * Starts no new in-process attempt from now on (shutdown): running attempts finish and their
   * outcomes are recorded, while tasks scheduled meanwhile stay in the store, unleased, for
   * the next engine that starts.
   */
  drain(): void {
    this.#draining = true;
    this.#claims.stop();
  }

  /** Resolves once the tasks handed back during the drain are released in the store. */
  async handedBack(): Promise<void> {
    while (this.#handingBack.size > 0) await Promise.allSettled([...this.#handingBack]);
  }

  stop(): void {
    this.#stopped = true;
    this.#draining = true;
    this.#claims.stop();
    this.tokens.stop();
    this.#renewals.stop();
  }

  /** Records a heartbeat: extends the lease and stores the details for the next attempt. */
  heartbeat(info: ActivityInfo, details: unknown): void {
    extendOnHeartbeat(this.#env, info, details);
  }

  /**
   * Hands a task back untouched (same attempt, lease released): a paused run's task is claimed
   * again after the run resumes, a task not started because of the drain on the next start.
   */
  #handBack(task: ActivityTask, delayMs: number): void {
    const released = this.#store
      .retryTask({
        namespace: task.namespace,
        taskId: task.taskId,
        owner: this.#owner,
        attempt: task.attempt,
        visibleAt: this.#clock.now() + delayMs,
      })
      .then(
        () => this.#claims.wake(this.#clock.now() + delayMs),
        () => undefined, // the lease runs out instead
      );
    this.#handingBack.add(released);
    void released.finally(() => this.#handingBack.delete(released));
  }

  /** Confirms the task's lease in the store, then runs it (see TaskLeaseGuard.confirm). */
  #confirmLease(task: ActivityTask, runner: AttemptRunner, statusRead: boolean): void {
    this.#guard.confirm(
      task,
      (mark) => this.#run(task, runner, statusRead, mark),
      () => this.#stopped || this.#running.has(task.taskId),
    );
  }

  /** The `redispatch-completed-activity` defect: runs a finished task once more, a moment later. */
  #redispatch(task: ActivityTask, runner: AttemptRunner | undefined, mark?: number): void {
    if (this.#redispatched.has(task.taskId)) return;
    this.#redispatched.add(task.taskId);
    this.#clock.schedule(this.#clock.now() + 1, () => this.#run(task, runner, false, mark));
  }

  /** A run another node drives: its pause is read from the store before an attempt starts. */
  #runIfNotPaused(task: ActivityTask, runner: AttemptRunner, mark: number | undefined): void {
    void this.#store.getRun(task).then(
      (info) =>
        info?.status === 'PAUSED'
          ? this.#handBack(task, 1000)
          : this.#run(task, runner, true, mark),
      () => this.#handBack(task, 1000),
    );
  }

  /**
   * The attempt's decoded arguments; or, with its final outcome recorded instead, undefined: a
   * lost attempt (lease expired) may have used up the policy, or the input cannot be decoded.
   */
  #argsOrFinal(task: ActivityTask, data: TaskData, run: RunKey): unknown[] | undefined {
    const maxAttempts = data.options.retry?.maximumAttempts ?? 0;
    if (maxAttempts > 0 && task.attempt > maxAttempts) {
      void recordFinal(this.#env, run, task, {
        type: 'ActivityTimedOut',
        scheduledSeq: task.scheduledSeq,
        timeoutType: 'START_TO_CLOSE',
        attempt: task.attempt - 1,
        ...(task.lastFailure ? { failure: task.lastFailure } : {}),
      });
      return undefined;
    }
    try {
      return this.#converter.decodeArgs(task.input);
    } catch (err) {
      void recordFinal(this.#env, run, task, {
        type: 'ActivityFailed',
        scheduledSeq: task.scheduledSeq,
        attempt: task.attempt,
        retryState: 'NON_RETRYABLE_FAILURE',
        failure: { type: 'PayloadDecodeError', message: (err as Error).message, retryable: false },
      });
      return undefined;
    }
  }

  /**
   * Runs an attempt of `task`, leased to this engine since `mark` (see LeaseStanding; undefined
   * when unknown).
   */
  #run(
    task: ActivityTask,
    runner: AttemptRunner | undefined = this.#executor,
    statusRead = false,
    mark?: number,
  ): void {
    if (!runner || this.#stopped) return;
    if (!statusRead && (this.#pausesLive !== undefined || this.#elsewhere?.(task)))
      return this.#runIfNotPaused(task, runner, mark);
    if (this.#draining && runner === this.#executor) {
      this.#handBack(task, 0);
      return;
    }
    if (this.#paused.has(task.runId)) {
      this.#handBack(task, 1000);
      return;
    }
    if (this.tokens.pending) {
      // Signing was switched on but the secrets are not loaded yet: a moment later.
      this.#handBack(task, 200);
      return;
    }
    if (!this.#guard.clear(mark)) {
      this.#confirmLease(task, runner, statusRead);
      return;
    }
    const data = taskDataOf(task);
    const now = this.#clock.now();
    const run: RunKey = {
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
    };
    const args = this.#argsOrFinal(task, data, run);
    if (args === undefined) return;
    const heartbeatDetails = decodeHeartbeatDetails(this.#converter, task.heartbeatDetails);
    const info = attemptInfo(task, data, now, heartbeatDetails, this.#signToken);
    let handle: ReturnType<AttemptRunner['execute']>;
    // A queued attempt starts only if the leases still held when its slot comes.
    let withdrawn = false;
    const mayStart = this.#guard.mayStart(mark, () => (withdrawn = true));
    try {
      handle = runner.execute({
        info,
        args,
        options: data.options,
        infoOwned: true,
        ...(mayStart ? { mayStart } : {}),
      });
    } catch {
      // The runner refuses work (it is shutting down): the task waits for the next one.
      this.#handBack(task, 0);
      return;
    }
    this.#metrics.activityAttempts.inc(1, { activity_type: task.activityType });
    const running = this.#renewals.track(handle, task, data);
    void handle.outcome
      .then((outcome) => {
        if (this.#running.get(task.taskId) === running) this.#running.delete(task.taskId);
        if (withdrawn) return this.#confirmLease(task, runner, statusRead);
        // Its lease is another attempt's now: only a result is worth handing over.
        if (running.superseded && outcome.type !== 'completed') return;
        this.#metrics.activitySeconds.observe((this.#clock.now() - now) / 1000, {
          activity_type: task.activityType,
        });
        if (defectOn('redispatch-completed-activity')) this.#redispatch(task, runner, mark);
        if (outcome.type === 'async') this.asyncAttempts.mark(task.taskId, task.attempt);
        return settleOutcome(this.#env, run, task, data, outcome, runner !== this.#executor);
      })
      .then(
        () => handle.onDurable?.(),
        () => undefined, // not durable (the commit failed): the worker is not acknowledged
      );
  }
}
