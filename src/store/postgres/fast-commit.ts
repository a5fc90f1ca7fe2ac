import {
  isTerminalEventType,
  statusOfTerminal,
  type RunKey,
  type WorkflowStatus,
} from '../../core/index.js';
import type { AuditEntry, CommitOutcome, RunCommit, RunInfo } from '../contract/index.js';
import { changesProjection, projectRun } from '../shared/index.js';
import { intArray, textArray } from './arrays.js';
import {
  closedRunsSql,
  deleteTasksSql,
  deleteTimersSql,
  netSideEffects,
  upsertTasksSql,
  upsertTimersSql,
  type Sql,
} from './side-effect-sql.js';
import { inboxDoneIds, inboxDoneParams, inboxDoneSql } from './inbox-channels.js';
import { auditInsertSql, auditOf } from './security.js';
import {
  byWorkflowId,
  compare,
  eventColumns,
  insertRunsParams,
  insertRunsSql,
  runKeyOf,
} from './run-writes.js';

/**
 * The single-statement group commit: the common batch (each run once, with its task and timer
 * rows but no outbox rows, no schedule write, no visibility change for runs that exist beyond
 * the head and a close) as one
 * autocommit statement, with no BEGIN/COMMIT and no locking read:
 * - existing runs advance with a conditional `UPDATE … WHERE head_seq = expected AND
 *   close_time IS NULL` (a row-version check; a concurrent writer's commit makes it fail);
 * - new runs are inserted with a plain INSERT (a taken run id or open workflow id raises
 *   unique_violation);
 * - the events of all runs are inserted, and the batch's task and timer rows written;
 * - when the engine holds shard leases, the touched shards' leases are read FOR SHARE and must
 *   all still carry its epochs (the fence, see membership.ts);
 * - the inbox messages the commits carry out are marked done, their senders notified (at
 *   commit, so never for a statement that fails);
 * - the runs' own audit entries and the batch's are inserted.
 * The statement is all or nothing: when any run fails its check, the statement fails (for an
 * existing run, its final SELECT divides by zero), nothing is written, and the caller falls
 * back to the transactional path, which sorts out conflicts per run.
 */
export interface FastCommit {
  readonly text: string;
  readonly values: unknown[];
  /** The outcomes when the statement succeeds. */
  readonly outcomes: CommitOutcome[];
}

/**
 * Group commits of at most this many runs run as a named (prepared) statement. The server
 * then plans the statement once, generically, for the few rows a small batch has: a single
 * run's commit 0.75 ms instead of 1.2 (on loopback, planning cost as much as executing). A
 * bigger batch gets a plan of its own each time — a generic plan, made without the arrays'
 * sizes, halved S1's throughput — which its size amortizes.
 */
export const PREPARED_COMMIT_MAX_RUNS = 4;

