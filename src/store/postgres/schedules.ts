/**
 * Schedules on PostgreSQL: the `schedules` row under an optimistic version, its
 * `schedule_fires` and its one timer, kept in `timers` under run id `schedule:<id>` so it is
 * claimed like any timer. A writer locks the schedule's key (a transaction-scoped advisory lock,
 * which also covers an id that has no row yet) and its row (`FOR UPDATE`), checks the version,
 * and only then writes: concurrent writers of one schedule queue, and the later one sees the
 * earlier one's version and is refused.
 */
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
import { compareStrings, scheduleWriteRefusal } from '../shared/index.js';
import type { PgDriver, Queryable, Row } from './driver.js';

type ListSchedulesRequest = Parameters<ScheduleStore['listSchedules']>[0];
type ListFiresRequest = Parameters<ScheduleStore['listScheduleFires']>[0];

const ROW_COLUMNS =
  'namespace, schedule_id, definition, state, search_attrs, next_fire_at, created_at, updated_at, version';
const FIRE_COLUMNS =
  'namespace, schedule_id, nominal_at, kind, actual_at, outcome, workflow_id, run_id, reason, recorded_at';

const keyOf = (namespace: string, scheduleId: string): string =>
  JSON.stringify([namespace, scheduleId]);

function recordFromRow(r: Row): ScheduleRecord {
  return {
    namespace: r.namespace as string,
    scheduleId: r.schedule_id as string,
    definition: JSON.parse(r.definition as string) as unknown,
    state: JSON.parse(r.state as string) as unknown,
    searchAttributes: JSON.parse(r.search_attrs as string) as SearchAttributes,
    nextFireAt: r.next_fire_at as number | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    version: r.version as number,
  };
}

function fireFromRow(r: Row): ScheduleFire {
  return {
    namespace: r.namespace as string,
    scheduleId: r.schedule_id as string,
    nominalAt: r.nominal_at as number,
    kind: r.kind as ScheduleFire['kind'],
    actualAt: r.actual_at as number,
    outcome: r.outcome as ScheduleFire['outcome'],
    ...(r.workflow_id === null ? {} : { workflowId: r.workflow_id as string }),
    ...(r.run_id === null ? {} : { runId: r.run_id as string }),
    ...(r.reason === null ? {} : { reason: r.reason as string }),
    recordedAt: r.recorded_at as number,
  };
}

/**
 * The versions of the schedules a transaction writes, read under lock and advanced as its
 * writes are accepted, so several writes to one schedule in one batch chain like commits do.
 */
export class ScheduleVersions {
  readonly #versions: Map<string, number | undefined>;

  private constructor(versions: Map<string, number | undefined>) {
    this.#versions = versions;
  }

