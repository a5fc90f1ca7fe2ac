// Commands that reach other runs through the outbox: starting a child, signalling or
// cancelling an external run, and continuing as a new run. Each writes its event and a row.
import type {
  HistoryEvent,
  SearchAttributeType,
  SearchAttributeValue,
  SearchAttributes,
} from '../../core/index.js';
import { toTypedSearchAttributes } from '../../visibility/index.js';
import type { CommandOf, EventWriter } from './event-writer.js';
import {
  CHILD_START_KIND,
  CONTINUE_AS_NEW_KIND,
  EXTERNAL_KIND,
  type ChildStartData,
  type ContinueAsNewData,
  type ExternalData,
} from './kinds.js';
import { inheritedBySuccessor } from './successor-data.js';

export function startChild(
  w: EventWriter,
  cmd: CommandOf<'startChild'>,
  routeFor: (workflowType: string) => string | undefined,
): void {
  const { run, now } = w;
  w.checkPayloads(cmd.args, `arguments of child workflow ${cmd.workflowType}`);
  const runId = w.env.ids.uuid();
  const version = routeFor(cmd.workflowType) ?? '';
  const headers = w.headersOf(cmd.headers);
  const e = w.push({
    type: 'ChildWorkflowInitiated',
    workflowId: cmd.workflowId,
    runId,
    namespace: run.namespace,
    workflowType: cmd.workflowType,
    args: cmd.args,
    taskQueue: cmd.taskQueue,
    version,
    parentClosePolicy: cmd.parentClosePolicy,
    ...(cmd.executionTimeoutMs !== undefined ? { executionTimeoutMs: cmd.executionTimeoutMs } : {}),
    ...(cmd.runTimeoutMs !== undefined ? { runTimeoutMs: cmd.runTimeoutMs } : {}),
    ...(headers ? { headers } : {}),
    ...(cmd.retryPolicy ? { retryPolicy: cmd.retryPolicy } : {}),
    ...(cmd.priority ? { priority: cmd.priority } : {}),
  });
  const data: ChildStartData = {
    initiatedSeq: e.seq,
    workflowId: cmd.workflowId,
    runId,
    workflowType: cmd.workflowType,
    args: cmd.args,
    taskQueue: cmd.taskQueue,
    version,
    ...(cmd.executionTimeoutMs !== undefined ? { executionTimeoutMs: cmd.executionTimeoutMs } : {}),
    ...(cmd.runTimeoutMs !== undefined ? { runTimeoutMs: cmd.runTimeoutMs } : {}),
    ...(headers ? { headers } : {}),
    ...(cmd.retryPolicy ? { retryPolicy: cmd.retryPolicy } : {}),
    ...(cmd.priority ? { priority: cmd.priority } : {}),
  };
  w.effects.outbox.push({
    namespace: run.namespace,
    id: `child-start/${run.runId}/${e.seq}`,
    workflowId: run.workflowId,
    runId: run.runId,
    kind: CHILD_START_KIND,
    ...(version ? { version } : {}),
    data: JSON.stringify(data),
    createdAt: now,
  });
}

export function signalOrCancelExternal(
  w: EventWriter,
  cmd: CommandOf<'signalExternal' | 'cancelExternal'>,
): void {
  const { run } = w;
  const target = {
    namespace: run.namespace,
    workflowId: cmd.workflowId,
    ...(cmd.runId !== undefined ? { runId: cmd.runId } : {}),
  };
  let e: HistoryEvent;
  let data: ExternalData;
  if (cmd.type === 'signalExternal') {
    w.checkPayloads(cmd.args, `arguments of signal ${cmd.signalName}`);
    e = w.push({
      type: 'ExternalSignalInitiated',
      target,
      signalName: cmd.signalName,
      args: cmd.args,
    });
    data = {
      initiatedSeq: e.seq,
      action: 'signal',
      workflowId: cmd.workflowId,
      signalName: cmd.signalName,
      args: cmd.args,
      ...(cmd.runId !== undefined ? { runId: cmd.runId } : {}),
    };
  } else {
    e = w.push({ type: 'ExternalCancelInitiated', target });
    data = {
      initiatedSeq: e.seq,
      action: 'cancel',
      workflowId: cmd.workflowId,
      ...(cmd.runId !== undefined ? { runId: cmd.runId } : {}),
    };
  }
  w.effects.outbox.push({
    namespace: run.namespace,
    id: `external/${run.runId}/${e.seq}`,
    workflowId: run.workflowId,
    runId: run.runId,
    kind: EXTERNAL_KIND,
    data: JSON.stringify(data),
    createdAt: w.now,
  });
}

/**
 * The successor's search attributes: those the command gives (plain values, typed with the
 * namespace schema; `null` drops one), else this run's current ones.
 */
function successorSearchAttributes(
  book: EventWriter['book'],
  cmd: CommandOf<'continueAsNew'>,
  schema: ReadonlyMap<string, SearchAttributeType>,
): SearchAttributes {
  if (cmd.searchAttributes === undefined) return book.searchAttributes;
  const plain = JSON.parse(cmd.searchAttributes.data) as Record<string, unknown>;
  const typed = toTypedSearchAttributes(plain, schema);
  return Object.fromEntries(
    Object.entries(typed).filter(
      (entry): entry is [string, SearchAttributeValue] => entry[1] !== null,
    ),
  );
}

export function continueAsNew(
  w: EventWriter,
  cmd: CommandOf<'continueAsNew'>,
  schema: ReadonlyMap<string, SearchAttributeType>,
): void {
  const { run, book } = w;
  w.checkPayloads(cmd.args, 'continue-as-new arguments');
  if (cmd.memo) w.checkPayloads(Object.values(cmd.memo), 'memo');
  const searchAttributes = successorSearchAttributes(book, cmd, schema);
  const memo = cmd.memo ?? book.memo;
  const started = book.started!;
  const newRunId = w.env.ids.uuid();
  const headers = w.headersOf(cmd.headers);
  const data: ContinueAsNewData = {
    newRunId,
    workflowType: cmd.workflowType,
    args: cmd.args,
    taskQueue: cmd.taskQueue,
    // The retry policy stays with the chain; the successor is attempt 1 again (as in Temporal).
    ...inheritedBySuccessor(started, run.runId),
    ...(Object.keys(searchAttributes).length > 0 ? { searchAttributes } : {}),
    ...(Object.keys(memo).length > 0 ? { memo } : {}),
    ...(headers ? { headers } : {}),
  };
  w.push({
    type: 'WorkflowContinuedAsNew',
    newRunId,
    workflowType: cmd.workflowType,
    args: cmd.args,
    taskQueue: cmd.taskQueue,
    ...(headers ? { headers } : {}),
  });
  w.effects.outbox.push({
    namespace: run.namespace,
    id: `continue-as-new/${run.runId}`,
    workflowId: run.workflowId,
    runId: run.runId,
    kind: CONTINUE_AS_NEW_KIND,
    data: JSON.stringify(data),
    createdAt: w.now,
  });
}
