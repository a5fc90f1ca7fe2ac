// Cluster mode: a schedule is driven by the node holding its id's shard (its writes are fenced
// there). The schedule calls of any other node are carried out by that node.
import type { RunScheduler } from '../scheduler/index.js';
import type { ScheduleService } from '../schedules/index.js';

/** The schedule service's operations a client calls (first argument namespace, then id). */
const ROUTED: ReadonlySet<PropertyKey> = new Set([
  'create',
  'update',
  'pause',
  'unpause',
  'trigger',
  'backfill',
  'delete',
]);

/** `schedules` with its client operations sent to the schedule's node when it is another. */
export function routedSchedules(
  schedules: ScheduleService,
  scheduler: RunScheduler,
): ScheduleService {
  return new Proxy(schedules, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!ROUTED.has(prop)) return method.bind(target);
      return (namespace: string, idOrOptions: unknown, ...rest: unknown[]): unknown => {
        const scheduleId =
          prop === 'create'
            ? (idOrOptions as { scheduleId?: unknown } | undefined)?.scheduleId
            : idOrOptions;
        const key = { namespace, workflowId: String(scheduleId) };
        if (typeof scheduleId === 'string' && scheduler.isElsewhere(key)) {
          return scheduler.forward(key, `schedule.${String(prop)}`, [
            namespace,
            idOrOptions,
            ...rest,
          ]);
        }
        return method.call(target, namespace, idOrOptions, ...rest);
      };
    },
  });
}

/** The schedule operations another node may have this one carry out. */
export function scheduleOps(
  schedules: ScheduleService,
): Record<string, (...args: never[]) => Promise<unknown>> {
  const ops: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const name of ROUTED) {
    const method = (schedules as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
      String(name)
    ]!;
    ops[`schedule.${String(name)}`] = (...args: never[]) => method.apply(schedules, args);
  }
  return ops;
}
