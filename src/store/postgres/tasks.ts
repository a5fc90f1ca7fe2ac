import type { RunKey } from '../../core/index.js';
import type {
  ActivityTask,
  ClaimTasksRequest,
  ExtendTaskLeaseRequest,
  RetryTaskRequest,
  TaskQueueStats,
} from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { textArray } from './arrays.js';
import type { PgDriver } from './driver.js';
import { toTask } from './rows.js';

/**
 * Claims visible tasks of one queue with a lease, in one statement (`FOR UPDATE SKIP LOCKED`:
 * parallel claimers never get the same task and never wait on each other). An expired lease
 * (`lease_until <= now`) makes a task claimable again as its next attempt; every claim counts
 * a delivery.
 */
export async function claimTasks(
  db: PgDriver,
  s: string,
  request: ClaimTasksRequest,
): Promise<ActivityTask[]> {
  const rows = await db.query(
    `WITH c AS (
       SELECT namespace, task_id FROM ${s}.tasks
       WHERE namespace = $1 AND task_queue = $2 AND visible_at <= $3
         AND (lease_until IS NULL OR lease_until <= $3)
         AND ($4::text[] IS NULL OR activity_type = ANY($4::text[]))
       ORDER BY visible_at, task_id COLLATE "C"
       LIMIT $5
       FOR UPDATE SKIP LOCKED)
     UPDATE ${s}.tasks t SET lease_owner = $6, lease_until = $7, deliveries = t.deliveries + 1,
       -- a lease that expired without retryTask lost its attempt: this claim is the next one
       attempt = CASE WHEN t.lease_owner IS NULL THEN t.attempt ELSE t.attempt + 1 END
     FROM c WHERE t.namespace = c.namespace AND t.task_id = c.task_id
     RETURNING t.*`,
    [
      request.namespace,
      request.taskQueue,
      request.now,
      request.activityTypes ?? null,
      Math.max(0, request.limit),
      request.owner,
      request.now + request.leaseMs,
    ],
    'claimTasks',
  );
  return rows
    .map(toTask)
    .sort((a, b) => a.visibleAt - b.visibleAt || compareStrings(a.taskId, b.taskId));
}

/** Heartbeat: only the current holder (even past expiry, until someone else claims) extends. */
export async function extendTaskLease(
  db: PgDriver,
  s: string,
  request: ExtendTaskLeaseRequest,
): Promise<boolean> {
  const { rowCount } = await db.exec(
    `UPDATE ${s}.tasks SET lease_until = $4, last_heartbeat_at = $5,
       heartbeat_details = COALESCE($6, heartbeat_details)
     WHERE namespace = $1 AND task_id = $2 AND lease_owner = $3
       AND attempt = COALESCE($7::int4, attempt)`,
    [
      request.namespace,
      request.taskId,
      request.owner,
      request.leaseUntil,
      request.now,
      request.heartbeatDetails === undefined ? null : JSON.stringify(request.heartbeatDetails),
      request.attempt ?? null,
    ],
    'extendTaskLease',
  );
  return rowCount > 0;
}

export async function retryTask(
  db: PgDriver,
  s: string,
  request: RetryTaskRequest,
): Promise<boolean> {
  const { rowCount } = await db.exec(
    `UPDATE ${s}.tasks SET lease_owner = NULL, lease_until = NULL, attempt = $4, visible_at = $5,
       last_failure = COALESCE($6, last_failure)
     WHERE namespace = $1 AND task_id = $2 AND lease_owner = $3`,
    [
      request.namespace,
      request.taskId,
      request.owner,
      request.attempt,
      request.visibleAt,
      request.lastFailure === undefined ? null : JSON.stringify(request.lastFailure),
    ],
    'retryTask',
  );
  return rowCount > 0;
}

export async function getTask(
  db: PgDriver,
  s: string,
  namespace: string,
  taskId: string,
): Promise<ActivityTask | undefined> {
  const rows = await db.query(
    `SELECT * FROM ${s}.tasks WHERE namespace = $1 AND task_id = $2`,
    [namespace, taskId],
    'getTask',
  );
  return rows[0] === undefined ? undefined : toTask(rows[0]);
}

export async function listTasks(db: PgDriver, s: string, run: RunKey): Promise<ActivityTask[]> {
  const rows = await db.query(
    `SELECT * FROM ${s}.tasks WHERE namespace = $1 AND run_id = $2 ORDER BY scheduled_seq, task_id COLLATE "C"`,
    [run.namespace, run.runId],
    'listTasks',
  );
  return rows.map(toTask);
}

/** Earliest moment a task of the queue may become claimable: its visibleAt or its lease expiry. */
export async function nextTaskAt(
  db: PgDriver,
  s: string,
  namespace: string,
  taskQueue: string,
): Promise<number | undefined> {
  const rows = await db.query(
    `SELECT MIN(GREATEST(visible_at, COALESCE(lease_until, 0))) AS at FROM ${s}.tasks
     WHERE namespace = $1 AND task_queue = $2`,
    [namespace, taskQueue],
    'nextTaskAt',
  );
  return (rows[0]?.at as number | null | undefined) ?? undefined;
}

/** Per-queue task counts as of `now` (see TaskStore.taskQueueStats). */
export async function taskQueueStats(
  db: PgDriver,
  s: string,
  namespace: string,
  now: number,
): Promise<TaskQueueStats[]> {
  const rows = await db.query(
    `SELECT task_queue,
            COUNT(*) FILTER (WHERE NOT r AND NOT v)::int AS backlog,
            COUNT(*) FILTER (WHERE r)::int AS running,
            COUNT(*) FILTER (WHERE NOT r AND v)::int AS scheduled
       FROM (SELECT task_queue, COALESCE(lease_until > $2, false) AS r, visible_at > $2 AS v
               FROM ${s}.tasks WHERE namespace = $1) t
      GROUP BY task_queue ORDER BY task_queue COLLATE "C"`,
    [namespace, now],
    'taskQueueStats',
  );
  return rows.map((r) => ({
    taskQueue: r.task_queue as string,
    backlog: r.backlog as number,
    running: r.running as number,
    scheduled: r.scheduled as number,
  }));
}

/**
 * Expires, as of `now`, the task leases and timer claims of every owner but `exceptOwner`
 * (owners known dead) — or, with `owners`, of those owners only. Task leases keep their owner
 * so the next claim counts a new attempt.
 */
export async function expireLeases(
  db: PgDriver,
  s: string,
  request: {
    readonly exceptOwner: string;
    readonly now: number;
    readonly owners?: readonly string[];
  },
): Promise<{ readonly tasks: number; readonly timers: number }> {
  const named = request.owners !== undefined;
  const whose = (column: string): string =>
    named ? `${column} = ANY($1::text[])` : `${column} IS NOT NULL AND ${column} <> $1`;
  const values = [named ? textArray(request.owners) : request.exceptOwner, request.now];
  return db.tx('expireLeases', async (q) => {
    const tasks = await q.exec(
      `UPDATE ${s}.tasks SET lease_until = $2 WHERE ${whose('lease_owner')} AND lease_until > $2`,
      values,
    );
    const timers = await q.exec(
      `UPDATE ${s}.timers SET claim_until = $2 WHERE ${whose('claim_owner')} AND claim_until > $2`,
      values,
    );
    return { tasks: tasks.rowCount, timers: timers.rowCount };
  });
}
