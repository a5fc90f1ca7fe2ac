// The engine's schedule service: create, update, pause, trigger, backfill and delete schedules
// (each a versioned write), react to their timers and to the close of the actions they started,
// and pick up after a restart. Reads (describe, list) are in schedule-reads.ts.
import type { Clock } from '../../clock/index.js';
import {
  AionError,
  isAionError,
  type ScheduleBackfill,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
  type ScheduleUpdateOptions,
  validateWorkflowId,
} from '../../core/index.js';
import type { Store, TimerRow } from '../../store/index.js';
import { nextFireTimes } from '../../schedules/index.js';
import type { StartOptionContext } from '../start/index.js';
import type { ExtraFire } from './decide.js';
import {
  bad,
  initialState,
  parseNote,
  parseOverlap,
  parseRemainingActions,
  parseSchedule,
  type StoredState,
} from './definition.js';
import { load, notFound, type ScheduleRunner } from './schedule-runner.js';

/** Nominal times one backfill may cover (a larger range is refused). */
const MAX_BACKFILL_FIRES = 10_000;

export interface ScheduleServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly runner: ScheduleRunner;
  /** What parses a start's options in a namespace (converter, schema, limits). */
  readonly startContext: (namespace: string) => Promise<StartOptionContext>;
  readonly onChanged?: (namespace: string, scheduleId: string, action: string) => void;
  /** Cluster mode: true when another node drives the schedule (by its id's shard). */
  readonly elsewhere?: (key: {
    readonly namespace: string;
    readonly workflowId: string;
  }) => boolean;
  /** Cluster mode: has the node driving the schedule carry out a schedule operation. */
  readonly forward?: (
    key: { readonly namespace: string; readonly workflowId: string },
    op: string,
    args: readonly unknown[],
  ) => Promise<unknown>;
}

export class ScheduleService {
  readonly #d: ScheduleServiceDeps;

  constructor(deps: ScheduleServiceDeps) {
    this.#d = deps;
  }

