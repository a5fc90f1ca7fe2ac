import type { RunKey } from '../../core/index.js';
import type { NewActivityTask, OutboxRow, RunCommit, TimerRow } from '../contract/index.js';
import { intArray, textArray } from './arrays.js';

/**
 * Net effect of a batch's operations on keyed rows, replayed in commit order. Every write is
 * a replacing upsert, so per key only the last write matters: a final row is upserted, a
 * final removal deleted. A key is therefore either removed or upserted, never both, which is
 * what lets one statement carry both (see fast-commit.ts).
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

export type TimerKey = Pick<TimerRow, 'namespace' | 'runId' | 'timerId'>;
export interface TaskKey {
  readonly namespace: string;
  readonly taskId: string;
}
export interface OutboxKey {
  readonly namespace: string;
  readonly id: string;
}

/** The side-effect rows a batch leaves, per table: keys to delete and rows to upsert. */
export interface NetSideEffects {
  readonly taskRemovals: TaskKey[];
  readonly taskRows: NewActivityTask[];
  readonly timerRemovals: TimerKey[];
  readonly timerRows: TimerRow[];
  readonly outboxRemovals: OutboxKey[];
  readonly outboxRows: OutboxRow[];
}

/**
 * Within one commit: additions first, then removals (as the reference store applies them).
 * Rows are keyed by the committing run's namespace.
 */
export function netSideEffects(commits: readonly RunCommit[]): NetSideEffects {
  const timers = new NetOps<TimerKey, TimerRow>();
  const tasks = new NetOps<TaskKey, NewActivityTask>();
  const outbox = new NetOps<OutboxKey, OutboxRow>();
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
  return {
    taskRemovals: tasks.removals(),
    taskRows: tasks.rows(),
    timerRemovals: timers.removals(),
    timerRows: timers.rows(),
    outboxRemovals: outbox.removals(),
    outboxRows: outbox.rows(),
  };
}

/** One statement (or CTE body) and its parameters, numbered from the `first` it was built with. */
export interface Sql {
  readonly sql: string;
  readonly values: unknown[];
}

export function deleteTasksSql(s: string, keys: readonly TaskKey[], first: number): Sql {
  const [a, b] = [first, first + 1];
  return {
    sql: `DELETE FROM ${s}.tasks t USING unnest($${a}::text[], $${b}::text[]) AS v(namespace, task_id)
     WHERE t.namespace = v.namespace AND t.task_id = v.task_id`,
    values: [textArray(keys.map((x) => x.namespace)), textArray(keys.map((x) => x.taskId))],
  };
}

export function upsertTasksSql(s: string, rows: readonly NewActivityTask[], first: number): Sql {
  const p = (i: number): string => `$${first + i}`;
  return {
    sql: `INSERT INTO ${s}.tasks (namespace, task_id, workflow_id, run_id, task_queue, activity_id, activity_type,
       scheduled_seq, input, options, attempt, visible_at, lease_owner, lease_until, deliveries)
     SELECT *, CASE WHEN lease_owner IS NULL THEN 0 ELSE 1 END
     FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[],
       ${p(7)}::int8[], ${p(8)}::text[], ${p(9)}::text[], ${p(10)}::int4[], ${p(11)}::int8[], ${p(12)}::text[], ${p(13)}::int8[])
       AS v(namespace, task_id, workflow_id, run_id, task_queue, activity_id, activity_type, scheduled_seq, input,
         options, attempt, visible_at, lease_owner, lease_until)
     ON CONFLICT (namespace, task_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
       task_queue = EXCLUDED.task_queue, activity_id = EXCLUDED.activity_id, activity_type = EXCLUDED.activity_type,
       scheduled_seq = EXCLUDED.scheduled_seq, input = EXCLUDED.input, options = EXCLUDED.options,
       attempt = EXCLUDED.attempt, visible_at = EXCLUDED.visible_at, lease_owner = EXCLUDED.lease_owner,
       lease_until = EXCLUDED.lease_until, deliveries = EXCLUDED.deliveries, heartbeat_details = NULL, last_heartbeat_at = NULL, last_failure = NULL`,
    values: [
      textArray(rows.map((r) => r.namespace)),
      textArray(rows.map((r) => r.taskId)),
      textArray(rows.map((r) => r.workflowId)),
      textArray(rows.map((r) => r.runId)),
      textArray(rows.map((r) => r.taskQueue)),
      textArray(rows.map((r) => r.activityId)),
      textArray(rows.map((r) => r.activityType)),
      intArray(rows.map((r) => r.scheduledSeq)),
      textArray(rows.map((r) => JSON.stringify(r.input))),
      textArray(rows.map((r) => r.options ?? null)),
      intArray(rows.map((r) => r.attempt)),
      intArray(rows.map((r) => r.visibleAt)),
      // Enqueued already leased (dispatched by the engine right after commit): both or neither.
      textArray(rows.map((r) => (r.leaseUntil === undefined ? null : (r.leaseOwner ?? null)))),
      intArray(rows.map((r) => (r.leaseOwner === undefined ? null : (r.leaseUntil ?? null)))),
    ],
  };
}

