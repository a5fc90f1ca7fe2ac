// Carries out what a schedule decides, one transaction per step: a fire that starts a run
// commits with that run's start (both or neither), other fires are plain schedule writes; the
// schedule's one timer is re-armed with every write. Work on one schedule is serialized here,
// and a write that lost a race with another writer (schedule_conflict) starts over from the store.
import type { Clock, IdSource } from '../../clock/index.js';
import { AionError, isAionError } from '../../core/index.js';
import {
  SCHEDULE_TIMER_ID,
  SCHEDULE_TIMER_KIND,
  scheduleTimerRunId,
  type ScheduleFire,
  type ScheduleRecord,
  type ScheduleWrite,
  type Store,
} from '../../store/index.js';
import { compileScheduleSpec, type CompiledSpec } from '../../schedules/index.js';
import type { RunControl } from '../control/index.js';
import type { EngineLogger } from '../scheduler/index.js';
import type { RunStarter } from '../start/index.js';
import type { TimerService } from '../timer-service.js';
import { nextScheduled, nextStep, type ExtraFire, type Step } from './decide.js';
import { specOf, type StoredDefinition, type StoredState } from './definition.js';
import { reconcileRunning } from './reconcile.js';
import type { ScheduleMetrics } from './schedule-metrics.js';

/** Fire records kept per schedule (describe's recent actions). */
export const KEEP_FIRES = 100;
/** Steps per pass (a long catch-up continues on the next pass). */
const MAX_STEPS = 500;
const MAX_CONFLICTS = 20;

export interface ScheduleRunnerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly starter: RunStarter;
  readonly control: RunControl;
  readonly timers: TimerService;
  readonly logger: EngineLogger;
  readonly metrics: ScheduleMetrics;
}

/** A loaded schedule as the runner works on it. */
export interface Loaded {
  readonly record: ScheduleRecord;
  readonly definition: StoredDefinition;
  readonly compiled: CompiledSpec;
  version: number;
  state: StoredState;
}

export function load(record: ScheduleRecord): Loaded {
  const definition = record.definition as StoredDefinition;
  return {
    record,
    definition,
    compiled: compileScheduleSpec(specOf(definition.spec)),
    version: record.version,
    state: record.state as StoredState,
  };
}

export class ScheduleRunner {
  readonly #d: ScheduleRunnerDeps;
  readonly #queues = new Map<string, Promise<unknown>>();
  #inFlight = 0;
  readonly #idleWaiters: (() => void)[] = [];
  /** Workflow ids of running actions → their schedule, to react when they close. */
  readonly #actions = new Map<string, string>();

  constructor(deps: ScheduleRunnerDeps) {
    this.#d = deps;
  }

  /** True when no schedule work is queued or running (the time skipper waits for it). */
  get idle(): boolean {
    return this.#inFlight === 0;
  }

  /** Resolves when no schedule work is queued or running. */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Runs `fn` after every earlier piece of work on the same schedule. */
  serialize<T>(namespace: string, scheduleId: string, fn: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    const done = (): void => {
      if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
    };
    return this.#serialized(namespace, scheduleId, fn).finally(done);
  }

