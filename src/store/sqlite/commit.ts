/**
 * The write path: one run's part of a group commit, applied inside the caller's transaction.
 * Every way a run can be refused (sequence conflict, workflow id already taken, a schedule
 * write's version check) is detected before that run writes anything (its audit entries
 * included), so a refused run needs no savepoint and the other runs of the batch commit
 * unaffected. Any other failure throws and rolls back the whole batch.
 */
import {
  AionError,
  checkHistoryLength,
  encodeEvent,
  invalidArgument,
  SequenceConflictError,
  statusOfTerminal,
  validateAppend,
  WorkflowAlreadyStartedError,
  type HistoryEvent,
  type Limits,
  type RunKey,
  type TerminalEventType,
} from '../../core/index.js';
import type { AuditEntry, CommitOutcome, RunCommit, RunInfo } from '../contract/index.js';
import { changesProjection, closingOnly, projectRun } from '../shared/index.js';
import { validateCommit } from '../shared/index.js';
import { rowToRunInfo, searchAttributeRows } from '../sql/index.js';
import type { ScheduleTables } from './schedules.js';
import { EVENT_CHUNK, type Statements } from './statements.js';

const EVENT_COLUMNS = 6;

/**
 * Collects the event rows of one group commit and inserts them in multi-row statements.
 * Rows are added only after their run passed its checks, and flushed before the transaction
 * commits; nothing in the transaction reads events back in between.
 */
export class EventWriter {
  readonly #s: Statements;
  readonly #chunk: unknown[] = new Array<unknown>(EVENT_CHUNK * EVENT_COLUMNS);
  #rows = 0;

  constructor(s: Statements) {
    this.#s = s;
  }

  add(namespace: string, runId: string, event: HistoryEvent, data: string): void {
    const c = this.#chunk;
    let i = this.#rows * EVENT_COLUMNS;
    c[i++] = namespace;
    c[i++] = runId;
    c[i++] = event.seq;
    c[i++] = event.type;
    c[i++] = event.recordedAt;
    c[i] = data;
    if (++this.#rows === EVENT_CHUNK) {
      this.#s.insertEventChunk.run(c);
      this.#rows = 0;
    }
  }

  /** Inserts the rows of a partial chunk one by one; call before the transaction commits. */
  flush(): void {
    const c = this.#chunk;
    for (let r = 0; r < this.#rows; r++) {
      const i = r * EVENT_COLUMNS;
      this.#s.insertEvent.run(
        c[i] as string,
        c[i + 1] as string,
        c[i + 2] as number,
        c[i + 3] as string,
        c[i + 4] as number,
        c[i + 5] as string,
      );
    }
    this.#rows = 0;
  }

  /** Drops buffered rows (after a failed transaction). */
  reset(): void {
    this.#rows = 0;
  }
}

/**
 * Checks what can be checked without the database (run keys, side-effect row ownership,
 * payload sizes, seq contiguity, WorkflowStarted first, history length) and serialises the
 * events, before the write transaction starts.
 */
export function prepareCommits(commits: readonly RunCommit[], limits: Limits): string[][] {
  const encoded: string[][] = new Array<string[]>(commits.length);
  for (let c = 0; c < commits.length; c++) {
    const commit = commits[c]!;
    validateCommit(commit, limits);
    const { run, expectedSeq, events } = commit;
    if (!Number.isSafeInteger(expectedSeq) || expectedSeq < 0) {
      throw invalidArgument(
        `expectedSeq of the commit to run ${run.runId} must be a non-negative integer, got ${expectedSeq}`,
        {
          field: 'expectedSeq',
          runId: run.runId,
        },
      );
    }
    const data = new Array<string>(events.length);
    if (events.length > 0) {
      validateAppend(run.runId, events, expectedSeq, false);
      checkHistoryLength(expectedSeq + events.length, limits, run.runId);
      for (let i = 0; i < events.length; i++) data[i] = encodeEvent(events[i]!);
    }
    encoded[c] = data;
  }
  return encoded;
}

function conflict(run: RunKey, expected: number, actual: number): CommitOutcome {
  return { ok: false, error: new SequenceConflictError(run.runId, expected, actual) };
}

function writeSearchAttributes(s: Statements, run: RunKey, info: RunInfo, replace: boolean): void {
  if (replace) s.deleteSearchAttrs.run(run.namespace, run.runId);
  for (const row of searchAttributeRows(info.searchAttributes)) {
    s.insertSearchAttr.run(
      run.namespace,
      run.runId,
      row.name,
      row.type,
      row.isToken,
      row.strValue,
      row.numValue,
    );
  }
}

