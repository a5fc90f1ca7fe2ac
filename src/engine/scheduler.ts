import type { Clock } from '../clock/index.js';
import {
  AionError,
  errorToFailure,
  isAionError,
  isTerminalEventType,
  JsonPayloadConverter,
  stampEvent,
  type ActivationOutput,
  type Failure,
  type HistoryEvent,
  type Limits,
  type LogLine,
  type NewEvent,
  type Payload,
  type QueryOutcome,
  type RunKey,
  type SearchAttributeType,
  type UpdateValidation,
} from '../core/index.js';
import {
  CONTINUE_AS_NEW_SUGGESTED_MARKER,
  DeadlockError,
  initInfoFor,
  RunBook,
  WorkflowThreadRestartedError,
  type ActivateItem,
  type WorkflowThread,
} from '../runtime/index.js';
import type { OutboxRow, RunCommit, Store } from '../store/index.js';
import type { ActivityService } from './activity-service.js';
import { closingEffects, commandsToEvents, emptyEffects, type CommitEffects } from './commands.js';
import type { EngineMetrics } from './metrics.js';
import type { PackageRegistry } from './package-registry.js';
import type { Recorder } from './recorder.js';
import { actorKey, RunActor, type Arrival } from './run-actor.js';
import type { TimerService } from './timer-service.js';

export interface EngineLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface SchedulerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly recorder: Recorder;
  readonly registry: PackageRegistry;
  readonly thread: WorkflowThread;
  readonly activities: ActivityService;
  readonly timers: TimerService;
  readonly metrics: EngineMetrics;
  readonly limits: Limits;
  readonly logger: EngineLogger;
  readonly maxResidentRuns: number;
  readonly supervision: SupervisionPolicy;
  /** `continueAsNewSuggested` turns true past `fraction` of the history length or of `historyBytes`. */
  readonly continueAsNew: { readonly fraction: number; readonly historyBytes: number };
  /** Called after a run's terminal event is committed. */
  readonly onClosed: (run: RunKey, terminal: HistoryEvent, workflowType: string) => void;
  /** An update's outcome was committed. */
  readonly onUpdateCompleted: (
    run: RunKey,
    event: HistoryEvent & { type: 'UpdateCompleted' },
  ) => void;
  /** The routed version of a workflow type (cached; undefined when unknown). */
  readonly routeFor: (namespace: string, workflowType: string) => string | undefined;
  /** The namespace's search-attribute schema (for upserts from workflow code). */
  readonly schemaFor: (namespace: string) => ReadonlyMap<string, SearchAttributeType>;
  /** Dispatches an outbox message committed by a run (e.g. a continue-as-new successor). */
  readonly onOutbox: (row: OutboxRow) => void;
  /** Workflow log lines (already replay-filtered). */
  readonly onWorkflowLog: (run: RunKey, line: LogLine) => void;
}

/**
 * How task crashes are supervised: retried by replay with exponential backoff, at most
 * `maxRestarts` within `withinMs`; then the run is parked as stuck (or failed, for types
 * listed in `failTypes`).
 */
export interface SupervisionPolicy {
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly failTypes: ReadonlySet<string>;
}

/** What one run contributes to a tick. */
interface Plan {
  readonly actor: RunActor;
  readonly expectedSeq: number;
  readonly now: number;
  readonly arrivals: Arrival[];
  readonly start: RunActor['pendingStart'];
  readonly events: HistoryEvent[];
  readonly effects: CommitEffects;
  activate: boolean;
  /** Set when the plan was put back (nothing of it is committed this tick). */
  skip: boolean;
  visibility?: { stuck: { reason: string; since: number } | null } | undefined;
  /** The run's last event before this plan (to avoid repeating WorkflowTaskFailed). */
  readonly prevLastEventType: HistoryEvent['type'] | undefined;
  taskFailure?: {
    cause: 'nondeterminism' | 'sandbox' | 'deadlock' | 'unhandled';
    failure: Failure;
  };
}

const MAX_TASK_RETRY_MS = 60_000;
const jsonConverter = new JsonPayloadConverter();

/**
 * Drives runs: collects ready runs each tick, rebuilds the ones that are not resident,
 * activates the rest in batches per package sandbox, and submits their commits together so
 * the recorder writes them in one transaction.
 */
