import {
  AionError,
  checkHistoryLength,
  invalidArgument,
  SequenceConflictError,
  validateAppend,
  type Limits,
  type RunKey,
} from '../../core/index.js';
import type { AuditEntry, CommitOutcome, RunCommit, RunInfo } from '../contract/index.js';
import { projectRun } from '../shared/index.js';
import { validateCommit } from '../shared/index.js';
import { textArray } from './arrays.js';
import type { Queryable } from './driver.js';
import { inboxDoneIds, inboxDoneParams, inboxDoneSql } from './inbox-channels.js';
import { runColumns, toRunInfo } from './rows.js';
import { applyScheduleWrite, ScheduleVersions } from './schedules.js';
import { reportLosers, runKeyOf, writeExisting, writeNew, type RunState } from './run-writes.js';
import { rewriteSearchAttrs } from './search-attrs.js';
import { auditInsertSql, auditOf } from './security.js';
import { writeSideEffects } from './side-effects.js';

/**
 * Pure checks that need no database: run keys, side-effect row ownership, payload sizes, seqs,
 * contiguity, limits. Throws on bad input.
 */
export function prevalidate(commits: readonly RunCommit[], limits: Limits): void {
  for (const c of commits) {
    validateCommit(c, limits);
    if (!Number.isSafeInteger(c.expectedSeq) || c.expectedSeq < 0) {
      throw invalidArgument(`expectedSeq must be a non-negative integer, got ${c.expectedSeq}`, {
        field: 'expectedSeq',
      });
    }
    if (c.events.length > 0) {
      validateAppend(c.run.runId, c.events, c.expectedSeq, false);
      checkHistoryLength(c.expectedSeq + c.events.length, limits, c.run.runId);
    }
  }
  inboxDoneIds(commits);
}

/**
 * Group commit: all runs of the batch in the caller's transaction, in few round trips:
 * 1. lock the rows of the batch's existing runs (key order, so concurrent batches cannot
 *    deadlock on them) — skipped for runs the batch starts (first commit at seq 0), whose
 *    insert is arbitrated by the unique indexes instead;
 * 2. one statement updates the existing runs and inserts their events;
 * 3. one statement inserts the new runs and the events of those whose insert won;
 * 4. search-attribute index rows and side-effect rows, only when there are any;
 * 5. the schedule writes of the runs that committed (locked and version-checked before step 2);
 * 6. the inbox messages those runs carry out, marked done (`doneChannel` notified at commit);
 * 7. the audit entries of those runs, then the batch's `audit` (validated), in one statement.
 * Conflicting runs write nothing and are reported in their outcome.
 */
export async function commitBatch(
  q: Queryable,
  s: string,
  commits: readonly RunCommit[],
  doneChannel: string,
  audit?: readonly AuditEntry[],
): Promise<CommitOutcome[]> {
  const states = await lockRuns(q, s, commits);
  const scheduleWrites = commits.flatMap((c) => (c.schedule === undefined ? [] : [c.schedule]));
  const versions = await ScheduleVersions.lock(q, s, scheduleWrites);
  const outcomes = simulate(commits, states, versions);

  const all = [...states.values()];
  // Updates first: a batch may close a run and start its successor under the same workflow id.
  await writeExisting(
    q,
    s,
    all.filter((st) => !st.isNew && st.okCommits.length > 0),
  );
  let pending = all.filter((st) => st.isNew && st.info !== undefined);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const losers = await writeNew(q, s, pending);
    // A start that lost to a run which closed before we looked gets another try.
    pending =
      losers.length > 0 ? await reportLosers(q, s, losers, commits, outcomes, attempt < 3) : [];
  }

  const winners = all.filter((st) => st.okCommits.length > 0);
  await rewriteSearchAttrs(
    q,
    s,
    winners
      .filter((st) => st.saChanged && st.info !== undefined)
      .map((st) => ({ ...st.run, searchAttributes: st.info!.searchAttributes, isNew: st.isNew })),
  );
  const okCommits = commits.filter((_, i) => outcomes[i]!.ok);
  // Closed runs keep no timers or tasks, also when a late commit to a closed run adds some.
  const closedRuns = winners.filter((st) => st.info?.closeTime !== undefined).map((st) => st.run);
  await writeSideEffects(q, s, okCommits, closedRuns);
  // Only now are the outcomes final (a start can still lose its workflow id above).
  for (const c of okCommits)
    if (c.schedule !== undefined) await applyScheduleWrite(q, s, c.schedule);
  const done = inboxDoneIds(okCommits);
  if (done.length > 0) await q.query(inboxDoneSql(s, 1), inboxDoneParams(done, doneChannel));
  const entries = auditOf(commits, outcomes, audit);
  if (entries.length > 0) {
    const insert = auditInsertSql(s, entries, 1);
    await q.query(insert.sql, insert.values);
  }
  return outcomes;
}

