import { randomUUID } from 'node:crypto';
import {
  stampEvent,
  type EventAttributes,
  type Failure,
  type HistoryEvent,
  type NewEvent,
  type ParentRef,
  type Payload,
  type RunKey,
  type SearchAttributes,
  type TerminalEventType,
} from '../../core/index.js';
import type {
  AuditEntry,
  NewActivityTask,
  OutboxRow,
  RunInfo,
  Store,
  TimerRow,
} from '../contract/index.js';

/** Base of every fixture time (epoch ms); scenarios offset from it so values stay readable. */
export const T0 = 1_700_000_000_000;

export const DEFAULT_NS = 'default';

let counter = 0;

/** A fresh run key: unique workflow id, random run id, namespace `default` unless given. */
export function makeRunKey(overrides: Partial<RunKey> = {}): RunKey {
  counter += 1;
  return {
    namespace: overrides.namespace ?? DEFAULT_NS,
    workflowId:
      overrides.workflowId ?? `wf-${String(counter).padStart(5, '0')}-${randomUUID().slice(0, 8)}`,
    runId: overrides.runId ?? randomUUID(),
  };
}

export function jsonPayload(value: unknown): Payload {
  return { encoding: 'json/plain', data: JSON.stringify(value) };
}

export function event(seq: number, recordedAt: number, attrs: NewEvent): HistoryEvent {
  return stampEvent(attrs, seq, recordedAt);
}

export interface StartedOptions {
  readonly at?: number;
  readonly workflowType?: string;
  readonly taskQueue?: string;
  readonly version?: string;
  readonly args?: readonly Payload[];
  readonly searchAttributes?: SearchAttributes;
  readonly memo?: Readonly<Record<string, Payload>>;
  readonly parent?: ParentRef;
  readonly continuedFromRunId?: string;
}

/** `WorkflowStarted` at seq 1. Defaults: type `OrderWorkflow`, queue `main`, version `v1`, time T0. */
export function startedEvent(options: StartedOptions = {}): HistoryEvent {
  const attrs: {
    -readonly [
      K in keyof EventAttributes['WorkflowStarted']
    ]: EventAttributes['WorkflowStarted'][K];
  } = {
    workflowType: options.workflowType ?? 'OrderWorkflow',
    taskQueue: options.taskQueue ?? 'main',
    args: options.args ?? [jsonPayload({ order: 1 })],
    version: options.version ?? 'v1',
  };
  if (options.searchAttributes !== undefined) attrs.searchAttributes = options.searchAttributes;
  if (options.memo !== undefined) attrs.memo = options.memo;
  if (options.parent !== undefined) attrs.parent = options.parent;
  if (options.continuedFromRunId !== undefined)
    attrs.continuedFromRunId = options.continuedFromRunId;
  return event(1, options.at ?? T0, { type: 'WorkflowStarted', ...attrs });
}

export function signalEvent(seq: number, at: number, signalName = 'poke'): HistoryEvent {
  return event(seq, at, { type: 'SignalReceived', signalName, args: [jsonPayload(seq)] });
}

export function taskCompletedEvent(seq: number, at: number): HistoryEvent {
  return event(seq, at, { type: 'WorkflowTaskCompleted' });
}

export const FAILURE: Failure = {
  type: 'BoomError',
  message: 'boom',
  retryable: false,
  source: 'application',
};

/** A terminal event of the given type. */
export function terminalEvent(
  seq: number,
  at: number,
  type: TerminalEventType = 'WorkflowCompleted',
): HistoryEvent {
  switch (type) {
    case 'WorkflowCompleted':
      return event(seq, at, { type, result: jsonPayload('done') });
    case 'WorkflowFailed':
      return event(seq, at, { type, failure: FAILURE });
    case 'WorkflowCancelled':
      return event(seq, at, { type, reason: 'asked' });
    case 'WorkflowTerminated':
      return event(seq, at, { type, reason: 'ops' });
    case 'WorkflowTimedOut':
      return event(seq, at, { type, timeoutType: 'RUN' });
    case 'WorkflowContinuedAsNew':
      return event(seq, at, {
        type,
        newRunId: randomUUID(),
        workflowType: 'OrderWorkflow',
        args: [],
        taskQueue: 'main',
      });
  }
}

/**
 * `n` events from `fromSeq` (recordedAt = base + seq): a `WorkflowStarted` when `fromSeq` is 1,
 * then a varied mix of non-terminal events whose content depends on the run and the seq.
 */
