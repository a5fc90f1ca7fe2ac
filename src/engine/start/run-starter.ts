// Records a new run — its WorkflowStarted and first activation in one commit — on the type's
// routed (or a given) version, with its workflow-timeout timers.
import type { Clock } from '../../clock/index.js';
import type { Mutable, RunKey } from '../../core/index.js';
import type { TimerRow } from '../../store/index.js';
import type { PendingStart } from '../run-actor.js';
import { FIRST_TASK_KIND, FIRST_TASK_TIMER_ID, WORKFLOW_TIMEOUT_KIND } from '../commands/index.js';
import type { EngineMetrics } from '../metrics.js';
import type { PackageRegistry } from '../package-registry.js';
import type { RunScheduler } from '../scheduler/index.js';
import type { TimerService } from '../timer-service.js';
import type { StartRunParams } from './start-params.js';

export interface RunStarterDeps {
  readonly clock: Clock;
  readonly identity: string;
  readonly registry: PackageRegistry;
  readonly scheduler: RunScheduler;
  readonly timers: TimerService;
  readonly metrics: EngineMetrics;
}

export class RunStarter {
  readonly #d: RunStarterDeps;

  constructor(deps: RunStarterDeps) {
    this.#d = deps;
  }

  /**
   * Resolves once the start is committed. A routed, loaded version (the usual start) is
   * recorded without an async frame: each start of a burst waits for its commit, and a frame
   * kept that long is promoted out of the young generation with everything it holds.
   */
  startRun(params: StartRunParams): Promise<void> {
    const registry = this.#d.registry;
    const version = params.version ?? registry.cachedRoute(params.namespace, params.workflowType);
    if (version !== undefined && registry.hasPackage(version)) return this.#record(params, version);
    return this.#loadThenRecord(params, version);
  }

  /** A version not routed or not loaded yet: found and loaded first, held meanwhile. */
  async #loadThenRecord(params: StartRunParams, routed: string | undefined): Promise<void> {
    const registry = this.#d.registry;
    const version = routed ?? (await registry.routeFor(params.namespace, params.workflowType));
    // Held until committed: unload refuses a version an in-flight start is about to record.
    const release = registry.hold(version);
    try {
      if (!registry.hasPackage(version)) await registry.ensureLoaded(params.namespace, version);
      await this.#record(params, version);
    } finally {
      release();
    }
  }

  /** Queues the run's start; resolves once committed (the version held until then). */
  #record(params: StartRunParams, version: string): Promise<void> {
    const d = this.#d;
    const release = d.registry.hold(version);
    try {
      const key = {
        namespace: params.namespace,
        workflowId: params.workflowId,
        runId: params.runId,
      };
      const now = d.clock.now();
      const p = this.#withPackageDefaults(version, params, now);
      const timers: TimerRow[] = [];
      if (p.executionDeadline !== undefined)
        timers.push(
          timeoutTimer(key, 'workflow/execution-timeout', p.executionDeadline, 'EXECUTION'),
        );
      if (p.runTimeoutMs !== undefined)
        timers.push(timeoutTimer(key, 'workflow/run-timeout', now + p.runTimeoutMs, 'RUN'));
      if (p.firstTaskAt !== undefined && p.firstTaskAt > now)
        timers.push({
          ...key,
          timerId: FIRST_TASK_TIMER_ID,
          fireAt: p.firstTaskAt,
          kind: FIRST_TASK_KIND,
        });
      const actor = d.scheduler.actor(key);
      const started = startedEvent(p, version, d.identity, now);
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const ack = {
          resolve: (): void => {
            if (settled) return;
            settled = true;
            release();
            for (const t of timers) d.timers.add(t);
            d.metrics.workflowsStarted.inc(1, { workflow_type: p.workflowType });
            resolve();
          },
          reject: (err: Error): void => {
            if (settled) return;
            settled = true;
            release();
            reject(err);
          },
        };
        const pending: Mutable<PendingStart> = { started, ack };
        if (p.removeOutbox) pending.removeOutbox = p.removeOutbox;
        if (p.onCommitted) pending.onCommitted = p.onCommitted;
        if (p.schedule) pending.schedule = p.schedule;
        if (p.audit) pending.audit = p.audit;
        pending.timers = timers;
        actor.pendingStart = pending;
        for (const arrival of p.signals ?? []) actor.inbox.push(arrival);
        try {
          d.scheduler.addStart(actor);
        } catch (err) {
          ack.reject(err as Error);
        }
      });
    } catch (err) {
      release();
      // Rejected with what was thrown, as an async function would: never a synchronous throw.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(err);
    }
  }

  /** Package defaults apply where the start did not say (start options win). */
  #withPackageDefaults(version: string, p: StartRunParams, now: number): StartRunParams {
    const defaults = this.#d.registry.defaultsFor(version, p.workflowType);
    if (p.executionTimeoutMs === undefined && defaults?.executionTimeoutMs !== undefined) {
      p = {
        ...p,
        executionTimeoutMs: defaults.executionTimeoutMs,
        executionDeadline: now + defaults.executionTimeoutMs,
      };
    }
    if (p.runTimeoutMs === undefined && defaults?.runTimeoutMs !== undefined)
      p = { ...p, runTimeoutMs: defaults.runTimeoutMs };
    return p;
  }
}

type StartedEvent = PendingStart['started'];

/** A workflow timeout's timer row (a function of the module: a start allocates no closure). */
function timeoutTimer(
  key: RunKey,
  timerId: string,
  fireAt: number,
  timeoutType: 'EXECUTION' | 'RUN',
): TimerRow {
  return { ...key, timerId, fireAt, kind: WORKFLOW_TIMEOUT_KIND, data: timeoutType };
}

/**
 * The new run's WorkflowStarted. Optional fields by assignment, in the order they have always
 * been recorded in: a spread of each (`...(x ? { x } : {})`) allocates and copies an object
 * per field, which a burst of starts pays thousands of times.
 */
function startedEvent(
  p: StartRunParams,
  version: string,
  identity: string,
  now: number,
): StartedEvent {
  const e: Mutable<StartedEvent> = {
    type: 'WorkflowStarted',
    workflowType: p.workflowType,
    taskQueue: p.taskQueue,
    args: p.args,
    version,
    firstRunId: p.firstRunId,
    identity,
  };
  if (p.continuedFromRunId !== undefined) e.continuedFromRunId = p.continuedFromRunId;
  if (p.searchAttributes) e.searchAttributes = p.searchAttributes;
  if (p.memo) e.memo = p.memo;
  if (p.executionTimeoutMs !== undefined) e.executionTimeoutMs = p.executionTimeoutMs;
  if (p.executionDeadline !== undefined) e.executionDeadline = p.executionDeadline;
  if (p.runTimeoutMs !== undefined) e.runTimeoutMs = p.runTimeoutMs;
  if (p.requestId !== undefined) e.requestId = p.requestId;
  if (p.parent) e.parent = p.parent;
  if (p.headers) e.headers = p.headers;
  if (p.retryPolicy) e.retryPolicy = p.retryPolicy;
  if (p.priority) e.priority = p.priority;
  if (p.attempt !== undefined && p.attempt > 1) e.attempt = p.attempt;
  if (p.scheduledBy) e.scheduledBy = p.scheduledBy;
  if (p.lastResult) e.lastResult = p.lastResult;
  if (p.lastFailure) e.lastFailure = p.lastFailure;
  if (p.cronSchedule !== undefined) e.cronSchedule = p.cronSchedule;
  if (p.firstTaskAt !== undefined && p.firstTaskAt > now) e.firstTaskAt = p.firstTaskAt;
  return e;
}