async function lockRuns(
  q: Queryable,
  s: string,
  commits: readonly RunCommit[],
): Promise<Map<string, RunState>> {
  const keys = new Map<string, { run: RunKey; fresh: boolean }>();
  for (const c of commits) {
    const key = runKeyOf(c.run.namespace, c.run.runId);
    // Prevalidated: events at expected seq 0 begin with WorkflowStarted.
    if (!keys.has(key))
      keys.set(key, { run: c.run, fresh: c.expectedSeq === 0 && c.events.length > 0 });
  }
  const toLock = [...keys.values()].filter((k) => !k.fresh).map((k) => k.run);
  const found = new Map<string, RunInfo>();
  if (toLock.length > 0) {
    const rows = await q.query(
      `SELECT ${runColumns('r')} FROM ${s}.runs r
       JOIN unnest($1::text[], $2::text[]) AS k(namespace, run_id) ON r.namespace = k.namespace AND r.run_id = k.run_id
       ORDER BY r.namespace, r.run_id FOR UPDATE OF r`,
      [textArray(toLock.map((k) => k.namespace)), textArray(toLock.map((k) => k.runId))],
    );
    for (const row of rows) {
      const info = toRunInfo(row);
      found.set(runKeyOf(info.namespace, info.runId), info);
    }
  }
  const states = new Map<string, RunState>();
  for (const [key, { run }] of keys) {
    const info = found.get(key);
    states.set(key, {
      run: info
        ? { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId }
        : run,
      isNew: info === undefined,
      info: info ? { ...info } : undefined,
      head: info?.headSeq ?? 0,
      dirty: false,
      saChanged: false,
      memoChanged: false,
      okCommits: [],
      startCommit: -1,
      events: [],
    });
  }
  return states;
}

/** Applies the commits in input order to the in-memory states; same-run commits chain. */
function simulate(
  commits: readonly RunCommit[],
  states: Map<string, RunState>,
  versions: ScheduleVersions,
): CommitOutcome[] {
  return commits.map((c, index): CommitOutcome => {
    const st = states.get(runKeyOf(c.run.namespace, c.run.runId))!;
    if (c.expectedSeq !== st.head) {
      return { ok: false, error: new SequenceConflictError(c.run.runId, c.expectedSeq, st.head) };
    }
    if (c.events.length === 0 && st.info === undefined) {
      throw new AionError(
        'invalid_history',
        `commit without events to unknown run ${c.run.runId}`,
        {
          runId: c.run.runId,
        },
      );
    }
    if (c.schedule !== undefined) {
      // Checked before the run changes anything: a refused schedule write refuses its run.
      const refused = versions.refusal(c.schedule);
      if (refused) return { ok: false, error: refused };
      versions.accept(c.schedule);
    }
    if (c.events.length > 0) {
      if (st.info === undefined) st.startCommit = index;
      // Seqs were checked up front; only the closed state needs the row.
      if (st.info?.closeTime !== undefined) validateAppend(c.run.runId, c.events, st.head, true);
      st.info = projectRun(st.info ? st.run : c.run, st.info, c.events);
      st.head = st.info.headSeq;
      st.dirty = true;
      for (const e of c.events) {
        st.events.push(e);
        if (e.type === 'SearchAttributesUpserted') st.saChanged = true;
        if (e.type === 'MemoUpserted') st.memoChanged = true;
        if (e.type === 'WorkflowStarted') {
          st.saChanged = Object.keys(st.info.searchAttributes).length > 0;
          st.memoChanged = true;
        }
      }
    }
    const stuck = c.visibility?.stuck;
    if (stuck !== undefined && st.info !== undefined && st.info.closeTime === undefined) {
      if (stuck === null) delete st.info.stuck;
      else st.info.stuck = { reason: stuck.reason, since: stuck.since };
      st.dirty = true;
    }
    st.okCommits.push(index);
    return { ok: true, headSeq: st.head };
  });
}
