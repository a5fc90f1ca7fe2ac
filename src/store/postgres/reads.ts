import { decodeEvent, invalidArgument, type HistoryEvent, type RunKey } from '../../core/index.js';
import type { ReadRange, RunInfo } from '../contract/index.js';
import type { PgDriver } from './driver.js';
import { shardFilter } from './shard-filter.js';
import { runColumns, toRunInfo } from './rows.js';

function optionalCount(value: number | undefined, field: string): number | null {
  if (value === undefined) return null;
  if (!Number.isSafeInteger(value))
    throw invalidArgument(`${field} must be an integer, got ${value}`, { field });
  return Math.max(0, value);
}

/** A real range scan on the events primary key (namespace, run_id, seq). */
export async function readHistory(
  db: PgDriver,
  s: string,
  run: RunKey,
  range: ReadRange = {},
): Promise<HistoryEvent[]> {
  const from = optionalCount(range.fromSeq, 'fromSeq') ?? 1;
  const to = optionalCount(range.toSeq, 'toSeq');
  const limit = optionalCount(range.limit, 'limit');
  const rows = await db.query(
    `SELECT seq, data FROM ${s}.events
     WHERE namespace = $1 AND run_id = $2 AND seq >= $3 AND ($4::int8 IS NULL OR seq <= $4)
     ORDER BY seq LIMIT $5`,
    [run.namespace, run.runId, from, to, limit],
    'readHistory',
  );
  return rows.map((r) => decodeEvent(r.data as string, { runId: run.runId, seq: r.seq as number }));
}

export async function headSeq(db: PgDriver, s: string, run: RunKey): Promise<number> {
  const rows = await db.query(
    `SELECT head_seq FROM ${s}.runs WHERE namespace = $1 AND run_id = $2`,
    [run.namespace, run.runId],
    'headSeq',
  );
  return (rows[0]?.head_seq as number | undefined) ?? 0;
}

export async function getRun(db: PgDriver, s: string, run: RunKey): Promise<RunInfo | undefined> {
  const rows = await db.query(
    `SELECT ${runColumns()} FROM ${s}.runs WHERE namespace = $1 AND run_id = $2 AND workflow_id = $3`,
    [run.namespace, run.runId, run.workflowId],
    'getRun',
  );
  return rows[0] === undefined ? undefined : toRunInfo(rows[0]);
}

export async function getCurrentRun(
  db: PgDriver,
  s: string,
  namespace: string,
  workflowId: string,
): Promise<RunInfo | undefined> {
  const rows = await db.query(
    `SELECT ${runColumns()} FROM ${s}.runs WHERE namespace = $1 AND workflow_id = $2
     ORDER BY (close_time IS NULL) DESC, row_id DESC LIMIT 1`,
    [namespace, workflowId],
    'getCurrentRun',
  );
  return rows[0] === undefined ? undefined : toRunInfo(rows[0]);
}

export async function getRunChain(
  db: PgDriver,
  s: string,
  namespace: string,
  workflowId: string,
): Promise<RunInfo[]> {
  const rows = await db.query(
    `SELECT ${runColumns()} FROM ${s}.runs WHERE namespace = $1 AND workflow_id = $2 ORDER BY row_id`,
    [namespace, workflowId],
    'getRunChain',
  );
  return rows.map(toRunInfo);
}

export async function listOpenRuns(
  db: PgDriver,
  s: string,
  request: {
    readonly after?: { readonly namespace: string; readonly runId: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  },
): Promise<RunInfo[]> {
  const after = request.after;
  const values: unknown[] = [after?.namespace ?? null, after?.runId ?? null];
  values.push(Math.max(0, request.limit));
  const rows = await db.query(
    `SELECT ${runColumns()} FROM ${s}.runs
     WHERE close_time IS NULL${shardFilter(request.shards, values)}
       AND ($1::text IS NULL OR (namespace COLLATE "C", run_id COLLATE "C") > ($1::text COLLATE "C", $2::text COLLATE "C"))
     ORDER BY namespace COLLATE "C", run_id COLLATE "C" LIMIT $3`,
    values,
    'listOpenRuns',
  );
  return rows.map(toRunInfo);
}