/** JSON text of a search attribute or memo object; most runs start with none. */
function jsonObject(value: object): string {
  for (const _ in value) return JSON.stringify(value);
  return '{}';
}

function insertNewRun(
  s: Statements,
  run: RunKey,
  events: readonly HistoryEvent[],
): CommitOutcome | RunInfo {
  const info = projectRun(run, undefined, events);
  // The partial unique index only covers open rows; a run that starts and closes in one
  // batch must still not coexist with another open run of the same workflow id.
  if (info.closeTime !== undefined) {
    const open = s.selectOpenRunId.get(run.namespace, run.workflowId);
    if (open !== undefined && open !== run.runId) {
      const head = s.selectHead.get(run.namespace, run.runId);
      if (head !== undefined) return conflict(run, 0, head.head_seq);
      return {
        ok: false,
        error: new WorkflowAlreadyStartedError(run.namespace, run.workflowId, open),
      };
    }
  }
  const sa = info.searchAttributes;
  const inserted = s.insertRun.run(
    run.namespace,
    run.runId,
    run.workflowId,
    info.workflowType,
    info.taskQueue,
    info.status,
    info.version,
    info.startTime,
    info.closeTime ?? null,
    info.headSeq,
    info.parent?.workflowId ?? null,
    info.parent?.runId ?? null,
    info.continuedFromRunId ?? null,
    jsonObject(sa),
    jsonObject(info.memo),
    null,
    null,
  );
  if (inserted.changes === 0) {
    const head = s.selectHead.get(run.namespace, run.runId);
    if (head !== undefined) return conflict(run, 0, head.head_seq);
    const open = s.selectOpenRunId.get(run.namespace, run.workflowId);
    return {
      ok: false,
      error: new WorkflowAlreadyStartedError(run.namespace, run.workflowId, open ?? '(unknown)'),
    };
  }
  for (const _ in sa) {
    writeSearchAttributes(s, run, info, false);
    break;
  }
  return info;
}

/** Advances an existing run; returns an outcome when refused, else whether it closed. */
function advanceRun(
  s: Statements,
  run: RunKey,
  expectedSeq: number,
  events: readonly HistoryEvent[],
): CommitOutcome | boolean {
  const newHead = expectedSeq + events.length;
  if (!changesProjection(events)) {
    if (s.updateHead.run(newHead, run.namespace, run.runId, expectedSeq).changes === 1)
      return false;
    const head = s.selectHead.get(run.namespace, run.runId);
    if (head === undefined) return conflict(run, expectedSeq, 0);
    if (head.head_seq !== expectedSeq) return conflict(run, expectedSeq, head.head_seq);
    validateAppend(run.runId, events, head.head_seq, true); // closed: throws invalid_history
    return false;
  }
  // The usual close (a terminal event, nothing else projected) writes the row without
  // reading it; a refused update (a conflict, a closed run) takes the full path to say why.
  const closing = closingOnly(events);
  if (
    closing !== undefined &&
    s.closeRun.run(
      statusOfTerminal(closing.type as TerminalEventType),
      closing.recordedAt,
      newHead,
      run.namespace,
      run.runId,
      expectedSeq,
    ).changes === 1
  )
    return true;
  const row = s.getRun.get(run.namespace, run.runId);
  if (row === undefined) return conflict(run, expectedSeq, 0);
  if (row.head_seq !== expectedSeq) return conflict(run, expectedSeq, row.head_seq);
  if (row.close_time !== null) validateAppend(run.runId, events, row.head_seq, true);
  const prior = rowToRunInfo(row);
  const info = projectRun(run, prior, events);
  s.updateProjection.run(
    info.status,
    info.closeTime ?? null,
    info.headSeq,
    info.searchAttributes === prior.searchAttributes
      ? row.search_attributes
      : JSON.stringify(info.searchAttributes),
    info.memo === prior.memo ? row.memo : JSON.stringify(info.memo),
    info.stuck?.reason ?? null,
    info.stuck?.since ?? null,
    info.version,
    run.namespace,
    run.runId,
  );
  if (info.searchAttributes !== prior.searchAttributes) writeSearchAttributes(s, run, info, true);
  return info.closeTime !== undefined;
}

