/**
 * Input checks every adapter runs on a commit call before it writes anything: run keys,
 * side-effect rows that belong to the commit's run, and payload sizes inside the events.
 *
 * The hot path (valid input) allocates nothing: payloads whose length proves them within
 * the limit are not measured, and error messages are only built when a check fails.
 */
import {
  AionError,
  checkPayloadSize,
  invalidArgument,
  isAionError,
  payloadSize,
  validateRunKey,
  type Failure,
  type HistoryEvent,
  type Limits,
  type Payload,
} from '../../core/index.js';
import type { RunCommit } from '../contract/index.js';
import { validateAuditEntry } from './security.js';

/** Deeper cause chains than this are refused (a cyclic chain would never end). */
const MAX_FAILURE_DEPTH = 256;

/**
 * Validates every commit of a call; throws `invalid_argument` or `payload_too_large` on the
 * first bad one, so a batch with one invalid commit writes nothing.
 */
export function validateCommitInput(commits: readonly RunCommit[], limits: Limits): void {
  for (let i = 0; i < commits.length; i++) validateCommit(commits[i]!, limits);
}

/**
 * Validates one commit: its run key, its side-effect rows, its audit entries and the payloads
 * of its events.
 */
export function validateCommit(commit: RunCommit, limits: Limits): void {
  const { run } = commit;
  validateRunKey(run);
  const { timers, tasks, outbox } = commit;
  if (timers?.upsert !== undefined) {
    for (const t of timers.upsert) checkOwner(commit, 'timer', t.timerId, t.namespace, t.runId);
  }
  if (tasks?.enqueue !== undefined) {
    for (const t of tasks.enqueue) {
      checkOwner(commit, 'task', t.taskId, t.namespace, t.runId);
      const input = t.input;
      for (let i = 0; i < input.length; i++) {
        const p = input[i]!;
        if (!withinLimit(p, limits)) {
          tooLarge(p, limits, `input[${i}] of activity task ${t.taskId} of run ${run.runId}`, {
            runId: run.runId,
            taskId: t.taskId,
            path: `input[${i}]`,
          });
        }
      }
    }
  }
  if (outbox?.add !== undefined) {
    for (const o of outbox.add) checkOwner(commit, 'outbox row', o.id, o.namespace, o.runId);
  }
  const audit = commit.audit;
  if (audit !== undefined) for (let i = 0; i < audit.length; i++) validateAuditEntry(audit[i]!);
  const events = commit.events;
  for (let i = 0; i < events.length; i++) checkEventPayloads(commit, events[i]!, limits);
}

function checkOwner(
  commit: RunCommit,
  kind: 'timer' | 'task' | 'outbox row',
  id: string,
  namespace: string,
  runId: string,
): void {
  const run = commit.run;
  if (namespace === run.namespace && runId === run.runId) return;
  const field = namespace !== run.namespace ? 'namespace' : 'runId';
  throw invalidArgument(
    `${kind} ${JSON.stringify(id)} belongs to ${namespace}/${runId}, not to the committing run ${run.namespace}/${run.runId}: side-effect rows must belong to the run of their commit`,
    { field, rowKind: kind, rowId: id, namespace, runId: run.runId, rowRunId: runId },
  );
}

/**
 * True when the payload is certainly within the limit. One UTF-16 unit encodes to 1–3 UTF-8
 * bytes, so only payloads whose length lies in (max/3, max] need measuring.
 */
function withinLimit(p: Payload, limits: Limits): boolean {
  const data = p.data;
  if (typeof data !== 'string') return true; // shape errors are not size errors
  const max = limits.maxPayloadBytes;
  const n = data.length;
  if (n * 3 <= max) return true;
  if (n > max) return false;
  return payloadSize(p) <= max;
}

/** Throws the `payload_too_large` of `checkPayloadSize`, with where it was found in details. */
function tooLarge(p: Payload, limits: Limits, what: string, where: Record<string, unknown>): never {
  try {
    checkPayloadSize(payloadSize(p), limits, what);
  } catch (error) {
    if (isAionError(error)) {
      throw new AionError(error.code, error.message, { ...error.details, ...where });
    }
    throw error;
  }
  // withinLimit said no, so checkPayloadSize threw above; keep the type checker honest.
  throw new AionError('internal', `payload size check of ${what} did not refuse it`);
}

