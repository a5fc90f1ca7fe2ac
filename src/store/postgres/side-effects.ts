import type { RunKey } from '../../core/index.js';
import type { RunCommit } from '../contract/index.js';
import type { Queryable } from './driver.js';
import {
  closedRunsSql,
  deleteOutboxSql,
  deleteTasksSql,
  deleteTimersSql,
  netSideEffects,
  upsertOutboxSql,
  upsertTasksSql,
  upsertTimersSql,
  type Sql,
} from './side-effect-sql.js';

async function run(q: Queryable, stmt: Sql): Promise<void> {
  await q.query(stmt.sql, stmt.values);
}

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
  const net = netSideEffects(commits);
  if (net.taskRemovals.length > 0) await run(q, deleteTasksSql(s, net.taskRemovals, 1));
  if (net.taskRows.length > 0) await run(q, upsertTasksSql(s, net.taskRows, 1));
  if (net.timerRemovals.length > 0) await run(q, deleteTimersSql(s, net.timerRemovals, 1));
  if (net.timerRows.length > 0) await run(q, upsertTimersSql(s, net.timerRows, 1));
  if (net.outboxRemovals.length > 0) await run(q, deleteOutboxSql(s, net.outboxRemovals, 1));
  if (net.outboxRows.length > 0) await run(q, upsertOutboxSql(s, net.outboxRows, 1));
  if (closedRuns.length > 0) {
    await run(q, closedRunsSql(s, 'timers', closedRuns, 1));
    await run(q, closedRunsSql(s, 'tasks', closedRuns, 1));
  }
}
