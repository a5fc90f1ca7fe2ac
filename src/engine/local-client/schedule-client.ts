// The in-process schedule client (`client.schedule` of the engine): the schedule service and
// reads bound to one namespace, each call retried through a store outage within its deadline.
import type {
  ScheduleBackfill,
  ScheduleClient,
  ScheduleDescription,
  ScheduleHandle,
  ScheduleUpdateOptions,
} from '../../core/index.js';
import { isAionError } from '../../core/index.js';
import type { ScheduleReads, ScheduleService } from '../schedules/index.js';
import { withinDeadline, type StoreRetryEnv } from '../store-retry.js';

export interface ScheduleClientDeps {
  readonly retry: StoreRetryEnv;
  readonly schedules: ScheduleService;
  readonly scheduleReads: ScheduleReads;
}

/** How often `update` re-reads and re-applies its function after a concurrent change. */
const UPDATE_ATTEMPTS = 10;

export function scheduleClient(d: ScheduleClientDeps, ns: string): ScheduleClient {
  const call = <T>(fn: () => Promise<T>): Promise<T> => withinDeadline(d.retry, fn);
  const handle = (scheduleId: string): ScheduleHandle => ({
    scheduleId,
    describe: () => call(() => d.scheduleReads.describe(ns, scheduleId)),
    async update(fn: (previous: ScheduleDescription) => ScheduleUpdateOptions): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        const previous = await call(() => d.scheduleReads.describe(ns, scheduleId));
        const next = fn(previous);
        try {
          await call(() => d.schedules.update(ns, scheduleId, next, previous.conflictToken));
          return;
        } catch (err) {
          if (!(isAionError(err) && err.code === 'schedule_conflict') || attempt >= UPDATE_ATTEMPTS)
            throw err;
        }
      }
    },
    pause: (note) => call(() => d.schedules.pause(ns, scheduleId, note)),
    unpause: (note) => call(() => d.schedules.unpause(ns, scheduleId, note)),
    trigger: (overlap) => call(() => d.schedules.trigger(ns, scheduleId, overlap)),
    backfill: (backfill: ScheduleBackfill | readonly ScheduleBackfill[]) =>
      call(() =>
        d.schedules.backfill(
          ns,
          scheduleId,
          Array.isArray(backfill) ? backfill : [backfill as ScheduleBackfill],
        ),
      ),
    delete: () => call(() => d.schedules.delete(ns, scheduleId)),
  });
  return {
    async create(options) {
      await call(() => d.schedules.create(ns, options));
      return handle(options.scheduleId);
    },
    getHandle: handle,
    list: (options) => d.scheduleReads.list(ns, options),
  };
}
