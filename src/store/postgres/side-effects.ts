import type { RunKey } from '../../core/index.js';
import type { NewActivityTask, OutboxRow, RunCommit, TimerRow } from '../contract/index.js';
import type { Queryable } from './driver.js';

/**
 * Net effect of a batch's operations on keyed rows, replayed in commit order. Every write is
 * a replacing upsert, so per key only the last write matters: a final row is upserted, a
 * final removal deleted.
 */
class NetOps<K, T> {
  readonly #ops = new Map<string, { removeKey: K } | { row: T }>();

  put(key: string, row: T): void {
    this.#ops.delete(key); // keep Map order = order of the last operation
    this.#ops.set(key, { row });
  }

  remove(key: string, keyRow: K): void {
    this.#ops.delete(key);
    this.#ops.set(key, { removeKey: keyRow });
  }

  removals(): K[] {
    return [...this.#ops.values()].flatMap((op) => ('removeKey' in op ? [op.removeKey] : []));
  }

  rows(): T[] {
    return [...this.#ops.values()].flatMap((op) => ('row' in op ? [op.row] : []));
  }
}

const k = (...parts: string[]): string => parts.join('\u0000');

type TimerKey = Pick<TimerRow, 'namespace' | 'runId' | 'timerId'>;

/**
 * Writes the side-effect rows of the batch's successful commits, then deletes the timers and
 * tasks of runs the batch closed (their outbox rows stay: they carry the close's messages).
 */
export async function writeSideEffects(
  q: Queryable,
  s: string,
  commits: readonly RunCommit[],
  closedRuns: readonly RunKey[],
): Promise<void> {
  const timers = new NetOps<TimerKey, TimerRow>();
  const tasks = new NetOps<{ namespace: string; taskId: string }, NewActivityTask>();
  const outbox = new NetOps<{ namespace: string; id: string }, OutboxRow>();
  // Within one commit: additions first, then removals (as the reference store applies them).
  // Rows are keyed by the committing run's namespace.
  for (const c of commits) {
    const ns = c.run.namespace;
    const runId = c.run.runId;
    for (const row of c.timers?.upsert ?? [])
      timers.put(k(ns, runId, row.timerId), { ...row, namespace: ns, runId });
    for (const id of c.timers?.cancel ?? [])
      timers.remove(k(ns, runId, id), { namespace: ns, runId, timerId: id });
    for (const row of c.tasks?.enqueue ?? [])
      tasks.put(k(ns, row.taskId), { ...row, namespace: ns });
    for (const id of c.tasks?.remove ?? []) tasks.remove(k(ns, id), { namespace: ns, taskId: id });
    for (const row of c.outbox?.add ?? []) outbox.put(k(ns, row.id), { ...row, namespace: ns });
    for (const id of c.outbox?.remove ?? []) outbox.remove(k(ns, id), { namespace: ns, id });
  }
  await deleteTasks(q, s, tasks.removals());
  await upsertTasks(q, s, tasks.rows());
  await deleteTimers(q, s, timers.removals());
  await upsertTimers(q, s, timers.rows());
  await deleteOutbox(q, s, outbox.removals());
  await upsertOutbox(q, s, outbox.rows());
  if (closedRuns.length > 0) {
    const args = [closedRuns.map((r) => r.namespace), closedRuns.map((r) => r.runId)];
    await q.query(
      `DELETE FROM ${s}.timers t USING unnest($1::text[], $2::text[]) AS v(namespace, run_id)
       WHERE t.namespace = v.namespace AND t.run_id = v.run_id`,
      args,
    );
    await q.query(
      `DELETE FROM ${s}.tasks t USING unnest($1::text[], $2::text[]) AS v(namespace, run_id)
       WHERE t.namespace = v.namespace AND t.run_id = v.run_id`,
      args,
    );
  }
}

async function deleteTasks(
  q: Queryable,
  s: string,
  keys: readonly { namespace: string; taskId: string }[],
): Promise<void> {
  if (keys.length === 0) return;
  await q.query(
    `DELETE FROM ${s}.tasks t USING unnest($1::text[], $2::text[]) AS v(namespace, task_id)
     WHERE t.namespace = v.namespace AND t.task_id = v.task_id`,
    [keys.map((x) => x.namespace), keys.map((x) => x.taskId)],
  );
}

async function upsertTasks(
  q: Queryable,
  s: string,
  rows: readonly NewActivityTask[],
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO ${s}.tasks (namespace, task_id, workflow_id, run_id, task_queue, activity_id, activity_type,
       scheduled_seq, input, options, attempt, visible_at, lease_owner, lease_until, deliveries)
     SELECT *, CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::int8[], $9::text[], $10::text[], $11::int4[], $12::int8[], $13::text[], $14::int8[])
       AS v(namespace, task_id, workflow_id, run_id, task_queue, activity_id, activity_type, scheduled_seq, input,
         options, attempt, visible_at, lease_owner, lease_until)
     ON CONFLICT (namespace, task_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
       task_queue = EXCLUDED.task_queue, activity_id = EXCLUDED.activity_id, activity_type = EXCLUDED.activity_type,
       scheduled_seq = EXCLUDED.scheduled_seq, input = EXCLUDED.input, options = EXCLUDED.options,
       attempt = EXCLUDED.attempt, visible_at = EXCLUDED.visible_at, lease_owner = EXCLUDED.lease_owner,
       lease_until = EXCLUDED.lease_until, deliveries = EXCLUDED.deliveries, heartbeat_details = NULL, last_heartbeat_at = NULL, last_failure = NULL`,
    [
      rows.map((r) => r.namespace),
      rows.map((r) => r.taskId),
      rows.map((r) => r.workflowId),
      rows.map((r) => r.runId),
      rows.map((r) => r.taskQueue),
      rows.map((r) => r.activityId),
      rows.map((r) => r.activityType),
      rows.map((r) => r.scheduledSeq),
      rows.map((r) => JSON.stringify(r.input)),
      rows.map((r) => r.options ?? null),
      rows.map((r) => r.attempt),
      rows.map((r) => r.visibleAt),
      // Enqueued already leased (dispatched by the engine right after commit): both or neither.
      rows.map((r) => (r.leaseUntil === undefined ? null : (r.leaseOwner ?? null))),
      rows.map((r) => (r.leaseOwner === undefined ? null : (r.leaseUntil ?? null))),
    ],
  );
}

async function deleteTimers(q: Queryable, s: string, keys: readonly TimerKey[]): Promise<void> {
  if (keys.length === 0) return;
  await q.query(
    `DELETE FROM ${s}.timers t USING unnest($1::text[], $2::text[], $3::text[]) AS v(namespace, run_id, timer_id)
     WHERE t.namespace = v.namespace AND t.run_id = v.run_id AND t.timer_id = v.timer_id`,
    [keys.map((x) => x.namespace), keys.map((x) => x.runId), keys.map((x) => x.timerId)],
  );
}

/** Scheduling is an upsert; a rescheduled timer loses any claim on its old fire time. */
async function upsertTimers(q: Queryable, s: string, rows: readonly TimerRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO ${s}.timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[])
     ON CONFLICT (namespace, run_id, timer_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
       fire_at = EXCLUDED.fire_at, kind = EXCLUDED.kind, data = EXCLUDED.data, claim_owner = NULL, claim_until = NULL`,
    [
      rows.map((r) => r.namespace),
      rows.map((r) => r.runId),
      rows.map((r) => r.timerId),
      rows.map((r) => r.workflowId),
      rows.map((r) => r.fireAt),
      rows.map((r) => r.kind),
      rows.map((r) => r.data ?? null),
    ],
  );
}

async function deleteOutbox(
  q: Queryable,
  s: string,
  keys: readonly { namespace: string; id: string }[],
): Promise<void> {
  if (keys.length === 0) return;
  await q.query(
    `DELETE FROM ${s}.outbox o USING unnest($1::text[], $2::text[]) AS v(namespace, id)
     WHERE o.namespace = v.namespace AND o.id = v.id`,
    [keys.map((x) => x.namespace), keys.map((x) => x.id)],
  );
}

async function upsertOutbox(q: Queryable, s: string, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO ${s}.outbox (namespace, id, workflow_id, run_id, kind, version, data, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[])
     ON CONFLICT (namespace, id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
       kind = EXCLUDED.kind, version = EXCLUDED.version, data = EXCLUDED.data, created_at = EXCLUDED.created_at`,
    [
      rows.map((r) => r.namespace),
      rows.map((r) => r.id),
      rows.map((r) => r.workflowId),
      rows.map((r) => r.runId),
      rows.map((r) => r.kind),
      rows.map((r) => r.version ?? null),
      rows.map((r) => r.data),
      rows.map((r) => r.createdAt),
    ],
  );
}
