import {
  applySearchAttributeUpsert,
  isTerminalEventType,
  nextStatus,
  TERMINAL_EVENT_TYPES,
  type HistoryEvent,
  type Payload,
  type RunKey,
  type Mutable,
} from '../../core/index.js';
import type { RunInfo } from '../contract/index.js';

/**
 * Event types that change a run's visibility row beyond its head seq (see {@link projectRun}),
 * among them every type `nextStatus` reacts to.
 */
const PROJECTED = new Set<string>([
  ...TERMINAL_EVENT_TYPES,
  'WorkflowPaused',
  'WorkflowResumed',
  'SearchAttributesUpserted',
  'MemoUpserted',
  'WorkflowRepinned',
]);

/**
 * Projects a run's visibility row forward over newly appended events. Every adapter uses
 * this one function so that visibility can never drift from history between stores.
 * `prior` is undefined when the batch starts the run (its first event is WorkflowStarted).
 */
export function projectRun(
  run: RunKey,
  prior: RunInfo | undefined,
  events: readonly HistoryEvent[],
): RunInfo {
  let info: Mutable<RunInfo>;
  let i = 0;
  if (prior === undefined) {
    const first = events[0];
    if (first?.type !== 'WorkflowStarted')
      throw new Error('projectRun: a new run must begin with WorkflowStarted');
    info = {
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      workflowType: first.workflowType,
      taskQueue: first.taskQueue,
      status: 'RUNNING',
      version: first.version,
      startTime: first.recordedAt,
      headSeq: first.seq,
      searchAttributes: first.searchAttributes ?? {},
      memo: first.memo ?? {},
    };
    if (first.parent)
      info.parent = { workflowId: first.parent.workflowId, runId: first.parent.runId };
    if (first.continuedFromRunId !== undefined) info.continuedFromRunId = first.continuedFromRunId;
    i = 1;
  } else {
    info = { ...prior };
  }
  for (; i < events.length; i++) {
    const event = events[i]!;
    info.headSeq = event.seq;
    if (!PROJECTED.has(event.type)) continue;
    info.status = nextStatus(info.status, event);
    switch (event.type) {
      case 'WorkflowCompleted':
      case 'WorkflowFailed':
      case 'WorkflowCancelled':
      case 'WorkflowTerminated':
      case 'WorkflowTimedOut':
      case 'WorkflowContinuedAsNew':
        info.closeTime = event.recordedAt;
        delete info.stuck;
        break;
      case 'WorkflowRepinned':
        info.version = event.toVersion;
        break;
      case 'SearchAttributesUpserted':
        info.searchAttributes = applySearchAttributeUpsert(
          info.searchAttributes,
          event.searchAttributes,
        );
        break;
      case 'MemoUpserted': {
        const memo: Record<string, Payload> = { ...info.memo };
        for (const [k, v] of Object.entries(event.memo)) {
          if (v === null) delete memo[k];
          else memo[k] = v;
        }
        info.memo = memo;
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/**
 * False when appending `events` to an existing run leaves its visibility row unchanged except
 * for `headSeq` (no close, pause/resume, search attribute, memo or version change), so an
 * adapter may advance the head without reading and re-projecting the row.
 */
export function changesProjection(events: readonly HistoryEvent[]): boolean {
  for (let i = 0; i < events.length; i++) if (PROJECTED.has(events[i]!.type)) return true;
  return false;
}

export function isClosed(info: RunInfo): boolean {
  return info.closeTime !== undefined;
}

/**
 * The terminal event when it is the only one of `events` that changes the run's visibility row
 * beyond its head seq: the row then only takes the terminal status and close time and loses
 * its stuck flag ({@link projectRun}), so an adapter may close it without reading it.
 */
export function closingOnly(events: readonly HistoryEvent[]): HistoryEvent | undefined {
  let closing: HistoryEvent | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (!PROJECTED.has(event.type)) continue;
    if (closing !== undefined || !isTerminalEventType(event.type)) return undefined;
    closing = event;
  }
  return closing;
}
