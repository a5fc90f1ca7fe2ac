import type { RunKey } from '../../core/index.js';
import type { ClaimedTimer, TimerRow } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import type { PgDriver } from './driver.js';
import { shardFilter } from './shard-filter.js';
import { toClaimedTimer, toTimer } from './rows.js';

/**
 * Claims due timers in one statement: `FOR UPDATE SKIP LOCKED` lets concurrent claimers (other
 * nodes, other pools) pass over rows being claimed instead of waiting, and a row whose claim
 * was committed meanwhile is re-checked against the WHERE clause, so no timer is handed out
 * twice under a live claim.
 */
export async function claimDueTimers(
  db: PgDriver,
  s: string,
  request: {
    readonly owner: string;
    readonly now: number;
    readonly leaseMs: number;
    readonly limit: number;
    readonly shards?: readonly number[];
  },
): Promise<ClaimedTimer[]> {
  const claimUntil = request.now + request.leaseMs;
  const values: unknown[] = [request.now, Math.max(0, request.limit), request.owner, claimUntil];
  const rows = await db.query(
    `WITH due AS (
       SELECT namespace, run_id, timer_id FROM ${s}.timers
       WHERE fire_at <= $1 AND (claim_until IS NULL OR claim_until <= $1)${shardFilter(request.shards, values)}
       ORDER BY fire_at, namespace COLLATE "C", run_id COLLATE "C", timer_id COLLATE "C"
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE ${s}.timers t SET claim_owner = $3, claim_until = $4
     FROM due WHERE t.namespace = due.namespace AND t.run_id = due.run_id AND t.timer_id = due.timer_id
     RETURNING t.*`,
    values,
    'claimDueTimers',
  );
  return rows
    .map(toClaimedTimer)
    .sort(
      (a, b) =>
        a.fireAt - b.fireAt ||
        compareStrings(a.namespace, b.namespace) ||
        compareStrings(a.runId, b.runId) ||
        compareStrings(a.timerId, b.timerId),
    );
}

export async function deleteTimer(
  db: PgDriver,
  s: string,
  namespace: string,
  runId: string,
  timerId: string,
): Promise<void> {
  await db.query(
    `DELETE FROM ${s}.timers WHERE namespace = $1 AND run_id = $2 AND timer_id = $3`,
    [namespace, runId, timerId],
    'deleteTimer',
  );
}

export async function listTimers(db: PgDriver, s: string, run: RunKey): Promise<TimerRow[]> {
  const rows = await db.query(
    `SELECT * FROM ${s}.timers WHERE namespace = $1 AND run_id = $2 ORDER BY fire_at, timer_id COLLATE "C"`,
    [run.namespace, run.runId],
    'listTimers',
  );
  return rows.map(toTimer);
}

export async function nextTimerAt(
  db: PgDriver,
  s: string,
  shards?: readonly number[],
): Promise<number | undefined> {
  // A claimed timer becomes claimable again when its claim expires.
  const values: unknown[] = [];
  const filter = shardFilter(shards, values);
  const rows = await db.query(
    `SELECT MIN(GREATEST(fire_at, COALESCE(claim_until, 0))) AS at FROM ${s}.timers${filter === '' ? '' : ` WHERE TRUE${filter}`}`,
    values,
    'nextTimerAt',
  );
  return (rows[0]?.at as number | null | undefined) ?? undefined;
}
