import type { PgDriver } from './driver.js';

/**
 * Deletes up to `limit` closed runs (oldest close first) and every row they own, in one
 * statement: the data-modifying CTEs all run, and `SKIP LOCKED` keeps concurrent purgers from
 * waiting on each other's batch.
 */
export async function purgeClosedRuns(
  db: PgDriver,
  s: string,
  request: { readonly namespace: string; readonly closedBefore: number; readonly limit: number },
): Promise<number> {
  const own = (table: string, alias: string) =>
    `DELETE FROM ${s}.${table} ${alias} USING victims v WHERE ${alias}.namespace = v.namespace AND ${alias}.run_id = v.run_id`;
  const rows = await db.query(
    `WITH victims AS (
       SELECT namespace, run_id FROM ${s}.runs
       WHERE namespace = $1 AND close_time IS NOT NULL AND close_time < $2
       ORDER BY close_time, run_id LIMIT $3
       FOR UPDATE SKIP LOCKED),
     e AS (${own('events', 'x')}),
     a AS (${own('run_search_attrs', 'x')}),
     t AS (${own('timers', 'x')}),
     k AS (${own('tasks', 'x')}),
     o AS (${own('outbox', 'x')})
     DELETE FROM ${s}.runs r USING victims v WHERE r.namespace = v.namespace AND r.run_id = v.run_id
     RETURNING 1`,
    [request.namespace, request.closedBefore, Math.max(0, request.limit)],
    'purgeClosedRuns',
  );
  return rows.length;
}
