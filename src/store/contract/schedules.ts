// The schedules part of the store contract: one row per schedule (its definition and durable
// state, written under an optimistic version), its recent fires, and its one durable timer.
// See docs/adr/0012-schedules.md.
import type { SearchAttributes } from '../../core/index.js';

/** The timer id and kind of a schedule's one timer; its run id is {@link scheduleTimerRunId}. */
export const SCHEDULE_TIMER_ID = 'fire';
export const SCHEDULE_TIMER_KIND = 'schedule.fire';

/** The reserved run id that owns a schedule's timer row (no run can have it: run ids are UUIDs). */
export function scheduleTimerRunId(scheduleId: string): string {
  return `schedule:${scheduleId}`;
}

/** A schedule as stored. */
export interface ScheduleRecord {
  readonly namespace: string;
  readonly scheduleId: string;
  /**
   * What the schedule is (spec, action, policies, memo): a JSON document the store keeps as
   * text and never interprets. Payloads inside are encoded by the engine's codec boundary.
   */
  readonly definition: unknown;
  /** Durable state (paused, buffer, running actions, counters, recent actions): JSON, opaque. */
  readonly state: unknown;
  /** The schedule's own search attributes, for list filters. */
  readonly searchAttributes: SearchAttributes;
  /** The next nominal fire time the engine armed, or null (paused, exhausted, never again). */
  readonly nextFireAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** 1 when created, +1 on every write. */
  readonly version: number;
}

/** What a fire turned into. */
export type ScheduleFireOutcome =
  'started' | 'skipped' | 'buffered' | 'missed' | 'dropped' | 'failed';

/** The record of one fire; `(namespace, scheduleId, nominalAt, kind)` is its key. */
export interface ScheduleFire {
  readonly namespace: string;
  readonly scheduleId: string;
  /** The nominal time (epoch ms) of the fire; for a trigger the time it was asked for. */
  readonly nominalAt: number;
  readonly kind: 'scheduled' | 'trigger' | 'backfill';
  /** When the action was (or would have been) taken: nominal + jitter, or later. */
  readonly actualAt: number;
  readonly outcome: ScheduleFireOutcome;
  readonly workflowId?: string;
  readonly runId?: string;
  /** Why the fire was skipped, missed, dropped or failed. */
  readonly reason?: string;
  readonly recordedAt: number;
}

/**
 * One atomic change of a schedule: its row (version-checked), fire records, and its timer.
 * Written alone ({@link ScheduleStore.writeSchedule}) or inside a run commit
 * (`RunCommit.schedule`), where it commits together with the run's start or nothing does.
 */
export interface ScheduleWrite {
  readonly namespace: string;
  readonly scheduleId: string;
  /**
   * The version the writer read; 0 creates the schedule (refused with `already_exists` when the
   * id exists). A row whose version differs refuses the write with `schedule_conflict`.
   */
  readonly expectedVersion: number;
  /**
   * The new row (its `version` is `expectedVersion + 1`), or null to delete the schedule with
   * its fire records and its timer.
   */
  readonly record: ScheduleRecord | null;
  /** Fire records to insert or replace (same key). */
  readonly fires?: readonly ScheduleFire[];
  /**
   * The schedule's timer (run id {@link scheduleTimerRunId}, timer id {@link SCHEDULE_TIMER_ID},
   * kind {@link SCHEDULE_TIMER_KIND}, workflow id = schedule id): set (upsert, unclaimed) or
   * removed with null; untouched when absent.
   */
  readonly timer?: { readonly fireAt: number; readonly data: string } | null;
  /** After the write, keep only this many newest fire records (by nominalAt) of the schedule. */
  readonly keepFires?: number;
}

export interface ScheduleStore {
  /**
   * Applies a schedule write in one transaction. Throws `AionError` `already_exists` (create of
   * an existing id) or `schedule_conflict` (version moved, or the schedule is gone), writing
   * nothing.
   */
  writeSchedule(write: ScheduleWrite): Promise<void>;
  getSchedule(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined>;
  /** Schedules of a namespace ordered by id; page with `after` (an id). */
  listSchedules(request: {
    readonly namespace: string;
    readonly after?: string;
    readonly limit: number;
  }): Promise<ScheduleRecord[]>;
  /** Fire records of a schedule, newest nominal time first. */
  listScheduleFires(request: {
    readonly namespace: string;
    readonly scheduleId: string;
    readonly limit: number;
  }): Promise<ScheduleFire[]>;
}