  async create(namespace: string, options: ScheduleOptions): Promise<void> {
    const d = this.#d;
    const scheduleId = validateScheduleId(options?.scheduleId);
    const parsed = parseSchedule(await d.startContext(namespace), scheduleId, options);
    const now = d.clock.now();
    const state = initialState(now, options.state);
    const record = {
      namespace,
      scheduleId,
      definition: parsed.definition,
      state,
      searchAttributes: parsed.searchAttributes,
      nextFireAt: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    await d.runner.serialize(namespace, scheduleId, async () => {
      const s = { ...load(record), version: 0 };
      await d.runner.write(s, state, []);
    });
    const extras: ExtraFire[] = [];
    if (options.state?.triggerImmediately === true)
      extras.push({ nominalAt: now, kind: 'trigger' });
    for (const b of options.state?.backfill ?? []) extras.push(...this.#backfillFires(parsed, b));
    if (extras.length > 0) await d.runner.process(namespace, scheduleId, extras);
  }

  /** Read–modify–write of the definition (and optionally state), under the version. */
  async update(
    namespace: string,
    scheduleId: string,
    options: ScheduleUpdateOptions,
    expectedVersion?: number,
  ): Promise<void> {
    const ctx = await this.#d.startContext(namespace);
    const parsed = parseSchedule(ctx, scheduleId, options);
    const remaining = parseRemainingActions(options.state?.remainingActions);
    const note = parseNote(options.state?.note);
    await this.#mutate(namespace, scheduleId, expectedVersion, (s) => {
      const state: StoredState = {
        ...s.state,
        ...(options.state?.paused !== undefined ? { paused: options.state.paused } : {}),
        ...(note !== undefined ? { note } : {}),
        ...(remaining !== undefined ? { remainingActions: remaining } : {}),
        // A new spec starts from now: times before the update are not caught up.
        processedThrough: Math.max(s.state.processedThrough, this.#d.clock.now()),
      };
      return {
        state,
        change: { definition: parsed.definition, searchAttributes: parsed.searchAttributes },
        compiled: parsed.compiled,
      };
    });
  }

  pause(namespace: string, scheduleId: string, note?: string): Promise<void> {
    const n = parseNote(note, 'note');
    return this.#mutate(namespace, scheduleId, undefined, (s) => ({
      state: { ...s.state, paused: true, note: n ?? 'paused' },
    }));
  }

  unpause(namespace: string, scheduleId: string, note?: string): Promise<void> {
    const n = parseNote(note, 'note');
    return this.#mutate(namespace, scheduleId, undefined, (s) => ({
      // Times missed while paused are not caught up (backfill exists for that).
      state: {
        ...s.state,
        paused: false,
        note: n ?? 'unpaused',
        processedThrough: Math.max(s.state.processedThrough, this.#d.clock.now()),
      },
    }));
  }

  async trigger(
    namespace: string,
    scheduleId: string,
    overlap?: ScheduleOverlapPolicy,
  ): Promise<void> {
    const policy = parseOverlap(overlap, 'overlap');
    const nominalAt = this.#d.clock.now();
    await this.#d.runner.process(namespace, scheduleId, [
      {
        nominalAt,
        kind: 'trigger',
        ...(policy !== undefined ? { overlap: policy } : {}),
      },
    ]);
    this.#d.onChanged?.(namespace, scheduleId, 'trigger');
  }

  async backfill(
    namespace: string,
    scheduleId: string,
    backfills: readonly ScheduleBackfill[],
  ): Promise<void> {
    if (!Array.isArray(backfills) || backfills.length === 0)
      throw bad('backfill', 'give at least one { start, end, overlap? }');
    const record = await this.#d.store.getSchedule(namespace, scheduleId);
    if (record === undefined) throw notFound(namespace, scheduleId);
    const s = load(record);
    const list: readonly ScheduleBackfill[] = backfills;
    const extras = list.flatMap((b) => this.#backfillFires(s, b));
    if (extras.length > MAX_BACKFILL_FIRES)
      throw bad('backfill', `covers ${extras.length} fires; at most ${MAX_BACKFILL_FIRES} at once`);
    if (extras.length > 0) await this.#d.runner.process(namespace, scheduleId, extras);
  }

  async delete(namespace: string, scheduleId: string): Promise<void> {
    const { runner, store } = this.#d;
    await runner.serialize(namespace, scheduleId, async () => {
      for (let attempt = 0; ; attempt++) {
        const record = await store.getSchedule(namespace, scheduleId);
        if (record === undefined) throw notFound(namespace, scheduleId);
        try {
          await runner.write(load(record), record.state as StoredState, [], {}, true);
          return;
        } catch (err) {
          if (!(isAionError(err) && err.code === 'schedule_conflict') || attempt >= 5) throw err;
        }
      }
    });
  }

  get idle(): boolean {
    return this.#d.runner.idle;
  }

  whenIdle(): Promise<void> {
    return this.#d.runner.whenIdle();
  }

  /** The schedule's timer fired: decide what is due, re-arm. */
  onTimer(row: TimerRow): void {
    void this.#d.runner.process(row.namespace, row.workflowId).catch(() => {
      // Left claimed: the timer is claimed again when its lease ends, and this runs again.
    });
  }

  /** A run closed: if it was a schedule's action, let the schedule go on (buffered fires). */
  onRunClosed(namespace: string, workflowId: string, startedBy?: string): void {
    const scheduleId = startedBy ?? this.#d.runner.scheduleOf(namespace, workflowId);
    if (scheduleId === undefined) return;
    // Cluster mode: the node driving the schedule hears of its action's close.
    const key = { namespace, workflowId: scheduleId };
    if (this.#d.elsewhere?.(key)) {
      void this.#d
        .forward?.(key, 'schedule.onRunClosed', [namespace, workflowId, scheduleId])
        .catch(() => undefined); // the next fire reconciles it
      return;
    }
    void this.#d.runner.process(namespace, scheduleId).catch(() => {
      // The next fire (or the next start) reconciles it.
    });
  }

  /**
   * After a start: schedules whose actions may have closed while the engine was down, or that
   * wait with buffered fires, are processed now (timers cover everything else).
   */
  async recover(
    namespaces: readonly string[],
    shardOf?: { readonly shards: ReadonlySet<number>; of(ns: string, id: string): number },
  ): Promise<void> {
    for (const namespace of namespaces) {
      for (let after: string | undefined; ;) {
        const page = await this.#d.store.listSchedules({
          namespace,
          limit: 500,
          ...(after !== undefined ? { after } : {}),
        });
        for (const record of page) {
          // Cluster mode: the node driving the schedule's shard runs it.
          if (this.#d.elsewhere?.({ namespace, workflowId: record.scheduleId })) continue;
          if (shardOf && !shardOf.shards.has(shardOf.of(namespace, record.scheduleId))) continue;
          const state = record.state as StoredState;
          this.#d.runner.index(namespace, record.scheduleId, state);
          if (state.running.length > 0 || state.buffer.length > 0)
            void this.#d.runner.process(namespace, record.scheduleId).catch(() => undefined);
        }
        if (page.length < 500) break;
        after = page[page.length - 1]!.scheduleId;
      }
    }
  }

  #backfillFires(
    s: { compiled: ReturnType<typeof load>['compiled'] },
    b: ScheduleBackfill,
  ): ExtraFire[] {
    const start = instant(b?.start, 'backfill.start');
    const end = instant(b?.end, 'backfill.end');
    if (end < start) throw bad('backfill.end', 'is before backfill.start');
    const overlap = parseOverlap(b.overlap, 'backfill.overlap');
    const times = nextFireTimes(s.compiled, new Date(start - 1), MAX_BACKFILL_FIRES + 1).filter(
      (t) => t.getTime() <= end,
    );
    return times.map((t) => ({
      nominalAt: t.getTime(),
      kind: 'backfill' as const,
      ...(overlap !== undefined ? { overlap } : {}),
    }));
  }

  async #mutate(
    namespace: string,
    scheduleId: string,
    expectedVersion: number | undefined,
    change: (s: ReturnType<typeof load>) => {
      state: StoredState;
      change?: Parameters<ScheduleRunner['write']>[3];
      compiled?: ReturnType<typeof load>['compiled'];
    },
  ): Promise<void> {
    const { runner, store } = this.#d;
    await runner.serialize(namespace, scheduleId, async () => {
      for (let attempt = 0; ; attempt++) {
        const record = await store.getSchedule(namespace, scheduleId);
        if (record === undefined) throw notFound(namespace, scheduleId);
        if (expectedVersion !== undefined && record.version !== expectedVersion) {
          throw new AionError(
            'schedule_conflict',
            `schedule ${JSON.stringify(scheduleId)} changed since it was read (conflict token ${record.version}, given ${expectedVersion}); describe it again and retry`,
            { namespace, scheduleId },
          );
        }
        const s = load(record);
        const next = change(s);
        const target = next.compiled ? { ...s, compiled: next.compiled } : s;
        try {
          await runner.write(target, next.state, [], next.change ?? {});
          return;
        } catch (err) {
          const retry = expectedVersion === undefined && attempt < 5;
          if (!(isAionError(err) && err.code === 'schedule_conflict') || !retry) throw err;
        }
      }
    });
    // Whatever is due under the new definition or state (e.g. buffered fires) is taken now.
    await runner.process(namespace, scheduleId);
  }
}

function instant(value: unknown, field: string): number {
  const t =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value).getTime()
        : NaN;
  if (!Number.isFinite(t)) throw bad(field, 'must be a Date, an ISO time or epoch milliseconds');
  return t;
}

/** Schedule ids follow workflow-id rules (fires derive their workflow ids from them). */
function validateScheduleId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw bad('scheduleId', 'must be a non-empty string');
  try {
    return validateWorkflowId(value);
  } catch (err) {
    throw bad('scheduleId', err instanceof Error ? err.message : String(err));
  }
}
