import { decideRetry } from '../activity/retry-policy.js';
import { encodeTaskToken } from '../activity/complete-async.js';
import type { ActivityExecutor, AttemptHandle } from '../activity/executor.js';
import type { ActivityInfo, AttemptOutcome, AttemptRequest } from '../activity/types.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { Poller } from './poller.js';
import type {
  DataConverter,
  Failure,
  Headers,
  NewEvent,
  Payload,
  RecordedActivityOptions,
  RunKey,
} from '../core/index.js';
import { isAionError } from '../core/index.js';
import type { ActivityTask, NewActivityTask, Store } from '../store/index.js';
import type { EngineMetrics } from './metrics.js';

/** Internal queue of local activities: always served by the engine's own executor. */
export const LOCAL_QUEUE = '__aion_local';

/** Engine data kept in a task row's `options`. */
export interface TaskData {
  readonly workflowType: string;
  readonly scheduledAt: number;
  readonly options: RecordedActivityOptions;
  readonly local: boolean;
  /** Headers recorded with ActivityScheduled, handed to each attempt. */
  readonly headers?: Headers;
}

/** A recorded outcome to deliver to a run (the engine turns it into an arrival). */
export interface ActivityArrival {
  readonly run: RunKey;
  readonly activityId: string;
  readonly event: NewEvent;
  readonly taskId: string;
  /** Settled once the outcome is committed (or refused because the run moved on). */
  readonly ack?: { resolve(): void; reject(error: unknown): void };
}

/**
 * Runs attempts somewhere other than the in-process executor (remote workers). The
 * service does everything else: the attempt's info, lease renewal, retry decisions and
 * recording. `onDurable` is called once the outcome is durable (retry row written, or final
 * event committed or refused) — a remote worker is acknowledged only then.
 */
export interface AttemptRunner {
  execute(request: AttemptRequest): AttemptHandle & { onDurable?: () => void };
}

/** What the service tells the remote dispatcher (wake-ups for tasks it did not lease). */
export interface RemoteWakeups {
  wake(namespace: string, taskQueue: string, at: number): void;
  /**
   * Reserves a free remote-worker slot for a task about to be scheduled (synchronous, no
   * I/O); true means the task may be written pre-leased and handed over with `take`.
   */
  reserve(namespace: string, taskQueue: string, activityType: string, taskId: string): boolean;
  /** Hands a reserved, pre-leased task (committed) to a remote worker. */
  take(task: ActivityTask): void;
}

export function taskIdFor(runId: string, activityId: string): string {
  return `${runId}/${activityId}`;
}

export function scheduleToCloseTimerId(activityId: string): string {
  return `activity/${activityId}/schedule-to-close`;
}

export function scheduleToStartTimerId(activityId: string): string {
  return `activity/${activityId}/schedule-to-start`;
}

/** Timer rows an activity may own (deleted with its final outcome). */
export function activityTimerIds(activityId: string): string[] {
  return [scheduleToCloseTimerId(activityId), scheduleToStartTimerId(activityId)];
}

const NO_HEADERS: Headers = Object.freeze({});

const DEFAULT_LEASE_MS = 5 * 60_000;