function checkOne(
  commit: RunCommit,
  e: HistoryEvent,
  p: Payload | undefined | null,
  limits: Limits,
  path: string,
  index: number | string | undefined,
): void {
  if (p === undefined || p === null || withinLimit(p, limits)) return;
  const at = index === undefined ? path : `${path}[${JSON.stringify(index)}]`;
  tooLarge(
    p,
    limits,
    `payload ${at} of event seq ${e.seq} (${e.type}) of run ${commit.run.runId}`,
    { runId: commit.run.runId, seq: e.seq, eventType: e.type, path: at },
  );
}

function checkList(
  commit: RunCommit,
  e: HistoryEvent,
  list: readonly Payload[] | undefined,
  limits: Limits,
  path: string,
): void {
  if (list === undefined) return;
  for (let i = 0; i < list.length; i++) checkOne(commit, e, list[i], limits, path, i);
}

function checkRecord(
  commit: RunCommit,
  e: HistoryEvent,
  record: Readonly<Record<string, Payload | null>> | undefined,
  limits: Limits,
  path: string,
): void {
  if (record === undefined) return;
  for (const key in record) {
    if (Object.hasOwn(record, key)) checkOne(commit, e, record[key], limits, path, key);
  }
}

/** Details of a failure and of every cause in its chain. */
function checkFailure(
  commit: RunCommit,
  e: HistoryEvent,
  failure: Failure | undefined,
  limits: Limits,
): void {
  let depth = 0;
  for (let f = failure; f !== undefined && f !== null; f = f.cause) {
    if (depth > MAX_FAILURE_DEPTH) {
      throw invalidArgument(
        `failure of event seq ${e.seq} (${e.type}) of run ${commit.run.runId} has a cause chain deeper than ${MAX_FAILURE_DEPTH} (or a cyclic one)`,
        { field: 'failure', runId: commit.run.runId, seq: e.seq, eventType: e.type },
      );
    }
    const details = f.details;
    if (details !== undefined) {
      for (let i = 0; i < details.length; i++) {
        const p = details[i];
        if (p === undefined || withinLimit(p, limits)) continue;
        const at = `failure${'.cause'.repeat(depth)}.details[${i}]`;
        tooLarge(
          p,
          limits,
          `payload ${at} of event seq ${e.seq} (${e.type}) of run ${commit.run.runId}`,
          { runId: commit.run.runId, seq: e.seq, eventType: e.type, path: at },
        );
      }
    }
    depth++;
  }
}

/** Every payload an event carries; search attributes are not payloads. */
function checkEventPayloads(commit: RunCommit, e: HistoryEvent, limits: Limits): void {
  switch (e.type) {
    case 'WorkflowStarted':
      checkList(commit, e, e.args, limits, 'args');
      checkRecord(commit, e, e.memo, limits, 'memo');
      return;
    case 'WorkflowContinuedAsNew':
    case 'SignalReceived':
    case 'ExternalSignalInitiated':
    case 'UpdateAccepted':
      checkList(commit, e, e.args, limits, 'args');
      return;
    case 'ChildWorkflowInitiated':
      checkList(commit, e, e.args, limits, 'args');
      checkRecord(commit, e, e.memo, limits, 'memo');
      return;
    case 'WorkflowCompleted':
    case 'ActivityCompleted':
    case 'ChildWorkflowCompleted':
      checkOne(commit, e, e.result, limits, 'result', undefined);
      return;
    case 'UpdateCompleted':
      checkOne(commit, e, e.result, limits, 'result', undefined);
      checkFailure(commit, e, e.failure, limits);
      return;
    case 'WorkflowFailed':
    case 'WorkflowTaskFailed':
    case 'ActivityFailed':
    case 'ActivityTimedOut':
    case 'ExternalSignalFailed':
    case 'ExternalCancelFailed':
    case 'ChildWorkflowStartFailed':
    case 'ChildWorkflowFailed':
      checkFailure(commit, e, e.failure, limits);
      return;
    case 'ActivityScheduled':
      checkList(commit, e, e.input, limits, 'input');
      return;
    case 'ActivityCancelled':
      checkOne(commit, e, e.details, limits, 'details', undefined);
      return;
    case 'MarkerRecorded':
      checkRecord(commit, e, e.details, limits, 'details');
      return;
    case 'MemoUpserted':
      checkRecord(commit, e, e.memo, limits, 'memo');
      return;
    default:
      // The remaining event types carry no payloads.
      return;
  }
}
