import {
  encodeEvent,
  SequenceConflictError,
  WorkflowAlreadyStartedError,
  type HistoryEvent,
  type RunKey,
  type Mutable,
} from '../../core/index.js';
import type { CommitOutcome, RunCommit, RunInfo } from '../contract/index.js';
import { intArray, textArray } from './arrays.js';
import type { Queryable } from './driver.js';

/** Statements that write runs and events for a group commit (see commit.ts for the flow). */

/** What the batch does to one run, simulated in memory against the locked row. */
export interface RunState {
  readonly run: RunKey;
  /** No row existed when the batch locked its runs: the batch must insert it. */
  readonly isNew: boolean;
  info: Mutable<RunInfo> | undefined;
  head: number;
  dirty: boolean;
  saChanged: boolean;
  memoChanged: boolean;
  /** Indexes of this run's commits that passed the seq check. */
  readonly okCommits: number[];
  /** Index of the commit that started the run in this batch (new runs only). */
  startCommit: number;
  readonly events: HistoryEvent[];
}

export const runKeyOf = (namespace: string, runId: string): string => `${namespace}\u0000${runId}`;

const refsCache = new Map<string, string>();

/** `$from,$from+1,…` for `count` parameters; batches repeat their sizes, so texts are kept. */
function paramRefs(from: number, count: number): string {
  const key = `${from}:${count}`;
  let refs = refsCache.get(key);
  if (refs === undefined) {
    refs = Array.from({ length: count }, (_, i) => `$${from + i}`).join(',');
    if (refsCache.size >= 64) refsCache.clear();
    refsCache.set(key, refs);
  }
  return refs;
}

/**
 * The events of some runs as `unnest` arguments starting at parameter `first`: five array
 * literals for the small columns and `ARRAY[$n, …]` over one parameter per encoded event.
 * Encoded events travel as plain parameters (like a multi-row VALUES insert would send them),
 * so neither side escapes or parses ~100 KB of JSON as an array literal.
 */
export function eventColumns(
  runs: readonly { readonly run: RunKey; readonly events: readonly HistoryEvent[] }[],
  first: number,
): { sql: string; params: unknown[] } {
  const ns: string[] = [];
  const runIds: string[] = [];
  const seqs: number[] = [];
  const types: string[] = [];
  const times: number[] = [];
  const data: string[] = [];
  for (const st of runs) {
    for (const e of st.events) {
      ns.push(st.run.namespace);
      runIds.push(st.run.runId);
      seqs.push(e.seq);
      types.push(e.type);
      times.push(e.recordedAt);
      data.push(encodeEvent(e));
    }
  }
  const refs = paramRefs(first + 5, data.length);
  const p = (i: number): string => `$${first + i}`;
  return {
    sql: `unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::int8[], ${p(3)}::text[], ${p(4)}::int8[], ARRAY[${refs}]::text[])`,
    params: [
      textArray(ns),
      textArray(runIds),
      intArray(seqs),
      textArray(types),
      intArray(times),
      ...data,
    ],
  };
}

/**
 * Updates the visibility rows of locked runs and inserts their events, in one statement.
 * Unchanged search attributes / memo are sent as NULL (kept by COALESCE): memos can be large.
 */
