// Records a new run — its WorkflowStarted and first activation in one commit — on the type's
// routed (or a given) version, with its workflow-timeout timers.
import type { Clock } from '../../clock/index.js';
import type { TimerRow } from '../../store/index.js';
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

  /** Resolves once the start is committed. */
  async startRun(p: StartRunParams): Promise<void> {
    const version = p.version ?? (await this.#d.registry.routeFor(p.namespace, p.workflowType));
    // Held until committed: unload refuses a version an in-flight start is about to record.
    const release = this.#d.registry.hold(version);
    try {
      await this.#startOn(version, p);
    } finally {
      release();
    }
  }

  async #startOn(version: string, params: StartRunParams): Promise<void> {
    const d = this.#d;
    await d.registry.ensureLoaded(params.namespace, version);
    const key = { namespace: params.namespace, workflowId: params.workflowId, runId: params.runId };
    const now = d.clock.now();
    const p = this.#withPackageDefaults(version, params, now);
    const timers: TimerRow[] = [];
    const timeoutTimer = (
      timerId: string,
      fireAt: number,
      timeoutType: 'EXECUTION' | 'RUN',
    ): TimerRow => ({ ...key, timerId, fireAt, kind: WORKFLOW_TIMEOUT_KIND, data: timeoutType });
    if (p.executionDeadline !== undefined)
      timers.push(timeoutTimer('workflow/execution-timeout', p.executionDeadline, 'EXECUTION'));
    if (p.runTimeoutMs !== undefined)
      timers.push(timeoutTimer('workflow/run-timeout', now + p.runTimeoutMs, 'RUN'));
    if (p.firstTaskAt !== undefined && p.firstTaskAt > now)
      timers.push({
        ...key,
        timerId: FIRST_TASK_TIMER_ID,
        fireAt: p.firstTaskAt,
        kind: FIRST_TASK_KIND,
      });
    const actor = d.scheduler.actor(key);
    await new Promise<void>((resolve, reject) => {
      actor.pendingStart = {
        started: {
          type: 'WorkflowStarted',
          workflowType: p.workflowType,
          taskQueue: p.taskQueue,
          args: p.args,
          version,
          firstRunId: p.firstRunId,
          identity: d.identity,
          ...(p.continuedFromRunId !== undefined
            ? { continuedFromRunId: p.continuedFromRunId }
            : {}),
          ...(p.searchAttributes ? { searchAttributes: p.searchAttributes } : {}),
          ...(p.memo ? { memo: p.memo } : {}),
          ...(p.executionTimeoutMs !== undefined
            ? { executionTimeoutMs: p.executionTimeoutMs }
            : {}),
          ...(p.executionDeadline !== undefined ? { executionDeadline: p.executionDeadline } : {}),
          ...(p.runTimeoutMs !== undefined ? { runTimeoutMs: p.runTimeoutMs } : {}),
          ...(p.requestId !== undefined ? { requestId: p.requestId } : {}),
          ...(p.parent ? { parent: p.parent } : {}),
          ...(p.headers ? { headers: p.headers } : {}),
          ...(p.retryPolicy ? { retryPolicy: p.retryPolicy } : {}),
          ...(p.priority ? { priority: p.priority } : {}),
          ...(p.attempt !== undefined && p.attempt > 1 ? { attempt: p.attempt } : {}),
          ...(p.scheduledBy ? { scheduledBy: p.scheduledBy } : {}),
          ...(p.lastResult ? { lastResult: p.lastResult } : {}),
          ...(p.lastFailure ? { lastFailure: p.lastFailure } : {}),
          ...(p.cronSchedule !== undefined ? { cronSchedule: p.cronSchedule } : {}),
          ...(p.firstTaskAt !== undefined && p.firstTaskAt > now
            ? { firstTaskAt: p.firstTaskAt }
            : {}),
        },
        ack: { resolve, reject },
        ...(p.removeOutbox ? { removeOutbox: p.removeOutbox } : {}),
        ...(p.onCommitted ? { onCommitted: p.onCommitted } : {}),
        ...(p.schedule ? { schedule: p.schedule } : {}),
        ...(p.audit ? { audit: p.audit } : {}),
        timers,
      };
      for (const arrival of p.signals ?? []) actor.inbox.push(arrival);
      d.scheduler.addStart(actor);
    });
    for (const t of timers) d.timers.add(t);
    d.metrics.workflowsStarted.inc(1, { workflow_type: p.workflowType });
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
