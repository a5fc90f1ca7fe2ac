// The memory store's schedules: rows under an optimistic version, their fire records, and the
// schedule's one timer (kept with the other timers so it is claimed like any timer).
import type { AionError } from '../../core/index.js';
import {
  SCHEDULE_TIMER_ID,
  SCHEDULE_TIMER_KIND,
  scheduleTimerRunId,
  type ScheduleFire,
  type ScheduleRecord,
  type ScheduleWrite,
} from '../contract/index.js';
import { compareStrings, scheduleWriteRefusal } from '../shared/index.js';
import { key } from './keys.js';
import type { MemoryTimers } from './timers.js';

/** Deep copy through JSON: what reads back is what a SQL store would return. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class MemorySchedules {
  readonly #rows = new Map<string, ScheduleRecord>();
  readonly #fires = new Map<string, Map<string, ScheduleFire>>();
  readonly #timers: MemoryTimers;

  constructor(timers: MemoryTimers) {
    this.#timers = timers;
  }

  /** Why `write` would be refused (nothing written), or undefined when it applies. */
  refusal(write: ScheduleWrite): AionError | undefined {
    const current = this.#rows.get(key(write.namespace, write.scheduleId));
    return scheduleWriteRefusal(write, current?.version);
  }

  /** Applies a write `refusal` accepted. */
  apply(write: ScheduleWrite): void {
    const { namespace, scheduleId } = write;
    const rowKey = key(namespace, scheduleId);
    const runId = scheduleTimerRunId(scheduleId);
    if (write.record === null) {
      this.#rows.delete(rowKey);
      this.#fires.delete(rowKey);
      this.#timers.deleteTimer(namespace, runId, SCHEDULE_TIMER_ID);
      return;
    }
    this.#rows.set(rowKey, copy(write.record));
    let fires = this.#fires.get(rowKey);
    if (fires === undefined) this.#fires.set(rowKey, (fires = new Map<string, ScheduleFire>()));
    for (const f of write.fires ?? []) fires.set(`${f.nominalAt}/${f.kind}`, copy(f));
    if (write.keepFires !== undefined && fires.size > write.keepFires) {
      const drop = [...fires.entries()]
        .sort(([, a], [, b]) => b.nominalAt - a.nominalAt || compareStrings(b.kind, a.kind))
        .slice(write.keepFires);
      for (const [fireKey] of drop) fires.delete(fireKey);
    }
    if (write.timer === null) this.#timers.deleteTimer(namespace, runId, SCHEDULE_TIMER_ID);
    else if (write.timer !== undefined) {
      this.#timers.upsert(namespace, runId, {
        namespace,
        workflowId: scheduleId,
        runId,
        timerId: SCHEDULE_TIMER_ID,
        kind: SCHEDULE_TIMER_KIND,
        fireAt: write.timer.fireAt,
        data: write.timer.data,
      });
    }
  }

  write(write: ScheduleWrite): void {
    const refused = this.refusal(write);
    if (refused) throw refused;
    this.apply(write);
  }

  get(namespace: string, scheduleId: string): ScheduleRecord | undefined {
    const row = this.#rows.get(key(namespace, scheduleId));
    return row === undefined ? undefined : copy(row);
  }

  list(request: { namespace: string; after?: string; limit: number }): ScheduleRecord[] {
    return [...this.#rows.values()]
      .filter(
        (r) =>
          r.namespace === request.namespace &&
          (request.after === undefined || compareStrings(r.scheduleId, request.after) > 0),
      )
      .sort((a, b) => compareStrings(a.scheduleId, b.scheduleId))
      .slice(0, request.limit)
      .map(copy);
  }

  fires(request: { namespace: string; scheduleId: string; limit: number }): ScheduleFire[] {
    const fires = this.#fires.get(key(request.namespace, request.scheduleId));
    return [...(fires?.values() ?? [])]
      .sort((a, b) => b.nominalAt - a.nominalAt || compareStrings(b.kind, a.kind))
      .slice(0, request.limit)
      .map(copy);
  }
}