  #serialized<T>(namespace: string, scheduleId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${namespace}\u0000${scheduleId}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return next;
  }

  /** The schedule a running action's workflow id belongs to, if this engine knows it. */
  scheduleOf(namespace: string, workflowId: string): string | undefined {
    return this.#actions.get(`${namespace}\u0000${workflowId}`);
  }

  /** Remembers the running actions of a schedule (after a load). */
  index(namespace: string, scheduleId: string, state: StoredState): void {
    for (const r of state.running)
      this.#actions.set(`${namespace}\u0000${r.workflowId}`, scheduleId);
  }

  /**
   * Decides and carries out everything due for a schedule: closed actions, buffered fires,
   * `extras` (triggers, backfills), due scheduled fires. Every write re-arms its timer from
   * the state it writes, so a pass that finds nothing due (a second fire of the same timer,
   * from memory and from the store poll) writes nothing.
   */
  process(namespace: string, scheduleId: string, extras: readonly ExtraFire[] = []): Promise<void> {
    return this.serialize(namespace, scheduleId, () =>
      this.#process(namespace, scheduleId, [...extras]),
    );
  }

  async #process(ns: string, id: string, extras: ExtraFire[]): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      const record = await this.#d.store.getSchedule(ns, id);
      if (record === undefined) {
        if (extras.length > 0) throw notFound(ns, id);
        return;
      }
      const s = load(record);
      this.index(ns, id, s.state);
      try {
        await this.#steps(s, extras);
        return;
      } catch (err) {
        if (!(isAionError(err) && err.code === 'schedule_conflict') || conflicts >= MAX_CONFLICTS)
          throw err;
      }
    }
  }

  async #steps(s: Loaded, extras: ExtraFire[]): Promise<void> {
    const d = this.#d;
    const reconciled = await reconcileRunning(d.store, s.record.namespace, s.definition, s.state);
    // Closed actions leave the state with the next write (one write per fire, not two).
    let unwritten = reconciled !== undefined;
    if (reconciled !== undefined) s.state = reconciled;
    for (let i = 0; i < MAX_STEPS; i++) {
      const step = nextStep({
        scheduleId: s.record.scheduleId,
        definition: s.definition,
        compiled: s.compiled,
        state: s.state,
        extras,
        now: d.clock.now(),
      });
      if (step === undefined) break;
      const running = s.state.running;
      if (step.start) await this.#startFire(s, step);
      else await this.write(s, step.state, [this.#fireRecord(s, step)]);
      // Only once committed: a step that lost a race is decided again, extras included.
      if (step.consumedExtra) extras.shift();
      unwritten = false;
      d.metrics.fired(step.fire.outcome, step.fire.actualAt - step.fire.nominalAt);
      if (step.stop) this.#stop(s, running, step.stop);
    }
    if (unwritten) await this.write(s, s.state, []);
  }

  /** Writes the schedule's new state (and fires), re-arming its timer from that state. */
  async write(
    s: Loaded,
    state: StoredState,
    fires: readonly ScheduleFire[],
    change: Partial<Pick<ScheduleRecord, 'definition' | 'searchAttributes'>> = {},
    remove = false,
  ): Promise<void> {
    const write = remove
      ? {
          namespace: s.record.namespace,
          scheduleId: s.record.scheduleId,
          expectedVersion: s.version,
          record: null,
          timer: null,
        }
      : this.buildWrite(s, state, fires, change);
    await this.#d.store.writeSchedule(write);
    this.#applied(s, write);
  }

  buildWrite(
    s: Loaded,
    state: StoredState,
    fires: readonly ScheduleFire[],
    change: Partial<Pick<ScheduleRecord, 'definition' | 'searchAttributes'>> = {},
  ): ScheduleWrite {
    const { namespace, scheduleId } = s.record;
    const next = nextScheduled(scheduleId, s.compiled, state);
    return {
      namespace,
      scheduleId,
      expectedVersion: s.version,
      record: {
        ...s.record,
        ...change,
        state,
        nextFireAt: next?.nominalAt ?? null,
        updatedAt: this.#d.clock.now(),
        version: s.version + 1,
      },
      fires,
      timer: next
        ? { fireAt: next.fireAt, data: JSON.stringify({ nominal: next.nominalAt }) }
        : null,
      keepFires: KEEP_FIRES,
    };
  }

  /** After a committed write: the loaded view and the engine's timer wheel follow it. */
  #applied(s: Loaded, write: ScheduleWrite): void {
    const { namespace, scheduleId } = write;
    s.version = write.expectedVersion + 1;
    if (write.record) s.state = write.record.state as StoredState;
    const runId = scheduleTimerRunId(scheduleId);
    if (write.timer) {
      this.#d.timers.add({
        namespace,
        workflowId: scheduleId,
        runId,
        timerId: SCHEDULE_TIMER_ID,
        kind: SCHEDULE_TIMER_KIND,
        fireAt: write.timer.fireAt,
        data: write.timer.data,
      });
    } else if (write.timer === null) this.#d.timers.remove(namespace, runId, SCHEDULE_TIMER_ID);
  }

  #fireRecord(s: Loaded, step: Step, run?: { workflowId: string; runId: string }): ScheduleFire {
    return {
      namespace: s.record.namespace,
      scheduleId: s.record.scheduleId,
      nominalAt: step.fire.nominalAt,
      kind: step.fire.kind,
      actualAt: step.fire.actualAt,
      outcome: step.fire.outcome,
      ...(run ?? {}),
      ...(step.fire.reason !== undefined ? { reason: step.fire.reason } : {}),
      recordedAt: this.#d.clock.now(),
    };
  }

  async #startFire(s: Loaded, step: Step): Promise<void> {
    const { namespace, scheduleId } = s.record;
    const a = s.definition.action;
    const { nominalAt, actualAt } = step.fire;
    const workflowId = `${a.workflowId}-${new Date(nominalAt).toISOString()}`;
    const runId = this.#d.ids.uuid();
    const state: StoredState = {
      ...step.state,
      running: [...step.state.running, { workflowId, runId, nominalAt }],
    };
    const write = this.buildWrite(s, state, [this.#fireRecord(s, step, { workflowId, runId })]);
    const now = this.#d.clock.now();
    this.#actions.set(`${namespace}\u0000${workflowId}`, scheduleId);
    try {
      await this.#d.starter.startRun({
        namespace,
        workflowId,
        runId,
        workflowType: a.workflowType,
        taskQueue: a.taskQueue,
        args: a.args,
        firstRunId: runId,
        ...(a.headers ? { headers: a.headers } : {}),
        ...(a.memo ? { memo: a.memo } : {}),
        ...(a.searchAttributes ? { searchAttributes: a.searchAttributes } : {}),
        ...(a.executionTimeoutMs !== undefined
          ? {
              executionTimeoutMs: a.executionTimeoutMs,
              executionDeadline: now + a.executionTimeoutMs,
            }
          : {}),
        ...(a.runTimeoutMs !== undefined ? { runTimeoutMs: a.runTimeoutMs } : {}),
        ...(a.retryPolicy ? { retryPolicy: a.retryPolicy } : {}),
        scheduledBy: { scheduleId, nominalTime: nominalAt, actualTime: actualAt },
        ...(s.state.lastResult ? { lastResult: s.state.lastResult } : {}),
        ...(s.state.lastFailure ? { lastFailure: s.state.lastFailure } : {}),
        schedule: write,
      });
      this.#applied(s, write);
    } catch (err) {
      this.#actions.delete(`${namespace}\u0000${workflowId}`);
      if (!isAionError(err) || !FIRE_FAILURES.has(err.code)) throw err;
      await this.#failedFire(s, step, err);
    }
  }

  /** The fire could not start (unknown type, id taken…): recorded as failed; the schedule goes on. */
  async #failedFire(s: Loaded, step: Step, err: AionError): Promise<void> {
    const before = s.state;
    const state: StoredState = {
      ...step.state,
      counts: {
        ...step.state.counts,
        taken: step.state.counts.taken - 1,
        failed: step.state.counts.failed + 1,
      },
      ...(before.remainingActions !== undefined
        ? { remainingActions: before.remainingActions }
        : {}),
    };
    const failed: Step = {
      ...step,
      fire: { ...step.fire, outcome: 'failed', reason: `${err.code}: ${err.message}` },
    };
    this.#d.logger.warn('a schedule fire could not start its workflow', {
      namespace: s.record.namespace,
      scheduleId: s.record.scheduleId,
      nominalTime: new Date(step.fire.nominalAt).toISOString(),
      code: err.code,
      error: err.message,
    });
    // A taken workflow id most often means this very fire started before (a backfill run
    // twice): its record, which says so, is kept rather than replaced.
    const duplicate = err.code === 'workflow_already_started';
    await this.write(s, state, duplicate ? [] : [this.#fireRecord(s, failed)]);
  }

  #stop(s: Loaded, running: StoredState['running'], how: 'cancel' | 'terminate'): void {
    const reason = `schedule ${s.record.scheduleId}: a newer fire replaces this action (overlap policy)`;
    for (const r of running) {
      const ref = { namespace: s.record.namespace, workflowId: r.workflowId, runId: undefined };
      const stop =
        how === 'cancel'
          ? this.#d.control.cancel(ref, reason)
          : this.#d.control.terminate(ref, reason);
      stop.catch((err: unknown) => {
        // Closed already, or the store is away: the close (or the next fire) settles it.
        this.#d.logger.debug('schedule overlap stop did not apply', { error: String(err) });
      });
    }
  }
}

/** Start refusals that end one fire (recorded as failed) rather than the schedule's work. */
const FIRE_FAILURES: ReadonlySet<string> = new Set([
  'workflow_already_started',
  'unknown_workflow_type',
  'package_version_missing',
  'invalid_argument',
  'payload_too_large',
]);

export function notFound(namespace: string, scheduleId: string): AionError {
  return new AionError(
    'not_found',
    `schedule ${JSON.stringify(scheduleId)} does not exist in namespace ${JSON.stringify(namespace)}`,
    { namespace, scheduleId },
  );
}