export function eventsFor(run: RunKey, fromSeq: number, n: number, base = T0): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (let seq = fromSeq; seq < fromSeq + n; seq++) {
    const at = base + seq;
    if (seq === 1) {
      out.push(startedEvent({ at }));
      continue;
    }
    switch (seq % 6) {
      case 0:
        out.push(
          event(seq, at, {
            type: 'ActivityScheduled',
            activityId: String(seq),
            activityType: 'charge',
            input: [jsonPayload({ run: run.runId, seq })],
            options: {
              taskQueue: 'main',
              startToCloseTimeoutMs: 1000,
              retry: { maximumAttempts: 3 },
            },
          }),
        );
        break;
      case 1:
        out.push(
          event(seq, at, {
            type: 'ActivityCompleted',
            scheduledSeq: seq - 1,
            result: jsonPayload(seq),
            attempt: 1,
          }),
        );
        break;
      case 2:
        out.push(signalEvent(seq, at));
        break;
      case 3:
        out.push(
          event(seq, at, {
            type: 'TimerStarted',
            timerId: `t${seq}`,
            durationMs: 60_000,
            fireAt: at + 60_000,
          }),
        );
        break;
      case 4:
        out.push(
          event(seq, at, {
            type: 'MarkerRecorded',
            markerName: 'm',
            details: { k: jsonPayload([seq, run.workflowId]) },
          }),
        );
        break;
      default:
        out.push(taskCompletedEvent(seq, at));
    }
  }
  return out;
}

/** Appends a `WorkflowStarted` (plus `extra` events) to a fresh run; returns the run and its history. */
export async function startRun(
  store: Store,
  options: StartedOptions & { readonly run?: RunKey; readonly extra?: number } = {},
): Promise<{ run: RunKey; events: HistoryEvent[] }> {
  const run = options.run ?? makeRunKey();
  const at = options.at ?? T0;
  const events = [startedEvent(options), ...eventsFor(run, 2, options.extra ?? 0, at)];
  await store.append(run, events, 0);
  return { run, events };
}

/** Appends a terminal event after `headSeq`; returns the new head. */
export async function closeRun(
  store: Store,
  run: RunKey,
  headSeq: number,
  at: number,
  type: TerminalEventType = 'WorkflowCompleted',
): Promise<number> {
  await store.append(run, [terminalEvent(headSeq + 1, at, type)], headSeq);
  return headSeq + 1;
}

export function timerRow(run: RunKey, timerId: string, fireAt: number, kind = 'user'): TimerRow {
  return {
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    timerId,
    fireAt,
    kind,
    data: `{"timer":"${timerId}"}`,
  };
}

export function taskRow(
  run: RunKey,
  activityId: string,
  options: {
    taskQueue?: string;
    activityType?: string;
    visibleAt?: number;
    attempt?: number;
    scheduledSeq?: number;
  } = {},
): NewActivityTask {
  return {
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    taskId: `${run.runId}/${activityId}`,
    taskQueue: options.taskQueue ?? 'main',
    activityId,
    activityType: options.activityType ?? 'charge',
    scheduledSeq: options.scheduledSeq ?? 2,
    input: [jsonPayload({ activityId })],
    options: '{"startToCloseTimeoutMs":1000}',
    attempt: options.attempt ?? 1,
    visibleAt: options.visibleAt ?? T0,
  };
}

export function outboxRow(
  run: RunKey,
  id: string,
  options: { kind?: string; version?: string; createdAt?: number } = {},
): OutboxRow {
  const row: OutboxRow = {
    namespace: run.namespace,
    id,
    workflowId: run.workflowId,
    runId: run.runId,
    kind: options.kind ?? 'child_start',
    data: `{"outbox":"${id}"}`,
    createdAt: options.createdAt ?? T0,
  };
  return options.version === undefined ? row : { ...row, version: options.version };
}

/** The visibility row a freshly started run must have (before any later event). */
export function expectedRunInfo(run: RunKey, started: HistoryEvent): RunInfo {
  if (started.type !== 'WorkflowStarted')
    throw new Error('expectedRunInfo needs a WorkflowStarted event');
  const info: { -readonly [K in keyof RunInfo]: RunInfo[K] } = {
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: started.workflowType,
    taskQueue: started.taskQueue,
    status: 'RUNNING',
    version: started.version,
    startTime: started.recordedAt,
    headSeq: 1,
    searchAttributes: started.searchAttributes ?? {},
    memo: started.memo ?? {},
  };
  if (started.parent)
    info.parent = { workflowId: started.parent.workflowId, runId: started.parent.runId };
  if (started.continuedFromRunId !== undefined)
    info.continuedFromRunId = started.continuedFromRunId;
  return info;
}

/** Audit entry number `i` (subject `k<i>`, target `wf-<i>`, time T0 + i), with `fields` over it. */
export function auditEntry(i: number, fields: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: T0 + i,
    subject: `k${i}`,
    action: 'workflow.start',
    namespace: 'default',
    target: `wf-${i}`,
    outcome: 'ok',
    code: null,
    count: 1,
    ...fields,
  };
}