export async function writeExisting(
  q: Queryable,
  s: string,
  runs: readonly RunState[],
): Promise<void> {
  if (runs.length === 0) return;
  const dirty = runs.filter((st) => st.dirty);
  const infos = dirty.map((st) => st.info!);
  const events = eventColumns(runs, 11);
  const rows = await q.query(
    `WITH upd AS (
       UPDATE ${s}.runs AS r SET status = v.status, close_time = v.close_time, head_seq = v.head_seq,
         search_attributes = COALESCE(v.sa, r.search_attributes), memo = COALESCE(v.memo, r.memo),
         stuck_reason = v.stuck_reason, stuck_since = v.stuck_since, version = v.version
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::text[], $7::text[], $8::text[],
         $9::int8[], $10::text[]) AS v(namespace, run_id, status, close_time, head_seq, sa, memo, stuck_reason, stuck_since, version)
       WHERE r.namespace = v.namespace AND r.run_id = v.run_id
       RETURNING 1),
     ev AS (
       INSERT INTO ${s}.events (namespace, run_id, seq, type, recorded_at, data)
       SELECT * FROM ${events.sql})
     SELECT count(*)::int AS updated FROM upd`,
    [
      textArray(infos.map((i) => i.namespace)),
      textArray(infos.map((i) => i.runId)),
      textArray(infos.map((i) => i.status)),
      intArray(infos.map((i) => i.closeTime ?? null)),
      intArray(infos.map((i) => i.headSeq)),
      textArray(
        dirty.map((st) => (st.saChanged ? JSON.stringify(st.info!.searchAttributes) : null)),
      ),
      textArray(dirty.map((st) => (st.memoChanged ? JSON.stringify(st.info!.memo) : null))),
      textArray(infos.map((i) => i.stuck?.reason ?? null)),
      intArray(infos.map((i) => i.stuck?.since ?? null)),
      textArray(infos.map((i) => i.version)),
      ...events.params,
    ],
  );
  const updated = rows[0]?.updated as number;
  if (updated !== dirty.length)
    throw new Error(`group commit updated ${updated} of ${dirty.length} locked runs`);
}

/**
 * Inserts the batch's new runs and, in the same statement, the events of those whose insert
 * won; returns the runs that lost (same run id, or another open run of the workflow id).
 * Rows go in (namespace, workflowId) order so two batches starting overlapping workflow ids
 * wait on each other in one order.
 */
export async function writeNew(
  q: Queryable,
  s: string,
  runs: readonly RunState[],
): Promise<RunState[]> {
  const sorted = [...runs].sort((a, b) => byWorkflowId(a.run, b.run));
  const events = eventColumns(sorted, 18);
  const rows = await q.query(
    `WITH ins AS (${insertRunsSql(s)}),
     ev AS (
       INSERT INTO ${s}.events (namespace, run_id, seq, type, recorded_at, data)
       SELECT e.namespace, e.run_id, e.seq, e.type, e.recorded_at, e.data
       FROM ${events.sql} AS e(namespace, run_id, seq, type, recorded_at, data)
       JOIN ins ON ins.namespace = e.namespace AND ins.run_id = e.run_id)
     SELECT namespace, run_id FROM ins`,
    [...insertRunsParams(sorted.map((st) => st.info!)), ...events.params],
  );
  if (rows.length === sorted.length) return [];
  const inserted = new Set(rows.map((r) => runKeyOf(r.namespace as string, r.run_id as string)));
  return sorted.filter((st) => !inserted.has(runKeyOf(st.run.namespace, st.run.runId)));
}

/**
 * Inserts new runs from parameters $1–$17 (see {@link insertRunsParams}) in input order,
 * skipping rows that hit a unique index (with `skipConflicts`; else a conflict fails the
 * statement); returns the inserted keys.
 */
export function insertRunsSql(s: string, skipConflicts = true): string {
  return `INSERT INTO ${s}.runs (namespace, run_id, workflow_id, workflow_type, task_queue, status, version, start_time,
         close_time, head_seq, parent_workflow_id, parent_run_id, continued_from_run_id, search_attributes, memo,
         stuck_reason, stuck_since)
       SELECT namespace, run_id, workflow_id, workflow_type, task_queue, status, version, start_time, close_time,
         head_seq, parent_workflow_id, parent_run_id, continued_from_run_id, search_attributes, memo, stuck_reason,
         stuck_since
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[],
         $9::int8[], $10::int8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
         $17::int8[])
         WITH ORDINALITY AS v(namespace, run_id, workflow_id, workflow_type, task_queue, status, version, start_time,
         close_time, head_seq, parent_workflow_id, parent_run_id, continued_from_run_id, search_attributes, memo,
         stuck_reason, stuck_since, ord)
       ORDER BY ord${skipConflicts ? '\n       ON CONFLICT DO NOTHING' : ''}
       RETURNING namespace, run_id`;
}

/** JSON text of a search attribute or memo object; most runs have none. */
function jsonObject(value: object): string {
  for (const _ in value) return JSON.stringify(value);
  return '{}';
}

