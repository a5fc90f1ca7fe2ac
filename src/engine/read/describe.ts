// What one run looks like now: its summary, pending activities and timers, and its full
// history in the export format.
import type { Clock } from '../../clock/index.js';
import {
  historyExport,
  type DataConverter,
  type HistoryExport,
  type Payload,
  type WorkflowExecutionDescription,
} from '../../core/index.js';
import type { Store, ActivityTask } from '../../store/index.js';
import { USER_TIMER_KIND } from '../commands/index.js';
import type { RunRef, RunResolver } from './run-resolver.js';

export interface RunDescriberDeps {
  readonly store: Store;
  /** Whether the engine or a connected worker runs activities of a queue and type. */
  readonly activities: { isServed(namespace: string, taskQueue: string, type: string): boolean };
  readonly clock: Clock;
  readonly converter: DataConverter;
  readonly resolver: RunResolver;
}

export class RunDescriber {
  readonly #d: RunDescriberDeps;

  constructor(deps: RunDescriberDeps) {
    this.#d = deps;
  }

  async describe(ref: RunRef): Promise<WorkflowExecutionDescription> {
    const info = await this.#d.resolver.resolve(ref);
    const [tasks, timers] = await Promise.all([
      this.#d.store.listTasks(info),
      this.#d.store.listTimers(info),
    ]);
    const now = this.#d.clock.now();
    const decodeMaybe = (p: Payload | undefined): unknown => this.#decodeMaybe(p);
    return {
      namespace: info.namespace,
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.workflowType,
      taskQueue: info.taskQueue,
      status: info.status,
      version: info.version,
      startTime: new Date(info.startTime),
      closeTime: info.closeTime === undefined ? undefined : new Date(info.closeTime),
      historyLength: info.headSeq,
      searchAttributes: info.searchAttributes,
      memo: Object.fromEntries(Object.entries(info.memo).map(([k, v]) => [k, decodeMaybe(v)])),
      stuck: info.stuck
        ? { reason: info.stuck.reason, since: new Date(info.stuck.since) }
        : undefined,
      pendingActivities: tasks.map((t) => this.#pendingActivity(t, now)),
      pendingTimers: timers
        .filter((t) => t.kind === USER_TIMER_KIND)
        .map((t) => ({ timerId: t.timerId, fireAt: new Date(t.fireAt) })),
    };
  }

  async history(ref: RunRef): Promise<HistoryExport> {
    const info = await this.#d.resolver.resolve(ref);
    return historyExport(info, await this.#d.store.readHistory(info));
  }

  #pendingActivity(
    t: ActivityTask,
    now: number,
  ): WorkflowExecutionDescription['pendingActivities'][number] {
    return {
      activityId: t.activityId,
      activityType: t.activityType,
      state:
        t.leaseUntil !== undefined && t.leaseUntil > now
          ? ('STARTED' as const)
          : t.visibleAt > now
            ? ('BACKING_OFF' as const)
            : ('SCHEDULED' as const),
      attempt: t.attempt,
      nextAttemptAt: t.visibleAt > now ? new Date(t.visibleAt) : undefined,
      lastFailure: t.lastFailure,
      heartbeatDetails: this.#decodeMaybe(t.heartbeatDetails),
      lastHeartbeatAt: t.lastHeartbeatAt === undefined ? undefined : new Date(t.lastHeartbeatAt),
      ...(this.#d.activities.isServed(t.namespace, t.taskQueue, t.activityType)
        ? {}
        : {
            warning: `no worker serves activity type ${JSON.stringify(t.activityType)} on task queue ${JSON.stringify(t.taskQueue)}; it waits until one connects`,
          }),
    };
  }

  /** Payloads that do not decode (a codec missing here) are shown as undefined. */
  #decodeMaybe(p: Payload | undefined): unknown {
    if (!p) return undefined;
    try {
      return this.#d.converter.decode(p);
    } catch {
      return undefined;
    }
  }
}
