/**
 * Schedules on SQLite: the `schedules` row under an optimistic version, its `schedule_fires`
 * and its one timer, kept in `timers` under run id `schedule:<id>` so it is claimed like any
 * timer. A write is checked ({@link ScheduleTables.refusal}) before anything of it is written
 * and applied ({@link ScheduleTables.apply}) inside the caller's transaction: alone, or with a
 * run's commit.
 */
import type Database from 'better-sqlite3';
import type { AionError, SearchAttributes } from '../../core/index.js';
import {
  SCHEDULE_TIMER_ID,
  SCHEDULE_TIMER_KIND,
  scheduleTimerRunId,
  type ScheduleFire,
  type ScheduleRecord,
  type ScheduleStore,
  type ScheduleWrite,
} from '../contract/index.js';
import { scheduleWriteRefusal } from '../shared/index.js';

interface ScheduleRow {
  readonly namespace: string;
  readonly schedule_id: string;
  readonly definition: string;
  readonly state: string;
  readonly search_attrs: string;
  readonly next_fire_at: number | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly version: number;
}

interface FireRow {
  readonly namespace: string;
  readonly schedule_id: string;
  readonly nominal_at: number;
  readonly kind: ScheduleFire['kind'];
  readonly actual_at: number;
  readonly outcome: ScheduleFire['outcome'];
  readonly workflow_id: string | null;
  readonly run_id: string | null;
  readonly reason: string | null;
  readonly recorded_at: number;
}

type Key = [namespace: string, scheduleId: string];
export type ListSchedulesRequest = Parameters<ScheduleStore['listSchedules']>[0];
export type ListFiresRequest = Parameters<ScheduleStore['listScheduleFires']>[0];

const ROW_COLUMNS =
  'namespace, schedule_id, definition, state, search_attrs, next_fire_at, created_at, updated_at, version';
const FIRE_COLUMNS =
  'namespace, schedule_id, nominal_at, kind, actual_at, outcome, workflow_id, run_id, reason, recorded_at';