/** Applies one run commit inside the open transaction. */
export function applyCommit(
  s: Statements,
  writer: EventWriter,
  commit: RunCommit,
  data: readonly string[],
  schedules: ScheduleTables,
  insertAudit: (entries: readonly AuditEntry[]) => void,
): CommitOutcome {
  const { run, expectedSeq, events } = commit;
  const ns = run.namespace;
  const runId = run.runId;
  let closed = false;
  // The schedule's version is checked before the run writes anything; its rows are written
  // only once the run itself was accepted, so the two commit together or not at all.
  if (commit.schedule !== undefined) {
    const refused = schedules.refusal(commit.schedule);
    if (refused) return { ok: false, error: refused };
  }
  if (events.length === 0) {
    const head = s.selectHead.get(ns, runId);
    if (head === undefined) {
      // Invalid input, not a conflict: throwing rolls back the whole call.
      throw new AionError('invalid_history', `commit without events to unknown run ${runId}`, {
        runId,
      });
    }
    if (head.head_seq !== expectedSeq) return conflict(run, expectedSeq, head.head_seq);
    closed = head.close_time !== null; // a closed run keeps no timers or tasks
  } else if (expectedSeq === 0) {
    const result = insertNewRun(s, run, events);
    if ('ok' in result) return result;
    closed = result.closeTime !== undefined;
  } else {
    const result = advanceRun(s, run, expectedSeq, events);
    if (typeof result !== 'boolean') return result;
    closed = result;
  }

  for (let i = 0; i < events.length; i++) writer.add(ns, runId, events[i]!, data[i]!);

  if (commit.schedule !== undefined) schedules.apply(commit.schedule);
  writeSideEffects(s, commit, closed);
  // Only an accepted run writes its audit entries (validated with the batch, before it).
  if (commit.audit !== undefined) insertAudit(commit.audit);
  if (closed) {
    // A closed run has nothing left to wake it: its timers and tasks go with the close.
    s.deleteRunTimers.run(ns, runId);
    s.deleteRunTasks.run(ns, runId);
  }
  return { ok: true, headSeq: expectedSeq + events.length };
}

/**
 * Writes the side-effect rows of one run commit (timers, tasks, outbox, stuck flag). A run
 * that closes loses all its timers and tasks right after (one statement each), so their
 * removals one by one are skipped.
 */
function writeSideEffects(s: Statements, commit: RunCommit, closing: boolean): void {
  const ns = commit.run.namespace;
  const runId = commit.run.runId;
  const { timers, tasks, outbox, visibility } = commit;
  if (timers !== undefined) {
    if (timers.upsert !== undefined) {
      for (const t of timers.upsert) {
        s.upsertTimer.run(
          t.namespace,
          t.runId,
          t.timerId,
          t.workflowId,
          t.fireAt,
          t.kind,
          t.data ?? null,
        );
      }
    }
    if (timers.cancel !== undefined && !closing)
      for (const id of timers.cancel) s.deleteTimer.run(ns, runId, id);
  }
  if (tasks !== undefined) {
    if (tasks.enqueue !== undefined) {
      for (const t of tasks.enqueue) {
        s.upsertTask.run(
          t.namespace,
          t.taskId,
          t.workflowId,
          t.runId,
          t.taskQueue,
          t.activityId,
          t.activityType,
          t.scheduledSeq,
          JSON.stringify(t.input),
          t.options ?? null,
          t.attempt,
          t.visibleAt,
          t.leaseOwner ?? null,
          t.leaseUntil ?? null,
          // Enqueued already leased: the engine delivers it right after the commit.
          t.leaseOwner === undefined ? 0 : 1,
        );
      }
    }
    if (tasks.remove !== undefined && !closing)
      for (const id of tasks.remove) s.deleteTask.run(ns, id);
  }
  if (outbox !== undefined) {
    if (outbox.add !== undefined) {
      for (const o of outbox.add) {
        s.upsertOutbox.run(
          o.namespace,
          o.id,
          o.workflowId,
          o.runId,
          o.kind,
          o.version ?? null,
          o.data,
          o.createdAt,
        );
      }
    }
    if (outbox.remove !== undefined) for (const id of outbox.remove) s.deleteOutbox.run(ns, id);
  }
  if (visibility?.stuck !== undefined) {
    const stuck = visibility.stuck;
    s.setStuck.run(stuck?.reason ?? null, stuck?.since ?? null, ns, runId);
  }
}