/** SQLSTATEs after which the transactional path runs instead (nothing was written). */
export const FAST_COMMIT_REFUSALS: ReadonlySet<string> = new Set([
  '22012', // division_by_zero: a run failed its check (see below)
  '23505', // unique_violation: a run id or open workflow id is taken (or a history row exists)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

interface Existing {
  readonly run: RunKey;
  readonly expectedSeq: number;
  readonly events: RunCommit['events'];
  /** Set when the commit closes the run (its last event is terminal). */
  readonly close?: { readonly status: WorkflowStatus; readonly at: number };
}

/**
 * How an existing run's row changes: `'head'` (head seq only), a close (status and close
 * time; stuck cleared), or undefined when anything else changes (the general path).
 */
function rowChange(events: RunCommit['events']): 'head' | Existing['close'] {
  const last = events[events.length - 1]!;
  if (!isTerminalEventType(last.type)) return changesProjection(events) ? undefined : 'head';
  if (changesProjection(events.slice(0, -1))) return undefined;
  return { status: statusOfTerminal(last.type), at: last.recordedAt };
}

function isEmpty(list: readonly unknown[] | undefined): boolean {
  return list === undefined || list.length === 0;
}

/**
 * The fence of a batch as SQL (see membership.ts): rows per shard still held, parameters
 * numbered from `first`, and how many rows must come back.
 */
export type FenceSql = (
  first: number,
) => { readonly sql: string; readonly values: unknown[]; readonly expected: number } | undefined;

/** Builds the statement, or returns undefined when the batch needs the transactional path. */
export function fastCommit(
  s: string,
  commits: readonly RunCommit[],
  doneChannel: string,
  fence?: FenceSql,
  /** Audit entries written by the same statement (validated). */
  audit?: readonly AuditEntry[],
): FastCommit | undefined {
  const seen = new Set<string>();
  const existing: Existing[] = [];
  const fresh: { run: RunKey; info: RunInfo; events: RunCommit['events'] }[] = [];
  const outcomes = new Array<CommitOutcome>(commits.length);
  for (let i = 0; i < commits.length; i++) {
    const c = commits[i]!;
    const { run, events } = c;
    if (events.length === 0) return undefined;
    if (c.visibility?.stuck !== undefined) return undefined;
    if (c.schedule !== undefined) return undefined; // a locked version check: the general path
    const { outbox } = c;
    if (outbox !== undefined && !(isEmpty(outbox.add) && isEmpty(outbox.remove))) return undefined;
    const key = runKeyOf(run.namespace, run.runId);
    if (seen.has(key)) return undefined; // same-run commits chain: the general path
    seen.add(key);
    if (c.expectedSeq === 0) {
      // Prevalidated: the events begin with WorkflowStarted.
      const info = projectRun(run, undefined, events);
      if (info.closeTime !== undefined) return undefined;
      for (const _ in info.searchAttributes) return undefined; // index rows: general path
      fresh.push({ run, info, events });
    } else {
      const change = rowChange(events);
      if (change === undefined) return undefined;
      if (change === 'head') existing.push({ run, expectedSeq: c.expectedSeq, events });
      else {
        // A closing run keeps no timers or tasks: rows it adds would meet the run-wide delete.
        if (!isEmpty(c.tasks?.enqueue) || !isEmpty(c.timers?.upsert)) return undefined;
        existing.push({ run, expectedSeq: c.expectedSeq, events, close: change });
      }
    }
    outcomes[i] = { ok: true, headSeq: c.expectedSeq + events.length };
  }

  // Rows in the orders of the transactional path (runs by key, new runs by workflow id),
  // so concurrent batches take their row locks in one order.
  existing.sort((a, b) =>
    a.run.namespace === b.run.namespace
      ? compare(a.run.runId, b.run.runId)
      : compare(a.run.namespace, b.run.namespace),
  );
  fresh.sort((a, b) => byWorkflowId(a.run, b.run));

  const ctes: string[] = [];
  const values: unknown[] = [];
  if (fresh.length > 0) {
    // A plain insert: a run id or open workflow id already taken fails the statement (23505).
    ctes.push(`ins AS (${insertRunsSql(s, false)})`);
    values.push(...insertRunsParams(fresh.map((f) => f.info)));
  }
  if (existing.length > 0) advanceCte(s, existing, ctes, values);
  const events = eventColumns([...fresh, ...existing], values.length + 1);
  values.push(...events.params);
  ctes.push(`ev AS (
       INSERT INTO ${s}.events (namespace, run_id, seq, type, recorded_at, data)
       SELECT * FROM ${events.sql})`);
  const closing = existing.filter((e) => e.close !== undefined).map((e) => e.run);
  sideEffectCtes(s, commits, closing, ctes, values);
  const done = inboxDoneIds(commits);
  if (done.length > 0) {
    // Unreferenced, yet run to completion: data-modifying CTEs always are.
    ctes.push(`inbox_done AS (${inboxDoneSql(s, values.length + 1)})`);
    values.push(...inboxDoneParams(done, doneChannel));
  }
  // The statement succeeds only with every run accepted, so the runs' own entries go with it.
  const entries = auditOf(commits, undefined, audit);
  if (entries.length > 0) {
    const insert = auditInsertSql(s, entries, values.length + 1);
    ctes.push(`audit AS (${insert.sql})`);
    values.push(...insert.values);
  }
  const check = finalCheck(ctes, values, existing.length, fence);
  const text = `WITH ${ctes.join(',\n     ')}
     SELECT ${check} AS ok`;
  return { text, values, outcomes };
}

/** Existing runs advance (and close) only from the head seq the commit expects. */
function advanceCte(
  s: string,
  existing: readonly Existing[],
  ctes: string[],
  values: unknown[],
): void {
  const p = values.length;
  // The rows are found by primary key, and by nothing else:
  // - the open-run check is written `(close_time + 0) IS NULL`, not `close_time IS NULL`: the
  //   latter lets the planner read the rows through a partial index of open runs (its
  //   predicate is implied), which holds no run id, so the lookup walks every open run of the
  //   namespace. A generic plan made while those indexes looked tiny kept doing that as they
  //   grew (a single-run commit 4.6 ms with 20,000 runs open, against 0.55 with none);
  // - one run (every commit of a single run) takes its key as plain parameters: the generic
  //   plan of a prepared statement then knows it updates one row, as a custom plan would, and
  //   is kept (with arrays it assumes ten rows, costs more than the custom plans, and the
  //   server plans the statement again on every execution).
  // A close sets status and close time and clears the stuck mark (as projectRun does).
  const set = `head_seq = v.head_seq,
         status = COALESCE(v.status, r.status), close_time = v.close_time,
         stuck_reason = CASE WHEN v.status IS NULL THEN r.stuck_reason END,
         stuck_since = CASE WHEN v.status IS NULL THEN r.stuck_since END`;
  if (existing.length === 1) {
    const e = existing[0]!;
    ctes.push(`upd AS (
       UPDATE ${s}.runs AS r SET ${set}
       FROM (SELECT $${p + 1}::text AS namespace, $${p + 2}::text AS run_id,
         $${p + 3}::int8 AS expected, $${p + 4}::int8 AS head_seq, $${p + 5}::text AS status,
         $${p + 6}::int8 AS close_time) AS v
       WHERE r.namespace = v.namespace AND r.run_id = v.run_id AND r.head_seq = v.expected
         AND (r.close_time + 0) IS NULL
       RETURNING 1)`);
    values.push(
      e.run.namespace,
      e.run.runId,
      e.expectedSeq,
      e.expectedSeq + e.events.length,
      e.close?.status ?? null,
      e.close?.at ?? null,
    );
    return;
  }
  ctes.push(`upd AS (
       UPDATE ${s}.runs AS r SET ${set}
       FROM unnest($${p + 1}::text[], $${p + 2}::text[], $${p + 3}::int8[], $${p + 4}::int8[],
         $${p + 5}::text[], $${p + 6}::int8[])
         AS v(namespace, run_id, expected, head_seq, status, close_time)
       WHERE r.namespace = v.namespace AND r.run_id = v.run_id AND r.head_seq = v.expected
         AND (r.close_time + 0) IS NULL
       RETURNING 1)`);
  values.push(
    textArray(existing.map((e) => e.run.namespace)),
    textArray(existing.map((e) => e.run.runId)),
    intArray(existing.map((e) => e.expectedSeq)),
    intArray(existing.map((e) => e.expectedSeq + e.events.length)),
    textArray(existing.map((e) => e.close?.status ?? null)),
    intArray(existing.map((e) => e.close?.at ?? null)),
  );
}

/**
 * The batch's task and timer rows as CTEs. Every key is either deleted or upserted (net of the
 * batch), so no row is touched twice in the statement. Runs that close lose all their timers
 * and tasks (their own removals are part of that; they add none, see fastCommit).
 */
function sideEffectCtes(
  s: string,
  commits: readonly RunCommit[],
  closing: readonly RunKey[],
  ctes: string[],
  values: unknown[],
): void {
  const closed = new Set(closing.map((r) => runKeyOf(r.namespace, r.runId)));
  const net = netSideEffects(
    closed.size === 0
      ? commits
      : commits.filter((c) => !closed.has(runKeyOf(c.run.namespace, c.run.runId))),
  );
  const add = (name: string, build: (first: number) => Sql): void => {
    const stmt = build(values.length + 1);
    ctes.push(`${name} AS (${stmt.sql})`);
    values.push(...stmt.values);
  };
  if (net.taskRemovals.length > 0) add('task_del', (f) => deleteTasksSql(s, net.taskRemovals, f));
  if (net.taskRows.length > 0) add('task_ins', (f) => upsertTasksSql(s, net.taskRows, f));
  if (net.timerRemovals.length > 0)
    add('timer_del', (f) => deleteTimersSql(s, net.timerRemovals, f));
  if (net.timerRows.length > 0) add('timer_ins', (f) => upsertTimersSql(s, net.timerRows, f));
  if (closing.length > 0) {
    add('closed_timers', (f) => closedRunsSql(s, 'timers', closing, f));
    add('closed_tasks', (f) => closedRunsSql(s, 'tasks', closing, f));
  }
}

/**
 * The statement's final check (adding the fence CTE when the store holds leases): every
 * existing run advanced, and every touched shard's lease still ours at our epoch (locked FOR
 * SHARE, so a takeover waits). Any failed check makes it `1 / 0`, aborting the statement.
 */
function finalCheck(
  ctes: string[],
  values: unknown[],
  existing: number,
  fence: FenceSql | undefined,
): string {
  const checks: string[] = [];
  if (existing > 0) {
    values.push(existing);
    checks.push(`(SELECT count(*) FROM upd) = $${values.length}::int8`);
  }
  const f = fence?.(values.length + 1);
  if (f !== undefined) {
    ctes.push(`fence AS (${f.sql})`);
    values.push(...f.values, f.expected);
    checks.push(`(SELECT count(*) FROM fence) = $${values.length}::int8`);
  }
  return checks.length === 0 ? '1' : `1 / (${checks.join(' AND ')})::int`;
}