export function deleteTimersSql(s: string, keys: readonly TimerKey[], first: number): Sql {
  const [a, b, c] = [first, first + 1, first + 2];
  return {
    sql: `DELETE FROM ${s}.timers t USING unnest($${a}::text[], $${b}::text[], $${c}::text[]) AS v(namespace, run_id, timer_id)
     WHERE t.namespace = v.namespace AND t.run_id = v.run_id AND t.timer_id = v.timer_id`,
    values: [
      textArray(keys.map((x) => x.namespace)),
      textArray(keys.map((x) => x.runId)),
      textArray(keys.map((x) => x.timerId)),
    ],
  };
}

/** Scheduling is an upsert; a rescheduled timer loses any claim on its old fire time. */
export function upsertTimersSql(s: string, rows: readonly TimerRow[], first: number): Sql {
  const p = (i: number): string => `$${first + i}`;
  return {
    sql: `INSERT INTO ${s}.timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data)
     SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::int8[], ${p(5)}::text[], ${p(6)}::text[])
     ON CONFLICT (namespace, run_id, timer_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
       fire_at = EXCLUDED.fire_at, kind = EXCLUDED.kind, data = EXCLUDED.data, claim_owner = NULL, claim_until = NULL`,
    values: [
      textArray(rows.map((r) => r.namespace)),
      textArray(rows.map((r) => r.runId)),
      textArray(rows.map((r) => r.timerId)),
      textArray(rows.map((r) => r.workflowId)),
      intArray(rows.map((r) => r.fireAt)),
      textArray(rows.map((r) => r.kind)),
      textArray(rows.map((r) => r.data ?? null)),
    ],
  };
}

export function deleteOutboxSql(s: string, keys: readonly OutboxKey[], first: number): Sql {
  const [a, b] = [first, first + 1];
  return {
    sql: `DELETE FROM ${s}.outbox o USING unnest($${a}::text[], $${b}::text[]) AS v(namespace, id)
     WHERE o.namespace = v.namespace AND o.id = v.id`,
    values: [textArray(keys.map((x) => x.namespace)), textArray(keys.map((x) => x.id))],
  };
}

export function upsertOutboxSql(s: string, rows: readonly OutboxRow[], first: number): Sql {
  const p = (i: number): string => `$${first + i}`;
  return {
    sql: `INSERT INTO ${s}.outbox (namespace, id, workflow_id, run_id, kind, version, data, created_at)
     SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[], ${p(7)}::int8[])
     ON CONFLICT (namespace, id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
       kind = EXCLUDED.kind, version = EXCLUDED.version, data = EXCLUDED.data, created_at = EXCLUDED.created_at`,
    values: [
      textArray(rows.map((r) => r.namespace)),
      textArray(rows.map((r) => r.id)),
      textArray(rows.map((r) => r.workflowId)),
      textArray(rows.map((r) => r.runId)),
      textArray(rows.map((r) => r.kind)),
      textArray(rows.map((r) => r.version ?? null)),
      textArray(rows.map((r) => r.data)),
      intArray(rows.map((r) => r.createdAt)),
    ],
  };
}

/** The timers and tasks of runs the batch closed (their outbox rows stay). */
export function closedRunsSql(
  s: string,
  table: 'timers' | 'tasks',
  runs: readonly RunKey[],
  first: number,
): Sql {
  return {
    sql: `DELETE FROM ${s}.${table} t USING unnest($${first}::text[], $${first + 1}::text[]) AS v(namespace, run_id)
       WHERE t.namespace = v.namespace AND t.run_id = v.run_id`,
    values: [textArray(runs.map((r) => r.namespace)), textArray(runs.map((r) => r.runId))],
  };
}
