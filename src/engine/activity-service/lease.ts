// Task leases held by this engine: how long an attempt's lease lasts, its renewal while the
// attempt runs here, and the extension (with details) that a heartbeat brings.
import type { AttemptHandle } from '../../activity/internal.js';
import type { ActivityInfo } from '../../activity/internal.js';
import type { TimerHandle } from '../../clock/index.js';
import type { Payload, RecordedActivityOptions } from '../../core/index.js';
import type { ActivityTask } from '../../store/index.js';
import { taskIdFor } from './task-ids.js';
import type { ServiceEnv, TaskData } from './types.js';

export const DEFAULT_LEASE_MS = 5 * 60_000;

/** An attempt running under this engine's lease. */
export interface Running {
  readonly handle: AttemptHandle;
  renew: TimerHandle | undefined;
}

export function leaseMsFor(options: RecordedActivityOptions): number {
  return (options.startToCloseTimeoutMs ?? DEFAULT_LEASE_MS) + 30_000;
}

/** Keeps the lease of a long attempt alive while it runs in this process. */
export function armRenewal(
  env: ServiceEnv,
  live: ReadonlyMap<string, Running>,
  task: ActivityTask,
  running: Running,
  data: TaskData,
): void {
  const { clock, store } = env;
  const leaseMs = leaseMsFor(data.options);
  running.renew = clock.schedule(clock.now() + leaseMs / 2, () => {
    if (!live.has(task.taskId)) return;
    void store
      .extendTaskLease({
        namespace: task.namespace,
        taskId: task.taskId,
        owner: env.owner,
        leaseUntil: clock.now() + leaseMs,
        now: clock.now(),
      })
      .then(
        (held) => {
          if (!held) running.handle.cancel('the task lease was lost');
          else armRenewal(env, live, task, running, data);
        },
        () => armRenewal(env, live, task, running, data),
      );
  });
}

/** Records a heartbeat: extends the lease and stores the details for the next attempt. */
export function extendOnHeartbeat(env: ServiceEnv, info: ActivityInfo, details: unknown): void {
  const taskId = taskIdFor(info.runId, info.activityId);
  let payload: Payload | undefined;
  try {
    payload =
      details === undefined ? undefined : env.converter.encode(details, 'heartbeat details');
  } catch {
    payload = undefined;
  }
  const now = env.clock.now();
  const leaseMs = Math.max(info.heartbeatTimeoutMs ?? 0, DEFAULT_LEASE_MS);
  void env.store
    .extendTaskLease({
      namespace: info.namespace,
      taskId,
      owner: env.owner,
      leaseUntil: now + leaseMs,
      now,
      ...(payload ? { heartbeatDetails: payload } : {}),
    })
    .catch(() => undefined);
}