  /** Locks the schedules `writes` touch (in key order, so writers cannot deadlock). */
  static async lock(
    q: Queryable,
    s: string,
    writes: readonly ScheduleWrite[],
  ): Promise<ScheduleVersions> {
    const keys = new Map<string, { namespace: string; scheduleId: string }>();
    for (const w of writes) keys.set(keyOf(w.namespace, w.scheduleId), w);
    const sorted = [...keys.values()].sort(
      (a, b) =>
        compareStrings(a.namespace, b.namespace) || compareStrings(a.scheduleId, b.scheduleId),
    );
    const versions = new Map<string, number | undefined>();
    if (sorted.length === 0) return new ScheduleVersions(versions);
    const namespaces = sorted.map((k) => k.namespace);
    const ids = sorted.map((k) => k.scheduleId);
    // The advisory lock covers a schedule being created (no row to lock yet).
    await q.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('aion.schedule:' || k.namespace || '/' || k.schedule_id, 0))
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(namespace, schedule_id, i) ORDER BY k.i`,
      [namespaces, ids],
    );
    const rows = await q.query(
      `SELECT c.namespace, c.schedule_id, c.version FROM ${s}.schedules c
       JOIN unnest($1::text[], $2::text[]) AS k(namespace, schedule_id)
         ON c.namespace = k.namespace AND c.schedule_id = k.schedule_id
       ORDER BY c.namespace, c.schedule_id FOR UPDATE OF c`,
      [namespaces, ids],
    );
    for (const r of rows) {
      versions.set(keyOf(r.namespace as string, r.schedule_id as string), r.version as number);
    }
    return new ScheduleVersions(versions);
  }

  /** Why `write` is refused (nothing of it, or of its run, may be written), else undefined. */
  refusal(write: ScheduleWrite): AionError | undefined {
    return scheduleWriteRefusal(
      write,
      this.#versions.get(keyOf(write.namespace, write.scheduleId)),
    );
  }

  /** Records that `write` was accepted: later writes in the transaction see its version. */
  accept(write: ScheduleWrite): void {
    this.#versions.set(keyOf(write.namespace, write.scheduleId), write.record?.version);
  }
}

/** Applies an accepted write inside the caller's transaction. */
export async function applyScheduleWrite(
  q: Queryable,
  s: string,
  write: ScheduleWrite,
): Promise<void> {
  const { namespace, scheduleId, record } = write;
  const key = [namespace, scheduleId];
  const timerKey = [namespace, scheduleTimerRunId(scheduleId), SCHEDULE_TIMER_ID];
  const deleteTimer = `DELETE FROM ${s}.timers WHERE namespace = $1 AND run_id = $2 AND timer_id = $3`;
  if (record === null) {
    await q.query(`DELETE FROM ${s}.schedules WHERE namespace = $1 AND schedule_id = $2`, key);
    await q.query(`DELETE FROM ${s}.schedule_fires WHERE namespace = $1 AND schedule_id = $2`, key);
    await q.query(deleteTimer, timerKey);
    return;
  }
  await q.query(
    `INSERT INTO ${s}.schedules (${ROW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (namespace, schedule_id) DO UPDATE SET definition = EXCLUDED.definition,
       state = EXCLUDED.state, search_attrs = EXCLUDED.search_attrs,
       next_fire_at = EXCLUDED.next_fire_at, created_at = EXCLUDED.created_at,
       updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
    [
      ...key,
      JSON.stringify(record.definition),
      JSON.stringify(record.state),
      JSON.stringify(record.searchAttributes),
      record.nextFireAt,
      record.createdAt,
      record.updatedAt,
      record.version,
    ],
  );
  await writeFires(q, s, write);
  if (write.timer === null) await q.query(deleteTimer, timerKey);
  else if (write.timer !== undefined) {
    await q.query(
      `INSERT INTO ${s}.timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (namespace, run_id, timer_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
         fire_at = EXCLUDED.fire_at, kind = EXCLUDED.kind, data = EXCLUDED.data,
         claim_owner = NULL, claim_until = NULL`,
      [...timerKey, scheduleId, write.timer.fireAt, SCHEDULE_TIMER_KIND, write.timer.data],
    );
  }
}

async function writeFires(q: Queryable, s: string, write: ScheduleWrite): Promise<void> {
  const { namespace, scheduleId } = write;
  const fires = write.fires ?? [];
  if (fires.length > 0) {
    // One row per key: a later fire of the same key in the write replaces an earlier one.
    const byKey = new Map(fires.map((f) => [`${f.nominalAt}/${f.kind}`, f]));
    const rows = [...byKey.values()];
    await q.query(
      `INSERT INTO ${s}.schedule_fires (${FIRE_COLUMNS})
       SELECT $1, $2, * FROM unnest($3::int8[], $4::text[], $5::int8[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::int8[])
       ON CONFLICT (namespace, schedule_id, nominal_at, kind) DO UPDATE SET
         actual_at = EXCLUDED.actual_at, outcome = EXCLUDED.outcome,
         workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
         reason = EXCLUDED.reason, recorded_at = EXCLUDED.recorded_at`,
      [
        namespace,
        scheduleId,
        rows.map((f) => f.nominalAt),
        rows.map((f) => f.kind),
        rows.map((f) => f.actualAt),
        rows.map((f) => f.outcome),
        rows.map((f) => f.workflowId ?? null),
        rows.map((f) => f.runId ?? null),
        rows.map((f) => f.reason ?? null),
        rows.map((f) => f.recordedAt),
      ],
    );
  }
  if (write.keepFires !== undefined) {
    await q.query(
      `DELETE FROM ${s}.schedule_fires WHERE namespace = $1 AND schedule_id = $2
         AND (nominal_at, kind) NOT IN (
           SELECT nominal_at, kind FROM ${s}.schedule_fires
           WHERE namespace = $1 AND schedule_id = $2
           ORDER BY nominal_at DESC, kind DESC LIMIT $3)`,
      [namespace, scheduleId, write.keepFires],
    );
  }
}

/** `ScheduleStore.writeSchedule`: lock, check, write, in one transaction; throws its refusal. */
export async function writeSchedule(
  db: PgDriver,
  s: string,
  write: ScheduleWrite,
  fence: (q: Queryable) => Promise<void>,
): Promise<void> {
  await db.tx('writeSchedule', async (q) => {
    await fence(q);
    const versions = await ScheduleVersions.lock(q, s, [write]);
    const refused = versions.refusal(write);
    if (refused) throw refused;
    await applyScheduleWrite(q, s, write);
  });
}

export async function getSchedule(
  db: PgDriver,
  s: string,
  namespace: string,
  scheduleId: string,
): Promise<ScheduleRecord | undefined> {
  const rows = await db.query(
    `SELECT ${ROW_COLUMNS} FROM ${s}.schedules WHERE namespace = $1 AND schedule_id = $2`,
    [namespace, scheduleId],
    'getSchedule',
  );
  return rows[0] === undefined ? undefined : recordFromRow(rows[0]);
}

export async function listSchedules(
  db: PgDriver,
  s: string,
  request: ListSchedulesRequest,
): Promise<ScheduleRecord[]> {
  if (request.limit <= 0) return [];
  const rows = await db.query(
    `SELECT ${ROW_COLUMNS} FROM ${s}.schedules
     WHERE namespace = $1 AND ($2::text IS NULL OR schedule_id > $2::text)
     ORDER BY schedule_id LIMIT $3`,
    [request.namespace, request.after ?? null, request.limit],
    'listSchedules',
  );
  return rows.map(recordFromRow);
}

export async function listScheduleFires(
  db: PgDriver,
  s: string,
  request: ListFiresRequest,
): Promise<ScheduleFire[]> {
  if (request.limit <= 0) return [];
  const rows = await db.query(
    `SELECT ${FIRE_COLUMNS} FROM ${s}.schedule_fires WHERE namespace = $1 AND schedule_id = $2
     ORDER BY nominal_at DESC, kind DESC LIMIT $3`,
    [request.namespace, request.scheduleId, request.limit],
    'listScheduleFires',
  );
  return rows.map(fireFromRow);
}