interface Running {
  readonly handle: AttemptHandle;
  renew: TimerHandle | undefined;
}

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
  readonly #served: Set<string>;
  /** Activity types the in-process executor implements (tasks of others wait for a worker). */
  readonly #types: ReadonlySet<string>;
  #remote: RemoteWakeups | undefined;
  /** Tasks pre-leased for a remote worker in their scheduling commit (until dispatched). */
  readonly #remoteReserved = new Set<string>();
  readonly #converter: DataConverter;
  readonly #metrics: EngineMetrics;
  readonly #onArrival: (arrival: ActivityArrival) => void;
  readonly #running = new Map<string, Running>();
  /** The namespaces whose queues the poller claims from (the engine's, plus any in use). */
  readonly #namespaces: () => Iterable<string>;
  readonly #poller: Poller;
  #stopped = false;

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
    onArrival: (arrival: ActivityArrival) => void;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#owner = options.owner;
    this.#namespaces = options.namespaces;
    this.#executor = options.executor;
    this.#served = new Set(options.executor ? [...options.servedQueues, LOCAL_QUEUE] : []);
    this.#types = new Set(options.servedTypes ?? []);
    this.#converter = options.converter;
    this.#metrics = options.metrics;
    this.#onArrival = options.onArrival;
    this.#poller = new Poller(this.#clock, () => this.#poll());
  }

  get runningCount(): number {
    return this.#running.size;
  }

  #leaseMs(options: RecordedActivityOptions): number {
    return (options.startToCloseTimeoutMs ?? DEFAULT_LEASE_MS) + 30_000;
  }

  /** The task row for a newly scheduled activity (pre-leased when this engine will run it). */
  newTask(
    run: RunKey,
    p: {
      activityId: string;
      activityType: string;
      scheduledSeq: number;
      input: readonly Payload[];
      options: RecordedActivityOptions;
      local: boolean;
      workflowType: string;
      headers?: Headers | undefined;
    },
    now: number,
  ): NewActivityTask {
    const taskQueue = p.local ? LOCAL_QUEUE : p.options.taskQueue;
    const data: TaskData = {
      workflowType: p.workflowType,
      scheduledAt: now,
      options: p.options,
      local: p.local,
      ...(p.headers ? { headers: p.headers } : {}),
    };
    const base = {
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      taskId: taskIdFor(run.runId, p.activityId),
      taskQueue,
      activityId: p.activityId,
      activityType: p.activityType,
      scheduledSeq: p.scheduledSeq,
      input: p.input,
      options: JSON.stringify(data),
      attempt: 1,
      visibleAt: now,
    };
    if (this.#stopped) return base;
    if (this.#servesInProcess(taskQueue, p.activityType)) {
      return { ...base, leaseOwner: this.#owner, leaseUntil: now + this.#leaseMs(p.options) };
    }
    // A connected remote worker has a free slot: lease it in the scheduling commit and hand
    // it over after the commit, instead of a separate claim write later.
    if (this.#remote?.reserve(run.namespace, taskQueue, p.activityType, base.taskId)) {
      this.#remoteReserved.add(base.taskId);
      return { ...base, leaseOwner: this.#owner, leaseUntil: now + this.#leaseMs(p.options) };
    }
    return base;
  }

  #servesInProcess(taskQueue: string, activityType: string): boolean {
    if (!this.#served.has(taskQueue)) return false;
    // Local activities always run here (an unknown type fails as not registered).
    return taskQueue === LOCAL_QUEUE || this.#types.has(activityType);
  }

  /** Connects the remote-worker dispatcher (woken for tasks the executor does not take). */
  attachRemote(remote: RemoteWakeups): void {
    this.#remote = remote;
  }

  /** Runs a task this engine enqueued pre-leased (called after its commit). */
  dispatch(task: NewActivityTask): void {
    if (task.leaseOwner !== this.#owner) {
      this.#remote?.wake(task.namespace, task.taskQueue, task.visibleAt);
      return;
    }
    if (this.#remoteReserved.delete(task.taskId)) {
      this.#remote?.take({ ...task, deliveries: 1 });
      return;
    }
    this.#run({ ...task, deliveries: 1 });
  }

  /**
   * Runs a task claimed (leased to this engine) by the remote dispatcher on `runner`, with
   * the same checks, lease renewal, retry policy and recording as in-process attempts.
   */
  runWith(task: ActivityTask, runner: AttemptRunner): void {
    this.#run(task, runner);
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
    const data = JSON.parse(task.options ?? '{}') as TaskData;
    return this.#settle(run, { ...task, attempt }, data, { type: 'completed', result }, true);
  }

  readonly #paused = new Set<string>();

  /** While a run is paused no new attempt of its activities starts (running ones finish). */
  setPaused(runId: string, paused: boolean): void {
    if (paused) this.#paused.add(runId);
    else if (this.#paused.delete(runId)) this.#schedulePoll(this.#clock.now());
  }

  /** Aborts every running attempt of a run (it closed). */
  cancelRun(runId: string, reason: string): void {
    const prefix = `${runId}/`;
    for (const [taskId, r] of this.#running) if (taskId.startsWith(prefix)) r.handle.cancel(reason);
    this.#paused.delete(runId);
  }

  isRunning(taskId: string): boolean {
    return this.#running.has(taskId);
  }

  /** Aborts a running attempt (the workflow cancelled the activity or the run closed). */
  cancel(taskId: string, reason: string): void {
    this.#running.get(taskId)?.handle.cancel(reason);
  }

  /** Polls now (a namespace came into use). */
  wake(): void {
    if (!this.#stopped) this.#schedulePoll(this.#clock.now());
  }

  start(): void {
    this.#schedulePoll(this.#clock.now());
  }

  stop(): void {
    this.#stopped = true;
    this.#poller.stop();
    for (const r of this.#running.values()) r.renew?.cancel();
  }

  #schedulePoll(at: number): void {
    if (this.#served.size > 0) this.#poller.wake(at);
  }

  /** Claims due tasks of the served queues (retries, leftovers of a previous process). */
  async #poll(): Promise<number> {
    let next = Infinity;
    for (const namespace of this.#namespaces()) {
      next = Math.min(next, await this.#pollNamespace(namespace));
    }
    const now = this.#clock.now();
    // Tasks still visible now are of types only remote workers serve: no need to spin on them.
    if (next <= now) next = now + 1000;
    return Math.max(now + 10, Math.min(next, now + 60_000));
  }

  async #pollNamespace(namespace: string): Promise<number> {
    let next = Infinity;
    for (const queue of this.#served) {
      for (;;) {
        const now = this.#clock.now();
        const tasks = await this.#store.claimTasks({
          namespace,
          taskQueue: queue,
          owner: this.#owner,
          now,
          leaseMs: DEFAULT_LEASE_MS,
          limit: 200,
          ...(queue === LOCAL_QUEUE ? {} : { activityTypes: [...this.#types] }),
        });
        for (const t of tasks) if (!this.#running.has(t.taskId)) this.#run(t);
        if (tasks.length < 200) break;
      }
      const at = await this.#store.nextTaskAt(namespace, queue);
      if (at !== undefined) next = Math.min(next, at);
    }
    return next;
  }

  #run(task: ActivityTask, runner: AttemptRunner | undefined = this.#executor): void {
    if (!runner || this.#stopped) return;
    if (this.#paused.has(task.runId)) {
      // Hand the task back untouched; it is claimed again after the run resumes.
      void this.#store
        .retryTask({
          namespace: task.namespace,
          taskId: task.taskId,
          owner: this.#owner,
          attempt: task.attempt,
          visibleAt: this.#clock.now() + 1000,
        })
        .then(
          () => this.#schedulePoll(this.#clock.now() + 1000),
          () => undefined,
        );
      return;
    }
    const data = JSON.parse(task.options ?? '{}') as TaskData;
    const now = this.#clock.now();
    const run: RunKey = {
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
    };
    // A lost attempt (lease expired) may have used up the policy or the schedule-to-close budget.
    const maxAttempts = data.options.retry?.maximumAttempts ?? 0;
    if (maxAttempts > 0 && task.attempt > maxAttempts) {
      void this.#final(run, task, {
        type: 'ActivityTimedOut',
        scheduledSeq: task.scheduledSeq,
        timeoutType: 'START_TO_CLOSE',
        attempt: task.attempt - 1,
        ...(task.lastFailure ? { failure: task.lastFailure } : {}),
      });
      return;
    }
    let args: unknown[];
    try {
      args = this.#converter.decodeArgs(task.input);
    } catch (err) {
      void this.#final(run, task, {
        type: 'ActivityFailed',
        scheduledSeq: task.scheduledSeq,
        attempt: task.attempt,
        retryState: 'NON_RETRYABLE_FAILURE',
        failure: { type: 'PayloadDecodeError', message: (err as Error).message, retryable: false },
      });
      return;
    }
    let heartbeatDetails: unknown;
    if (task.heartbeatDetails) {
      try {
        heartbeatDetails = this.#converter.decode(task.heartbeatDetails);
      } catch {
        heartbeatDetails = undefined;
      }
    }
    const info: ActivityInfo = {
      namespace: task.namespace,
      workflowId: task.workflowId,
      runId: task.runId,
      workflowType: data.workflowType,
      activityId: task.activityId,
      activityType: task.activityType,
      taskQueue: data.options.taskQueue,
      attempt: task.attempt,
      taskToken: encodeTaskToken({
        namespace: task.namespace,
        workflowId: task.workflowId,
        runId: task.runId,
        activityId: task.activityId,
        attempt: task.attempt,
      }),
      scheduledTime: data.scheduledAt,
      startedTime: now,
      deadline:
        data.options.startToCloseTimeoutMs === undefined
          ? undefined
          : now + data.options.startToCloseTimeoutMs,
      heartbeatTimeoutMs: data.options.heartbeatTimeoutMs,
      heartbeatDetails,
      isLocal: data.local,
      headers: data.headers ?? NO_HEADERS,
    };
    this.#metrics.activityAttempts.inc(1, { activity_type: task.activityType });
    const handle = runner.execute({ info, args, options: data.options });
    const running: Running = { handle, renew: undefined };
    this.#running.set(task.taskId, running);
    this.#armRenewal(task, running, data);
    void handle.outcome
      .then((outcome) => {
        running.renew?.cancel();
        if (this.#running.get(task.taskId) === running) this.#running.delete(task.taskId);
        this.#metrics.activitySeconds.observe((this.#clock.now() - now) / 1000, {
          activity_type: task.activityType,
        });
        return this.#settle(run, task, data, outcome, runner !== this.#executor);
      })
      .then(
        () => handle.onDurable?.(),
        () => undefined, // not durable (the commit failed): the worker is not acknowledged
      );
  }

  /** Keeps the lease of a long attempt alive while it runs in this process. */
  #armRenewal(task: ActivityTask, running: Running, data: TaskData): void {
    const leaseMs = this.#leaseMs(data.options);
    running.renew = this.#clock.schedule(this.#clock.now() + leaseMs / 2, () => {
      if (!this.#running.has(task.taskId)) return;
      void this.#store
        .extendTaskLease({
          namespace: task.namespace,
          taskId: task.taskId,
          owner: this.#owner,
          leaseUntil: this.#clock.now() + leaseMs,
          now: this.#clock.now(),
        })
        .then(
          (held) => {
            if (!held) running.handle.cancel('the task lease was lost');
            else this.#armRenewal(task, running, data);
          },
          () => this.#armRenewal(task, running, data),
        );
    });
  }

  /** Records a heartbeat: extends the lease and stores the details for the next attempt. */
  heartbeat(info: ActivityInfo, details: unknown): void {
    const taskId = taskIdFor(info.runId, info.activityId);
    let payload: Payload | undefined;
    try {
      payload =
        details === undefined ? undefined : this.#converter.encode(details, 'heartbeat details');
    } catch {
      payload = undefined;
    }
    const now = this.#clock.now();
    const leaseMs = Math.max(info.heartbeatTimeoutMs ?? 0, DEFAULT_LEASE_MS);
    void this.#store
      .extendTaskLease({
        namespace: info.namespace,
        taskId,
        owner: this.#owner,
        leaseUntil: now + leaseMs,
        now,
        ...(payload ? { heartbeatDetails: payload } : {}),
      })
      .catch(() => undefined);
  }

  async #settle(
    run: RunKey,
    task: ActivityTask,
    data: TaskData,
    outcome: AttemptOutcome,
    /** Wait for the commit (a remote worker is acknowledged only after it). */
    durable = false,
  ): Promise<void> {
    const final = (event: NewEvent): Promise<void> => this.#final(run, task, event, durable);
    switch (outcome.type) {
      case 'completed': {
        let result: Payload;
        try {
          result = this.#converter.encode(
            outcome.result,
            `result of activity ${task.activityType}`,
          );
        } catch (err) {
          return final({
            type: 'ActivityFailed',
            scheduledSeq: task.scheduledSeq,
            attempt: task.attempt,
            retryState: 'NON_RETRYABLE_FAILURE',
            failure: {
              type: 'PayloadEncodeError',
              message: (err as Error).message,
              retryable: false,
            },
          });
        }
        return final({
          type: 'ActivityCompleted',
          scheduledSeq: task.scheduledSeq,
          result,
          attempt: task.attempt,
        });
      }
      case 'async':
        return;
      case 'cancelled':
        if (outcome.shutdown === true) return; // the engine is stopping: the task is delivered again later
        return final({
          type: 'ActivityCancelled',
          scheduledSeq: task.scheduledSeq,
          attempt: task.attempt,
        });
      case 'failed':
      case 'timed_out': {
        const now = this.#clock.now();
        const decision = decideRetry({
          policy: data.options.retry,
          attempt: task.attempt,
          failure: outcome.failure,
          now,
          scheduledTime: data.scheduledAt,
          scheduleToCloseTimeoutMs: data.options.scheduleToCloseTimeoutMs,
        });
        if (decision.retry) {
          const visibleAt = now + decision.delayMs;
          const held = await this.#store
            .retryTask({
              namespace: task.namespace,
              taskId: task.taskId,
              owner: this.#owner,
              attempt: decision.nextAttempt,
              visibleAt,
              lastFailure: outcome.failure,
            })
            .catch(() => false);
          if (held) {
            this.#schedulePoll(visibleAt);
            this.#remote?.wake(task.namespace, task.taskQueue, visibleAt);
          }
          return;
        }
        if (outcome.type === 'timed_out') {
          return final({
            type: 'ActivityTimedOut',
            scheduledSeq: task.scheduledSeq,
            timeoutType: outcome.timeoutType,
            attempt: task.attempt,
            failure: outcome.failure,
          });
        }
        return final({
          type: 'ActivityFailed',
          scheduledSeq: task.scheduledSeq,
          failure: outcome.failure,
          attempt: task.attempt,
          retryState: decision.retryState,
        });
      }
    }
  }

  /** Hands a final outcome to the run; resolves once it is committed (or refused). */
  #final(
    run: RunKey,
    task: { taskId: string; activityId: string },
    event: NewEvent,
    durable = false,
  ): Promise<void> {
    const kind =
      event.type === 'ActivityCompleted'
        ? 'completed'
        : event.type === 'ActivityFailed'
          ? 'failed'
          : event.type === 'ActivityTimedOut'
            ? 'timed_out'
            : 'cancelled';
    this.#metrics.activityOutcomes.inc(1, { outcome: kind });
    const arrival = { run, activityId: task.activityId, taskId: task.taskId, event };
    if (!durable) {
      // No ack: a failed commit keeps the arrival in the run's inbox and retries it.
      this.#onArrival(arrival);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const ack = {
        resolve: () => resolve(),
        // A closed run refuses the outcome for good: that is settled too.
        reject: (error: unknown) =>
          isAionError(error) && error.code === 'workflow_closed'
            ? resolve()
            : reject(error instanceof Error ? error : new Error(String(error))),
      };
      this.#onArrival({ ...arrival, ack });
    });
  }

  /** The outcome of a failure record reported from outside (asynchronous completion). */
  static failureEvent(scheduledSeq: number, attempt: number, failure: Failure): NewEvent {
    return {
      type: 'ActivityFailed',
      scheduledSeq,
      failure,
      attempt,
      retryState: 'NON_RETRYABLE_FAILURE',
    };
  }
}