function recordFromRow(r: ScheduleRow): ScheduleRecord {
  return {
    namespace: r.namespace,
    scheduleId: r.schedule_id,
    definition: JSON.parse(r.definition) as unknown,
    state: JSON.parse(r.state) as unknown,
    searchAttributes: JSON.parse(r.search_attrs) as SearchAttributes,
    nextFireAt: r.next_fire_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

function fireFromRow(r: FireRow): ScheduleFire {
  return {
    namespace: r.namespace,
    scheduleId: r.schedule_id,
    nominalAt: r.nominal_at,
    kind: r.kind,
    actualAt: r.actual_at,
    outcome: r.outcome,
    ...(r.workflow_id === null ? {} : { workflowId: r.workflow_id }),
    ...(r.run_id === null ? {} : { runId: r.run_id }),
    ...(r.reason === null ? {} : { reason: r.reason }),
    recordedAt: r.recorded_at,
  };
}

export class ScheduleTables {
  readonly #version: Database.Statement<Key, number>;
  readonly #get: Database.Statement<Key, ScheduleRow>;
  readonly #list: Database.Statement<[string, string | null, string | null, number], ScheduleRow>;
  readonly #fires: Database.Statement<[string, string, number], FireRow>;
  readonly #upsertRow: Database.Statement<unknown[]>;
  readonly #deleteRow: Database.Statement<Key>;
  readonly #upsertFire: Database.Statement<unknown[]>;
  readonly #deleteFires: Database.Statement<Key>;
  readonly #trimFires: Database.Statement<[string, string, string, string, number]>;
  readonly #upsertTimer: Database.Statement<unknown[]>;
  readonly #deleteTimer: Database.Statement<[string, string, string]>;
  readonly #write: Database.Transaction<(write: ScheduleWrite) => void>;

  constructor(db: Database.Database) {
    const where = 'WHERE namespace = ? AND schedule_id = ?';
    this.#version = db.prepare<Key, number>(`SELECT version FROM schedules ${where}`).pluck();
    this.#get = db.prepare<Key, ScheduleRow>(`SELECT ${ROW_COLUMNS} FROM schedules ${where}`);
    this.#list = db.prepare<[string, string | null, string | null, number], ScheduleRow>(
      `SELECT ${ROW_COLUMNS} FROM schedules WHERE namespace = ? AND (? IS NULL OR schedule_id > ?)
       ORDER BY schedule_id LIMIT ?`,
    );
    this.#fires = db.prepare<[string, string, number], FireRow>(
      `SELECT ${FIRE_COLUMNS} FROM schedule_fires ${where}
       ORDER BY nominal_at DESC, kind DESC LIMIT ?`,
    );
    this.#upsertRow = db.prepare(
      `INSERT INTO schedules (${ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, schedule_id) DO UPDATE SET definition = excluded.definition,
         state = excluded.state, search_attrs = excluded.search_attrs,
         next_fire_at = excluded.next_fire_at, created_at = excluded.created_at,
         updated_at = excluded.updated_at, version = excluded.version`,
    );
    this.#deleteRow = db.prepare<Key>(`DELETE FROM schedules ${where}`);
    this.#upsertFire = db.prepare(
      `INSERT INTO schedule_fires (${FIRE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, schedule_id, nominal_at, kind) DO UPDATE SET
         actual_at = excluded.actual_at, outcome = excluded.outcome,
         workflow_id = excluded.workflow_id, run_id = excluded.run_id,
         reason = excluded.reason, recorded_at = excluded.recorded_at`,
    );
    this.#deleteFires = db.prepare<Key>(`DELETE FROM schedule_fires ${where}`);
    this.#trimFires = db.prepare(
      `DELETE FROM schedule_fires ${where} AND rowid NOT IN (
         SELECT rowid FROM schedule_fires ${where} ORDER BY nominal_at DESC, kind DESC LIMIT ?)`,
    );
    this.#upsertTimer = db.prepare(
      `INSERT INTO timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, run_id, timer_id) DO UPDATE SET workflow_id = excluded.workflow_id,
         fire_at = excluded.fire_at, kind = excluded.kind, data = excluded.data,
         claim_owner = NULL, claim_until = NULL`,
    );
    this.#deleteTimer = db.prepare<[string, string, string]>(
      'DELETE FROM timers WHERE namespace = ? AND run_id = ? AND timer_id = ?',
    );
    this.#write = db.transaction((write: ScheduleWrite) => {
      const refused = this.refusal(write);
      if (refused) throw refused;
      this.apply(write);
    });
  }

  /** Why `write` would be refused (nothing written), or undefined when it applies. */
  refusal(write: ScheduleWrite): AionError | undefined {
    const version = this.#version.get(write.namespace, write.scheduleId);
    return scheduleWriteRefusal(write, version);
  }

  /** Applies a write {@link refusal} accepted, inside the open transaction. */
  apply(write: ScheduleWrite): void {
    const { namespace, scheduleId, record } = write;
    const timerRunId = scheduleTimerRunId(scheduleId);
    if (record === null) {
      this.#deleteRow.run(namespace, scheduleId);
      this.#deleteFires.run(namespace, scheduleId);
      this.#deleteTimer.run(namespace, timerRunId, SCHEDULE_TIMER_ID);
      return;
    }
    this.#upsertRow.run(
      namespace,
      scheduleId,
      JSON.stringify(record.definition),
      JSON.stringify(record.state),
      JSON.stringify(record.searchAttributes),
      record.nextFireAt,
      record.createdAt,
      record.updatedAt,
      record.version,
    );
    for (const f of write.fires ?? []) {
      this.#upsertFire.run(
        namespace,
        scheduleId,
        f.nominalAt,
        f.kind,
        f.actualAt,
        f.outcome,
        f.workflowId ?? null,
        f.runId ?? null,
        f.reason ?? null,
        f.recordedAt,
      );
    }
    if (write.keepFires !== undefined) {
      this.#trimFires.run(namespace, scheduleId, namespace, scheduleId, write.keepFires);
    }
    if (write.timer === null) this.#deleteTimer.run(namespace, timerRunId, SCHEDULE_TIMER_ID);
    else if (write.timer !== undefined) {
      this.#upsertTimer.run(
        namespace,
        timerRunId,
        SCHEDULE_TIMER_ID,
        scheduleId,
        write.timer.fireAt,
        SCHEDULE_TIMER_KIND,
        write.timer.data,
      );
    }
  }

  /** Checks and applies `write` in its own IMMEDIATE transaction; throws its refusal. */
  write(write: ScheduleWrite): void {
    this.#write.immediate(write);
  }

  get(namespace: string, scheduleId: string): ScheduleRecord | undefined {
    const row = this.#get.get(namespace, scheduleId);
    return row === undefined ? undefined : recordFromRow(row);
  }

  list(request: ListSchedulesRequest): ScheduleRecord[] {
    if (request.limit <= 0) return [];
    const after = request.after ?? null;
    return this.#list.all(request.namespace, after, after, request.limit).map(recordFromRow);
  }

  fires(request: ListFiresRequest): ScheduleFire[] {
    if (request.limit <= 0) return [];
    return this.#fires.all(request.namespace, request.scheduleId, request.limit).map(fireFromRow);
  }
}