export class RunScheduler {
  readonly #d: SchedulerDeps;
  readonly #actors = new Map<string, RunActor>();
  #ready = new Set<RunActor>();
  #tickScheduled = false;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  get residentCount(): number {
    return this.#actors.size;
  }

  /** True when no run has work queued or in flight. */
  get idle(): boolean {
    return this.#inFlight === 0 && this.#ready.size === 0 && !this.#tickScheduled;
  }

  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #checkIdle(): void {
    if (this.idle) for (const w of this.#idleWaiters.splice(0)) w();
  }

  stop(): void {
    this.#stopped = true;
  }

  /** True when the run's instance lives in the current workflow thread. */
  isResident(a: RunActor): boolean {
    return a.residentIn !== undefined && a.residentIn === this.#d.thread.generation;
  }

  existing(namespace: string, runId: string): RunActor | undefined {
    return this.#actors.get(actorKey(namespace, runId));
  }

  actor(key: RunKey): RunActor {
    const k = actorKey(key.namespace, key.runId);
    let a = this.#actors.get(k);
    if (a) {
      // LRU: most recently used last.
      this.#actors.delete(k);
      this.#actors.set(k, a);
    } else {
      a = new RunActor(key);
      this.#actors.set(k, a);
    }
    return a;
  }

  /** Registers a brand-new run (its start commit is pending). */
  addStart(actor: RunActor): void {
    actor.loaded = true;
    this.markReady(actor);
  }

  enqueue(key: RunKey, arrival: Arrival): void {
    const a = this.actor(key);
    a.inbox.push(arrival);
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

  /** Waits until the run has nothing in flight, then returns its actor loaded (for queries). */
  async loadedIdle(key: RunKey): Promise<RunActor> {
    for (let i = 0; i < 1000; i++) {
      const a = this.actor(key);
      if (!a.busy && a.inbox.length === 0 && a.pendingStart === undefined) {
        if (!a.loaded || (!this.isResident(a) && !a.book.closed)) {
          a.busy = true;
          this.#inFlight++;
          try {
            await this.#load(a);
          } finally {
            a.busy = false;
            this.#inFlight--;
            this.#checkIdle();
          }
          if (!a.loaded)
            throw new AionError('not_found', `workflow run ${key.runId} not found`, {
              runId: key.runId,
            });
        }
        if (!a.busy) return a;
      }
      await new Promise((r) => setImmediate(r));
    }
    throw new AionError('deadline_exceeded', `run ${key.runId} stayed busy; try again`);
  }

  /**
   * Runs `fn` against the run's live instance (rebuilding it first when needed) while no
   * activation of the run is in flight: queries and update validators see committed state.
   */
  async #withResident<T>(
    key: RunKey,
    what: string,
    fn: (a: RunActor) => Promise<T>,
    onDeadlock: (err: DeadlockError) => T,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const a = await this.loadedIdle(key);
      if (a.book.closed) {
        throw new AionError('workflow_closed', `run ${key.runId} is ${a.book.status}`, {
          status: a.book.status,
          runId: key.runId,
        });
      }
      if (!this.isResident(a)) {
        if (attempt < 3 && !a.broken) continue;
        throw new AionError(
          'invalid_state',
          `run ${key.runId} cannot ${what} right now: ${a.broken?.failure.message ?? 'it is being rebuilt'}`,
          {
            runId: key.runId,
          },
        );
      }
      a.busy = true;
      this.#inFlight++;
      try {
        return await fn(a);
      } catch (err) {
        if (err instanceof DeadlockError) return onDeadlock(err);
        if (!(err instanceof WorkflowThreadRestartedError) || attempt >= 3) throw err;
      } finally {
        a.busy = false;
        this.#inFlight--;
        if (!a.idle) this.markReady(a);
        this.#checkIdle();
      }
    }
  }

  /** Answers a query from the run's live instance. */
  query(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    return this.#withResident(
      key,
      'answer queries',
      (a) => this.#d.thread.query(a.mapKey, name, args),
      (err) => ({
        ok: false,
        code: 'query_failed',
        failure: {
          type: 'DeadlockError',
          message: `query ${name} did not return within ${err.timeoutMs} ms`,
          retryable: false,
        },
      }),
    );
  }

  /** Runs an update's validator on the live instance (nothing is recorded). */
  validateUpdate(key: RunKey, name: string, args: readonly Payload[]): Promise<UpdateValidation> {
    return this.#withResident(
      key,
      'take updates',
      (a) => this.#d.thread.validateUpdate(a.mapKey, name, args),
      (err) => ({
        ok: false,
        code: 'update_rejected',
        failure: {
          type: 'DeadlockError',
          message: `validator of update ${name} did not return within ${err.timeoutMs} ms`,
          retryable: false,
        },
      }),
    );
  }

  // ── the tick ──────────────────────────────────────────────────────────────────────────

  #tick(): void {
    this.#tickScheduled = false;
    const ready = [...this.#ready];
    this.#ready = new Set();
    const plans: Plan[] = [];
    for (const a of ready) {
      if (a.busy || a.idle) continue;
      const needsRebuild =
        a.pendingStart === undefined &&
        !this.isResident(a) &&
        !a.book.closed &&
        a.broken === undefined &&
        this.#wantsActivation(a);
      if (!a.loaded || needsRebuild) {
        a.busy = true;
        this.#inFlight++;
        void this.#load(a).finally(() => {
          a.busy = false;
          this.#inFlight--;
          this.markReady(a);
          this.#checkIdle();
        });
        continue;
      }
      const plan = this.#prepare(a);
      if (plan) plans.push(plan);
    }
    if (plans.length > 0) {
      for (const p of plans) p.actor.busy = true;
      this.#inFlight++;
      void this.#activate(plans)
        .then(
          () => {
            for (const p of plans) {
              if (p.skip) continue; // put back: it belongs to a later tick now
              p.actor.busy = false;
              this.#commit(p);
            }
          },
          (err: unknown) => {
            this.#d.logger.error('activation failed', { error: String(err) });
            for (const p of plans) if (!p.skip) this.#requeue(p, false);
          },
        )
        .finally(() => {
          this.#inFlight--;
          this.#evict();
          this.#checkIdle();
        });
    }
    this.#evict();
    this.#checkIdle();
  }

  #wantsActivation(a: RunActor): boolean {
    return (
      a.pendingStart !== undefined ||
      a.inbox.length > 0 ||
      a.needsActivation ||
      a.book.undelivered.length > 0
    );
  }

  /** Reads a run's history and rebuilds it by replay (or marks it broken). */
  async #load(a: RunActor): Promise<void> {
    const started = performance.now();
    const events = await this.#d.store.readHistory(a.key);
    if (events.length === 0) {
      for (const arrival of a.inbox)
        arrival.ack?.reject(
          new AionError(
            'not_found',
            `workflow run ${a.key.runId} of ${a.key.workflowId} not found`,
            { runId: a.key.runId },
          ),
        );
      a.inbox = [];
      a.needsActivation = false;
      this.#actors.delete(a.mapKey);
      return;
    }
    a.broken = undefined;
    const info = await this.#d.store.getRun(a.key);
    // A pending visibility patch is newer than the stored flag (parking or un-parking).
    if (a.visibilityPatch === undefined) a.stuck ??= info?.stuck;
    a.book = bookFrom(events);
    a.loaded = true;
    a.residentIn = undefined;
    if (a.book.closed) return;
    const generation = this.#d.thread.generation;
    try {
      await this.#d.registry.ensureLoaded(a.key.namespace, a.book.version);
      const outcome = await this.#d.thread.replay(a.mapKey, a.book.version, a.key, events);
      if (outcome.ok) {
        a.residentIn = generation === this.#d.thread.generation ? generation : undefined;
        this.#d.metrics.replaySeconds.observe((performance.now() - started) / 1000);
      } else {
        a.broken = { cause: outcome.cause, failure: outcome.failure };
      }
    } catch (err) {
      if (err instanceof WorkflowThreadRestartedError) return; // rebuilt on the next tick
      a.broken = brokenFrom(err);
    }
    if (a.broken)
      this.#d.logger.warn('run cannot be rebuilt', {
        workflowId: a.key.workflowId,
        runId: a.key.runId,
        error: a.broken.failure.message,
      });
  }

  /** Records arrivals (and, on the live path, sets up the activation). */
  #prepare(a: RunActor): Plan | undefined {
    const now = this.#d.clock.now();
    const plan: Plan = {
      actor: a,
      expectedSeq: a.book.headSeq,
      now,
      arrivals: a.inbox,
      start: a.pendingStart,
      events: [],
      effects: emptyEffects(),
      activate: false,
      skip: false,
      prevLastEventType: a.book.lastEventType,
    };
    a.inbox = [];
    a.pendingStart = undefined;
    a.needsActivation = false;
    plan.visibility = a.visibilityPatch;
    a.visibilityPatch = undefined;
    const push = (event: NewEvent): void => {
      const stamped = stampEvent(event, a.book.headSeq + 1, now);
      a.book.apply(stamped);
      plan.events.push(stamped);
    };
    if (plan.start) {
      push(plan.start.started);
      for (const t of plan.start.timers ?? []) plan.effects.timers.push(t);
    }
    for (const arrival of plan.arrivals) {
      const verdict = this.#admit(a, arrival);
      if (verdict === 'record') {
        push(arrival.event);
        for (const t of arrival.removeTasks ?? []) plan.effects.removeTasks.push(t);
        for (const t of arrival.cancelTimers ?? []) plan.effects.cancelTimers.push(t);
        for (const o of arrival.removeOutbox ?? []) plan.effects.removeOutbox.push(o);
        for (const o of arrival.addOutbox ?? []) plan.effects.outbox.push(o);
      } else {
        // A message for a closed run or a stale outcome: settle its outbox row anyway.
        if (arrival.removeOutbox?.length)
          void this.#d.store
            .deleteOutbox(a.key.namespace, [...arrival.removeOutbox])
            .catch(() => undefined);
        if (verdict === 'closed') {
          arrival.ack?.reject(
            new AionError(
              'workflow_closed',
              `workflow ${a.key.workflowId} run ${a.key.runId} is ${a.book.status}`,
              { status: a.book.status, runId: a.key.runId },
            ),
          );
        } else if (verdict === 'wrong_state') {
          arrival.ack?.reject(
            new AionError(
              'invalid_state',
              `cannot ${arrival.event.type === 'WorkflowPaused' ? 'pause' : 'resume'} workflow ${a.key.workflowId}: run ${a.key.runId} is ${a.book.status}`,
              { status: a.book.status, runId: a.key.runId },
            ),
          );
        } else {
          arrival.ack?.resolve();
        }
        // A stale outcome or timer: make sure its row does not linger.
        for (const t of arrival.cancelTimers ?? [])
          void this.#d.store.deleteTimer(a.key.namespace, a.key.runId, t).catch(() => undefined);
      }
    }
    if (a.book.closed) {
      plan.visibility = undefined; // a closed run is never stuck
      return plan.events.length > 0 ? plan : this.#settleEmpty(plan);
    }
    if (a.broken && !a.stuck) {
      if (plan.arrivals.length > 0 || plan.start || plan.prevLastEventType !== 'WorkflowTaskFailed')
        plan.taskFailure = a.broken;
      this.#scheduleRetry(a);
      return plan.events.length > 0 || plan.taskFailure || plan.visibility
        ? plan
        : this.#settleEmpty(plan);
    }
    plan.activate =
      a.book.status === 'RUNNING' &&
      a.stuck === undefined &&
      a.book.undelivered.length > 0 &&
      (plan.start !== undefined || this.isResident(a));
    if (!plan.activate && plan.events.length === 0 && plan.visibility === undefined)
      return this.#settleEmpty(plan);
    return plan;
  }

  #settleEmpty(plan: Plan): undefined {
    for (const arrival of plan.arrivals) arrival.ack?.resolve();
    return undefined;
  }

  #admit(a: RunActor, arrival: Arrival): 'record' | 'drop' | 'closed' | 'wrong_state' {
    const e = arrival.event;
    if (a.book.closed) {
      if (e.type === 'WorkflowPaused' || e.type === 'WorkflowResumed') return 'wrong_state';
      return arrival.ack ? 'closed' : 'drop';
    }
    switch (e.type) {
      case 'WorkflowPaused':
        return a.book.status === 'RUNNING' ? 'record' : 'wrong_state';
      case 'WorkflowResumed':
        return a.book.status === 'PAUSED' ? 'record' : 'wrong_state';
      case 'ActivityCompleted':
      case 'ActivityFailed':
      case 'ActivityTimedOut':
      case 'ActivityCancelled': {
        const id = a.book.activityBySeq.get(e.scheduledSeq);
        return id !== undefined && a.book.activities.has(id) ? 'record' : 'drop';
      }
      case 'TimerFired': {
        const t = a.book.timers.get(e.timerId);
        return t !== undefined && t.startedSeq === e.startedSeq ? 'record' : 'drop';
      }
      case 'WorkflowCancelRequested':
        return a.book.cancelRequested ? 'drop' : 'record';
      case 'ExternalSignalDelivered':
      case 'ExternalSignalFailed':
      case 'ExternalCancelDelivered':
      case 'ExternalCancelFailed':
        return a.book.externals.has(e.initiatedSeq) ? 'record' : 'drop';
      case 'ChildWorkflowStarted': {
        const child = a.book.children.get(e.initiatedSeq);
        return child !== undefined && !child.started ? 'record' : 'drop';
      }
      case 'ChildWorkflowStartFailed':
      case 'ChildWorkflowCompleted':
      case 'ChildWorkflowFailed':
      case 'ChildWorkflowCancelled':
      case 'ChildWorkflowTerminated':
      case 'ChildWorkflowTimedOut':
        return a.book.children.has(e.initiatedSeq) ? 'record' : 'drop';
      case 'UpdateAccepted':
        return a.book.openUpdates.has(e.updateId) || a.book.completedUpdates.has(e.updateId)
          ? 'drop'
          : 'record';
      case 'SignalReceived':
        return e.requestId !== undefined && a.book.signalRequestIds.has(e.requestId)
          ? 'drop'
          : 'record';
      default:
        return 'record';
    }
  }

  async #activate(plans: Plan[]): Promise<void> {
    const batch = plans.filter((p) => p.activate && !p.actor.isolate);
    const singles = plans.filter((p) => p.activate && p.actor.isolate);
    if (batch.length > 0) await this.#activateGroup(batch);
    for (const p of singles) await this.#activateGroup([p]);
  }

  async #activateGroup(group: Plan[]): Promise<void> {
    const generation = this.#d.thread.generation;
    for (const p of group) {
      // The suggestion is recorded when it first turns true, so replay sees the same value.
      const book = p.actor.book;
      const suggest = this.#d.continueAsNew;
      if (
        !book.continueAsNewSuggested &&
        (book.headSeq > this.#d.limits.maxHistoryLength * suggest.fraction ||
          book.historyBytes > suggest.historyBytes * suggest.fraction)
      ) {
        const marker = stampEvent(
          { type: 'MarkerRecorded', markerName: CONTINUE_AS_NEW_SUGGESTED_MARKER },
          book.headSeq + 1,
          p.now,
        );
        book.apply(marker);
        p.events.push(marker);
      }
    }
    const items: ActivateItem[] = group.map((p) => {
      const started = p.actor.book.started!;
      return {
        key: p.actor.mapKey,
        version: p.actor.book.version,
        ...(p.start ? { init: initInfoFor(p.actor.key, started) } : {}),
        input: {
          now: p.now,
          replaying: false,
          jobs: p.actor.book.undelivered,
          historyLength: p.actor.book.headSeq,
          continueAsNewSuggested: p.actor.book.continueAsNewSuggested,
        },
      };
    });
    let outputs: readonly ActivationOutput[];
    try {
      if (group.some((p) => p.start)) {
        await Promise.all(
          group
            .filter((p) => p.start)
            .map((p) => this.#d.registry.ensureLoaded(p.actor.key.namespace, p.actor.book.version)),
        );
      }
      outputs = await this.#d.thread.activate(items);
      this.#d.metrics.activations.inc(items.length);
      this.#d.metrics.activationBatch.observe(items.length);
    } catch (err) {
      if (err instanceof DeadlockError && group.length > 1) {
        // Someone in the batch is stuck; find out who by activating each alone.
        for (const p of group) this.#requeue(p, true);
        return;
      }
      if (err instanceof WorkflowThreadRestartedError) {
        for (const p of group) this.#requeue(p, p.actor.isolate);
        return;
      }
      const failure =
        err instanceof DeadlockError
          ? { cause: 'deadlock' as const, failure: toFailure(err) }
          : { cause: 'unhandled' as const, failure: toFailure(err) };
      for (const p of group) {
        p.activate = false;
        p.taskFailure = failure;
      }
      return;
    }
    group.forEach((p, i) => {
      if (generation === this.#d.thread.generation) p.actor.residentIn = generation;
      this.#applyOutput(p, outputs[i]!);
    });
  }

  /** Puts a plan's input back (its optimistic book updates are dropped by a reload). */
  #requeue(p: Plan, isolate: boolean): void {
    const a = p.actor;
    p.activate = false;
    p.events.length = 0;
    a.reset();
    a.busy = false;
    a.isolate = isolate;
    a.inbox = [...p.arrivals, ...a.inbox];
    a.pendingStart = p.start;
    if (p.start) a.loaded = true; // a new run has no history to read
    p.skip = true;
    this.markReady(a);
  }

  #applyOutput(p: Plan, output: ActivationOutput): void {
    const a = p.actor;
    for (const line of output.logs) this.#d.onWorkflowLog(a.key, line);
    if (output.taskFailure) {
      p.taskFailure = output.taskFailure;
      a.residentIn = undefined; // the thread dropped the half-applied instance
      return;
    }
    try {
      const events = commandsToEvents(
        a.key,
        output.commands,
        a.book,
        p.now,
        this.#d.limits,
        this.#d.activities,
        p.effects,
        this.#d.schemaFor(a.key.namespace),
        (workflowType) => this.#d.routeFor(a.key.namespace, workflowType),
      );
      p.events.push(...events);
      if (!a.book.closed) {
        const wtc = stampEvent({ type: 'WorkflowTaskCompleted' }, a.book.headSeq + 1, p.now);
        a.book.apply(wtc);
        p.events.push(wtc);
      }
      a.isolate = false;
    } catch (err) {
      p.taskFailure = { cause: 'unhandled', failure: toFailure(err) };
    }
  }

  #commit(p: Plan): void {
    if (p.skip) return;
    const a = p.actor;
    if (p.taskFailure) {
      // Keep the recorded arrivals (p.events holds only those: commands are added only after
      // a successful activation), drop every side effect of the crashed activation.
      p.effects.tasks.length = 0;
      p.effects.timers.length = 0;
      p.effects.abortTasks.length = 0;
      p.effects.outbox.length = 0;
      for (const t of p.start?.timers ?? []) p.effects.timers.push(t);
      p.effects.cancelTimers.length = 0;
      p.effects.removeTasks.length = 0;
      p.effects.removeOutbox.length = 0;
      for (const arrival of p.arrivals) {
        for (const t of arrival.removeTasks ?? []) p.effects.removeTasks.push(t);
        for (const t of arrival.cancelTimers ?? []) p.effects.cancelTimers.push(t);
        for (const o of arrival.removeOutbox ?? []) p.effects.removeOutbox.push(o);
        for (const o of arrival.addOutbox ?? []) p.effects.outbox.push(o);
      }
      if (p.events.length > 0 || p.prevLastEventType !== 'WorkflowTaskFailed') {
        p.events.push(
          stampEvent(
            {
              type: 'WorkflowTaskFailed',
              cause: p.taskFailure.cause,
              failure: p.taskFailure.failure,
            },
            p.expectedSeq + p.events.length + 1,
            p.now,
          ),
        );
      }
      this.#d.metrics.taskFailures.inc(1, { cause: p.taskFailure.cause });
      this.#d.logger.warn('workflow task failed', {
        workflowId: a.key.workflowId,
        runId: a.key.runId,
        cause: p.taskFailure.cause,
        error: p.taskFailure.failure.message,
      });
    }
    if (
      p.events.length === 0 &&
      p.effects.removeTasks.length === 0 &&
      p.effects.cancelTimers.length === 0 &&
      p.visibility === undefined
    ) {
      this.#settleEmpty(p);
      if (p.taskFailure) {
        this.#scheduleRetry(a, p.taskFailure.failure.message);
        a.reset();
      }
      return;
    }
    const closing = p.events[p.events.length - 1];
    if (closing && isTerminalEventType(closing.type))
      closingEffects(a.key, a.book, closing, p.now, p.effects);
    if (p.events.length === 0 && a.book.headSeq === 0) {
      // Nothing of this run is stored (yet): a side-effect-only commit is not possible.
      this.#settleEmpty(p);
      return;
    }
    const commit: RunCommit = {
      run: a.key,
      expectedSeq: p.expectedSeq,
      events: p.events,
      timers: { upsert: p.effects.timers, cancel: p.effects.cancelTimers },
      tasks: { enqueue: p.effects.tasks, remove: p.effects.removeTasks },
      outbox: {
        add: p.effects.outbox,
        remove: [...(p.start?.removeOutbox ?? []), ...p.effects.removeOutbox],
      },
      ...(p.visibility ? { visibility: p.visibility } : {}),
    };
    a.busy = true;
    this.#inFlight++;
    void this.#d.recorder
      .submit(commit, a.book.started?.workflowType)
      .then(
        (outcome) => {
          if (outcome.ok) this.#committed(p);
          else this.#conflicted(p, outcome.error);
        },
        (err: unknown) => this.#failedCommit(p, err),
      )
      .finally(() => {
        a.busy = false;
        this.#inFlight--;
        if (!a.idle) this.markReady(a);
        this.#checkIdle();
      });
  }

  #committed(p: Plan): void {
    const a = p.actor;
    if (p.taskFailure) {
      // The instance and the optimistic book may hold half an activation: rebuild from the store.
      this.#scheduleRetry(a, p.taskFailure.failure.message);
      a.reset();
    }
    p.start?.onCommitted?.();
    p.start?.ack.resolve();
    for (const arrival of p.arrivals) arrival.ack?.resolve();
    const { activities, timers } = this.#d;
    for (const t of p.effects.timers) timers.add(t);
    for (const t of p.effects.cancelTimers) timers.remove(a.key.namespace, a.key.runId, t);
    for (const t of p.effects.tasks) activities.dispatch(t);
    for (const t of p.effects.abortTasks) {
      activities.cancel(t, 'activity cancelled by the workflow');
    }
    if (p.effects.abortTasks.length > 0) this.#cancelledActivities(a, p);
    for (const row of p.effects.outbox) this.#d.onOutbox(row);
    for (const e of p.events) {
      if (e.type === 'UpdateCompleted') this.#d.onUpdateCompleted(a.key, e);
      if (e.type === 'WorkflowPaused') activities.setPaused(a.key.runId, true);
      if (e.type === 'WorkflowResumed') activities.setPaused(a.key.runId, false);
    }
    const last = p.events[p.events.length - 1];
    if (last && isTerminalEventType(last.type)) {
      timers.removeRun(a.key.namespace, a.key.runId);
      activities.cancelRun(a.key.runId, `workflow ${a.book.status.toLowerCase()}`);
      if (a.residentIn !== undefined) this.#d.thread.evict([a.mapKey]);
      a.residentIn = undefined;
      this.#d.onClosed(a.key, last, a.book.started?.workflowType ?? '');
      if (a.inbox.length === 0) this.#actors.delete(a.mapKey);
    }
  }

  /** Activities cancelled by the workflow get their final event once their attempt stops. */
  #cancelledActivities(a: RunActor, p: Plan): void {
    for (const e of p.events) {
      if (e.type !== 'ActivityCancelRequested') continue;
      const activityId = a.book.activityBySeq.get(e.scheduledSeq);
      if (activityId === undefined || !a.book.activities.has(activityId)) continue;
      if (this.#d.activities.isRunning(`${a.key.runId}/${activityId}`)) continue; // its outcome will arrive
      this.enqueue(a.key, {
        event: { type: 'ActivityCancelled', scheduledSeq: e.scheduledSeq, attempt: 0 },
      });
    }
  }

  #conflicted(p: Plan, error: AionError): void {
    const a = p.actor;
    if (p.start && error.code === 'workflow_already_started') {
      p.start.ack.reject(error);
      for (const arrival of p.arrivals) arrival.ack?.reject(error);
      this.#actors.delete(a.mapKey);
      return;
    }
    this.#d.logger.warn('commit conflict; rebuilding run', {
      runId: a.key.runId,
      error: error.message,
    });
    this.#requeue(p, a.isolate);
  }

  #failedCommit(p: Plan, err: unknown): void {
    const a = p.actor;
    const error = isAionError(err) ? err : new AionError('store_unavailable', String(err));
    this.#d.logger.error('commit failed', { runId: a.key.runId, error: error.message });
    p.start?.ack.reject(error);
    const keep = p.arrivals.filter((arrival) => {
      if (arrival.ack) {
        arrival.ack.reject(error);
        return false;
      }
      return true;
    });
    a.reset();
    a.inbox = [...keep, ...a.inbox];
    if (p.start) {
      this.#actors.delete(a.mapKey);
      return;
    }
    this.#d.clock.schedule(this.#d.clock.now() + 1000, () => this.markReady(a));
  }

  #scheduleRetry(a: RunActor, reason?: string): void {
    if (a.retryTimer || a.stuck) return;
    const now = this.#d.clock.now();
    const policy = this.#d.supervision;
    a.restarts = a.restarts.filter((t) => now - t < policy.withinMs);
    a.restarts.push(now);
    if (a.restarts.length > policy.maxRestarts) {
      this.#park(a, reason ?? a.broken?.failure.message ?? 'repeated task failures');
      return;
    }
    const n = a.restarts.length;
    const delay = Math.min(MAX_TASK_RETRY_MS, 1000 * 2 ** Math.min(16, n - 1));
    a.retryTimer = this.#d.clock.schedule(this.#d.clock.now() + delay, () => {
      a.retryTimer = undefined;
      a.broken = undefined;
      a.needsActivation = true;
      a.residentIn = undefined;
      this.markReady(this.actor(a.key));
    });
  }

  /** Stops retrying: the run stays open, flagged stuck (durably), until fixed and retried. */
  #park(a: RunActor, reason: string): void {
    const since = this.#d.clock.now();
    const workflowType = a.book.started?.workflowType ?? '';
    this.#d.metrics.stuckRuns.inc(1, { workflow_type: workflowType });
    this.#d.logger.error('workflow run parked as stuck after repeated task failures', {
      workflowId: a.key.workflowId,
      runId: a.key.runId,
      reason,
    });
    if (this.#d.supervision.failTypes.has(workflowType)) {
      a.inbox.push({
        event: {
          type: 'WorkflowFailed',
          failure: {
            type: 'WorkflowTaskFailure',
            message: `failed after repeated task crashes: ${reason}`,
            retryable: false,
          },
        },
      });
    } else {
      a.stuck = { reason, since };
      a.visibilityPatch = { stuck: { reason, since } };
    }
    this.markReady(a);
  }

  /** Clears the stuck flag and retries the run now (operator action or a re-pin). */
  unpark(a: RunActor): void {
    a.stuck = undefined;
    a.restarts = [];
    a.broken = undefined;
    a.retryTimer?.cancel();
    a.retryTimer = undefined;
    a.visibilityPatch = { stuck: null };
    a.needsActivation = true;
    a.residentIn = undefined;
    a.loaded = false;
    this.markReady(a);
  }

  #evict(): void {
    const excess = this.#actors.size - this.#d.maxResidentRuns;
    if (excess <= 0) return;
    let removed = 0;
    const evicted: string[] = [];
    for (const [k, a] of this.#actors) {
      if (removed >= excess) break;
      if (!a.idle || this.#ready.has(a) || a.retryTimer) continue;
      this.#actors.delete(k);
      if (a.residentIn !== undefined) evicted.push(k);
      removed++;
    }
    this.#d.thread.evict(evicted);
    this.#d.metrics.residentRuns.set(this.#actors.size);
  }
}

function toFailure(err: unknown): Failure {
  return errorToFailure(err, (v) => jsonConverter.toPayload(v));
}

function brokenFrom(err: unknown): {
  cause: 'nondeterminism' | 'sandbox' | 'deadlock' | 'unhandled';
  failure: Failure;
} {
  if (err instanceof DeadlockError) return { cause: 'deadlock', failure: toFailure(err) };
  if (isAionError(err) && err.code === 'nondeterminism')
    return { cause: 'nondeterminism', failure: toFailure(err) };
  // An engine-side refusal (a missing package version…): keep its stable code visible.
  if (isAionError(err)) {
    const failure = toFailure(err);
    return {
      cause: 'unhandled',
      failure: { ...failure, message: `[${err.code}] ${failure.message}` },
    };
  }
  return { cause: 'unhandled', failure: toFailure(err) };
}

function bookFrom(events: readonly HistoryEvent[]): RunBook {
  const book = new RunBook();
  for (const e of events) book.apply(e);
  return book;
}