/** The 17 parameters of {@link insertRunsSql}. */
export function insertRunsParams(infos: readonly RunInfo[]): string[] {
  return [
    textArray(infos.map((i) => i.namespace)),
    textArray(infos.map((i) => i.runId)),
    textArray(infos.map((i) => i.workflowId)),
    textArray(infos.map((i) => i.workflowType)),
    textArray(infos.map((i) => i.taskQueue)),
    textArray(infos.map((i) => i.status)),
    textArray(infos.map((i) => i.version)),
    intArray(infos.map((i) => i.startTime)),
    intArray(infos.map((i) => i.closeTime ?? null)),
    intArray(infos.map((i) => i.headSeq)),
    textArray(infos.map((i) => i.parent?.workflowId ?? null)),
    textArray(infos.map((i) => i.parent?.runId ?? null)),
    textArray(infos.map((i) => i.continuedFromRunId ?? null)),
    textArray(infos.map((i) => jsonObject(i.searchAttributes))),
    textArray(infos.map((i) => jsonObject(i.memo))),
    textArray(infos.map((i) => i.stuck?.reason ?? null)),
    intArray(infos.map((i) => i.stuck?.since ?? null)),
  ];
}

/** Orders runs by (namespace, workflow id): concurrent starts of one id wait in one order. */
export function byWorkflowId(a: RunKey, b: RunKey): number {
  return a.namespace === b.namespace
    ? compare(a.workflowId, b.workflowId)
    : compare(a.namespace, b.namespace);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A new run lost its insert: either the run id now exists (a concurrent first append won —
 * sequence conflict at 0) or another run of the workflow id is open (already started). Every
 * commit of the run from its start on fails and writes nothing. Returns the losers whose
 * rival has closed in the meantime (when `retry`), to be inserted again.
 */
export async function reportLosers(
  q: Queryable,
  s: string,
  losers: readonly RunState[],
  commits: readonly RunCommit[],
  outcomes: CommitOutcome[],
  retry: boolean,
): Promise<RunState[]> {
  const existing = await q.query(
    `SELECT r.namespace, r.run_id, r.head_seq FROM ${s}.runs r
     JOIN unnest($1::text[], $2::text[]) AS k(namespace, run_id) ON r.namespace = k.namespace AND r.run_id = k.run_id`,
    [losers.map((st) => st.run.namespace), losers.map((st) => st.run.runId)],
  );
  const heads = new Map(
    existing.map((r) => [
      runKeyOf(r.namespace as string, r.run_id as string),
      r.head_seq as number,
    ]),
  );
  const open = await q.query(
    `SELECT r.namespace, r.workflow_id, r.run_id FROM ${s}.runs r
     JOIN unnest($1::text[], $2::text[]) AS k(namespace, workflow_id)
       ON r.namespace = k.namespace AND r.workflow_id = k.workflow_id
     WHERE r.close_time IS NULL`,
    [losers.map((st) => st.run.namespace), losers.map((st) => st.run.workflowId)],
  );
  const openRuns = new Map(
    open.map((r) => [runKeyOf(r.namespace as string, r.workflow_id as string), r.run_id as string]),
  );
  const again: RunState[] = [];
  for (const st of losers) {
    const head = heads.get(runKeyOf(st.run.namespace, st.run.runId));
    const holder = openRuns.get(runKeyOf(st.run.namespace, st.run.workflowId));
    if (head === undefined && holder === undefined && retry) {
      again.push(st);
      continue;
    }
    for (const index of st.okCommits) {
      if (index < st.startCommit) continue; // side-effect-only commits before the start stand
      const c = commits[index]!;
      const error =
        index === st.startCommit && head === undefined
          ? new WorkflowAlreadyStartedError(
              st.run.namespace,
              st.run.workflowId,
              holder ?? 'unknown',
            )
          : new SequenceConflictError(c.run.runId, c.expectedSeq, head ?? 0);
      outcomes[index] = { ok: false, error };
    }
    st.okCommits.splice(0, st.okCommits.length, ...st.okCommits.filter((i) => i < st.startCommit));
    st.events.length = 0;
    st.info = undefined;
    st.saChanged = false;
  }
  return again;
}
