import { toTypedSearchAttributes } from '../visibility/index.js';
import {
  AionError,
  type ParentRef,
  type SearchAttributeType,
  type SearchAttributes,
  checkPayloadSize,
  payloadSize,
  stampEvent,
  type HistoryEvent,
  type Limits,
  type NewEvent,
  type Payload,
  type RunKey,
  type WorkflowCommand,
  type Headers,
  withInheritedTrace,
} from '../core/index.js';
import type { RunBook } from '../runtime/index.js';
import { randomUUID } from 'node:crypto';
import type { NewActivityTask, OutboxRow, TimerRow } from '../store/index.js';
import {
  activityTimerIds,
  scheduleToCloseTimerId,
  scheduleToStartTimerId,
  taskIdFor,
  type ActivityService,
} from './activity-service.js';

/** Side effects of a commit, written in the same transaction and dispatched after it. */
export interface CommitEffects {
  readonly outbox: OutboxRow[];
  readonly removeOutbox: string[];
  readonly tasks: NewActivityTask[];
  readonly removeTasks: string[];
  readonly timers: TimerRow[];
  readonly cancelTimers: string[];
  /** Task ids whose running attempt must be aborted after commit. */
  readonly abortTasks: string[];
}

export function emptyEffects(): CommitEffects {
  return {
    outbox: [],
    removeOutbox: [],
    tasks: [],
    removeTasks: [],
    timers: [],
    cancelTimers: [],
    abortTasks: [],
  };
}

export const USER_TIMER_KIND = 'timer';
export const CONTINUE_AS_NEW_KIND = 'continue-as-new';
export const WORKFLOW_TIMEOUT_KIND = 'workflow-timeout';
export const CHILD_START_KIND = 'child-start';
export const CHILD_RESULT_KIND = 'child-result';
export const CLOSE_POLICY_KIND = 'parent-close-policy';
export const EXTERNAL_KIND = 'external';

/** What an external signal/cancel outbox row carries. */
export interface ExternalData {
  readonly initiatedSeq: number;
  readonly action: 'signal' | 'cancel';
  readonly workflowId: string;
  readonly runId?: string;
  readonly signalName?: string;
  readonly args?: readonly Payload[];
}

/** What a child-result outbox row carries to the parent. */
export interface ChildResultData {
  readonly parent: ParentRef;
  readonly event: NewEvent;
}

/** What a parent-close-policy outbox row asks for. */
export interface ClosePolicyData {
  readonly workflowId: string;
  readonly runId: string;
  readonly action: 'TERMINATE' | 'REQUEST_CANCEL';
  readonly reason: string;
}

/** The event telling a parent how its child's chain ended. */
export function childOutcomeEvent(
  terminal: HistoryEvent,
  initiatedSeq: number,
): NewEvent | undefined {
  switch (terminal.type) {
    case 'WorkflowCompleted':
      return { type: 'ChildWorkflowCompleted', initiatedSeq, result: terminal.result };
    case 'WorkflowFailed':
      return { type: 'ChildWorkflowFailed', initiatedSeq, failure: terminal.failure };
    case 'WorkflowCancelled':
      return {
        type: 'ChildWorkflowCancelled',
        initiatedSeq,
        ...(terminal.reason !== undefined ? { reason: terminal.reason } : {}),
      };
    case 'WorkflowTerminated':
      return { type: 'ChildWorkflowTerminated', initiatedSeq, reason: terminal.reason };
    case 'WorkflowTimedOut':
      return { type: 'ChildWorkflowTimedOut', initiatedSeq, timeoutType: terminal.timeoutType };
    default:
      return undefined;
  }
}

/**
 * Outbox rows implied by a run's closing commit: its parent learns the outcome (unless the
 * chain continues), and its open children get the parent close policy.
 */
export function closingEffects(
  run: RunKey,
  book: RunBook,
  terminal: HistoryEvent,
  now: number,
  effects: CommitEffects,
): void {
  const parent = book.started?.parent;
  const outcome = parent ? childOutcomeEvent(terminal, parent.initiatedSeq) : undefined;
  if (parent && outcome) {
    const data: ChildResultData = { parent, event: outcome };
    effects.outbox.push({
      namespace: run.namespace,
      id: `child-result/${run.runId}`,
      workflowId: run.workflowId,
      runId: run.runId,
      kind: CHILD_RESULT_KIND,
      data: JSON.stringify(data),
      createdAt: now,
    });
  }
  for (const [seq, child] of book.children) {
    if (!child.started || child.parentClosePolicy === 'ABANDON') continue;
    const data: ClosePolicyData = {
      workflowId: child.workflowId,
      runId: child.runId,
      action: child.parentClosePolicy,
      reason: `parent ${run.workflowId} closed (${terminal.type})`,
    };
    effects.outbox.push({
      namespace: run.namespace,
      id: `close-policy/${run.runId}/${seq}`,
      workflowId: run.workflowId,
      runId: run.runId,
      kind: CLOSE_POLICY_KIND,
      data: JSON.stringify(data),
      createdAt: now,
    });
  }
}

/** What a child-start outbox row carries. */
export interface ChildStartData {
  readonly initiatedSeq: number;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly args: readonly Payload[];
  readonly taskQueue: string;
  readonly version: string;
  readonly executionTimeoutMs?: number;
  readonly runTimeoutMs?: number;
  readonly headers?: Headers;
}

/** What the outbox row of a continue-as-new carries to start the successor. */
export interface ContinueAsNewData {
  readonly newRunId: string;
  readonly workflowType: string;
  readonly args: readonly Payload[];
  readonly taskQueue: string;
  readonly firstRunId: string;
  readonly executionDeadline?: number;
  readonly executionTimeoutMs?: number;
  readonly runTimeoutMs?: number;
  readonly searchAttributes?: SearchAttributes;
  readonly memo?: Readonly<Record<string, Payload>>;
  readonly parent?: ParentRef;
  readonly headers?: Headers;
}
export const ACTIVITY_TIMEOUT_KIND = 'activity-timeout';

function checkPayloads(payloads: readonly Payload[], limits: Limits, what: string): void {
  for (const p of payloads) checkPayloadSize(payloadSize(p), limits, what);
}

/**
 * Turns one live activation's commands into events (stamped from `nextSeq`, applied to the
 * book) and side-effect rows. Throws `payload_too_large` for an oversize payload — a task
 * failure, since the same code would produce it again.
 */
export function commandsToEvents(
  run: RunKey,
  commands: readonly WorkflowCommand[],
  book: RunBook,
  now: number,
  limits: Limits,
  activities: ActivityService,
  effects: CommitEffects,
  schema: ReadonlyMap<string, SearchAttributeType> = new Map(),
  routeFor: (workflowType: string) => string | undefined = () => undefined,
): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const workflowType = book.started?.workflowType ?? '';
  // The caller's trace context flows from the start to what the run starts (unless set).
  const startHeaders = book.started?.headers;
  const headersOf = (own: Headers | undefined): Headers | undefined =>
    startHeaders === undefined ? own : withInheritedTrace(own, startHeaders);
  const push = (event: NewEvent): HistoryEvent => {
    const stamped = stampEvent(event, book.headSeq + 1, now);
    book.apply(stamped);
    out.push(stamped);
    return stamped;
  };
  for (const cmd of commands) {
    switch (cmd.type) {
      case 'scheduleActivity': {
        checkPayloads(cmd.args, limits, `input of activity ${cmd.activityType}`);
        const headers = headersOf(cmd.headers);
        const e = push({
          type: 'ActivityScheduled',
          activityId: cmd.activityId,
          activityType: cmd.activityType,
          input: cmd.args,
          options: cmd.options,
          ...(cmd.local ? { local: true } : {}),
          ...(headers ? { headers } : {}),
        });
        effects.tasks.push(
          activities.newTask(
            run,
            {
              activityId: cmd.activityId,
              activityType: cmd.activityType,
              scheduledSeq: e.seq,
              input: cmd.args,
              options: cmd.options,
              local: cmd.local,
              workflowType,
              headers,
            },
            now,
          ),
        );
        if (cmd.options.scheduleToCloseTimeoutMs !== undefined) {
          effects.timers.push({
            namespace: run.namespace,
            workflowId: run.workflowId,
            runId: run.runId,
            timerId: scheduleToCloseTimerId(cmd.activityId),
            fireAt: now + cmd.options.scheduleToCloseTimeoutMs,
            kind: ACTIVITY_TIMEOUT_KIND,
            data: JSON.stringify({
              activityId: cmd.activityId,
              scheduledSeq: e.seq,
              timeoutType: 'SCHEDULE_TO_CLOSE',
            }),
          });
        }
        if (cmd.options.scheduleToStartTimeoutMs !== undefined && !cmd.local) {
          effects.timers.push({
            namespace: run.namespace,
            workflowId: run.workflowId,
            runId: run.runId,
            timerId: scheduleToStartTimerId(cmd.activityId),
            fireAt: now + cmd.options.scheduleToStartTimeoutMs,
            kind: ACTIVITY_TIMEOUT_KIND,
            data: JSON.stringify({
              activityId: cmd.activityId,
              scheduledSeq: e.seq,
              timeoutType: 'SCHEDULE_TO_START',
            }),
          });
        }
        break;
      }
      case 'requestCancelActivity': {
        const pending = book.activities.get(cmd.activityId);
        if (!pending)
          throw new AionError('internal', `cancel of unknown activity ${cmd.activityId}`);
        push({ type: 'ActivityCancelRequested', scheduledSeq: pending.scheduledSeq });
        const taskId = taskIdFor(run.runId, cmd.activityId);
        effects.removeTasks.push(taskId);
        effects.cancelTimers.push(...activityTimerIds(cmd.activityId));
        effects.abortTasks.push(taskId);
        break;
      }
      case 'startTimer': {
        const fireAt = now + cmd.durationMs;
        const e = push({
          type: 'TimerStarted',
          timerId: cmd.timerId,
          durationMs: cmd.durationMs,
          fireAt,
        });
        effects.timers.push({
          namespace: run.namespace,
          workflowId: run.workflowId,
          runId: run.runId,
          timerId: cmd.timerId,
          fireAt,
          kind: USER_TIMER_KIND,
          data: String(e.seq),
        });
        break;
      }
      case 'cancelTimer': {
        const pending = book.timers.get(cmd.timerId);
        if (!pending) throw new AionError('internal', `cancel of unknown timer ${cmd.timerId}`);
        push({ type: 'TimerCancelled', startedSeq: pending.startedSeq, timerId: cmd.timerId });
        effects.cancelTimers.push(cmd.timerId);
        break;
      }
      case 'completeWorkflow':
        checkPayloads([cmd.result], limits, 'workflow result');
        push({ type: 'WorkflowCompleted', result: cmd.result });
        break;
      case 'failWorkflow':
        push({ type: 'WorkflowFailed', failure: cmd.failure });
        break;
      case 'cancelWorkflow':
        push({
          type: 'WorkflowCancelled',
          ...(book.cancelRequested ? { reason: 'cancel requested' } : {}),
        });
        break;
      case 'upsertSearchAttributes': {
        const plain = JSON.parse(cmd.attributes.data) as Record<string, unknown>;
        push({
          type: 'SearchAttributesUpserted',
          searchAttributes: toTypedSearchAttributes(plain, schema),
        });
        break;
      }
      case 'startChild': {
        checkPayloads(cmd.args, limits, `arguments of child workflow ${cmd.workflowType}`);
        const runId = randomUUID();
        const version = routeFor(cmd.workflowType) ?? '';
        const headers = headersOf(cmd.headers);
        const e = push({
          type: 'ChildWorkflowInitiated',
          workflowId: cmd.workflowId,
          runId,
          namespace: run.namespace,
          workflowType: cmd.workflowType,
          args: cmd.args,
          taskQueue: cmd.taskQueue,
          version,
          parentClosePolicy: cmd.parentClosePolicy,
          ...(cmd.executionTimeoutMs !== undefined
            ? { executionTimeoutMs: cmd.executionTimeoutMs }
            : {}),
          ...(cmd.runTimeoutMs !== undefined ? { runTimeoutMs: cmd.runTimeoutMs } : {}),
          ...(headers ? { headers } : {}),
        });
        const data: ChildStartData = {
          initiatedSeq: e.seq,
          workflowId: cmd.workflowId,
          runId,
          workflowType: cmd.workflowType,
          args: cmd.args,
          taskQueue: cmd.taskQueue,
          version,
          ...(cmd.executionTimeoutMs !== undefined
            ? { executionTimeoutMs: cmd.executionTimeoutMs }
            : {}),
          ...(cmd.runTimeoutMs !== undefined ? { runTimeoutMs: cmd.runTimeoutMs } : {}),
          ...(headers ? { headers } : {}),
        };
        effects.outbox.push({
          namespace: run.namespace,
          id: `child-start/${run.runId}/${e.seq}`,
          workflowId: run.workflowId,
          runId: run.runId,
          kind: CHILD_START_KIND,
          ...(version ? { version } : {}),
          data: JSON.stringify(data),
          createdAt: now,
        });
        break;
      }
      case 'signalExternal':
      case 'cancelExternal': {
        const target = {
          namespace: run.namespace,
          workflowId: cmd.workflowId,
          ...(cmd.runId !== undefined ? { runId: cmd.runId } : {}),
        };
        let e: HistoryEvent;
        let data: ExternalData;
        if (cmd.type === 'signalExternal') {
          checkPayloads(cmd.args, limits, `arguments of signal ${cmd.signalName}`);
          e = push({
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
          e = push({ type: 'ExternalCancelInitiated', target });
          data = {
            initiatedSeq: e.seq,
            action: 'cancel',
            workflowId: cmd.workflowId,
            ...(cmd.runId !== undefined ? { runId: cmd.runId } : {}),
          };
        }
        effects.outbox.push({
          namespace: run.namespace,
          id: `external/${run.runId}/${e.seq}`,
          workflowId: run.workflowId,
          runId: run.runId,
          kind: EXTERNAL_KIND,
          data: JSON.stringify(data),
          createdAt: now,
        });
        break;
      }
      case 'recordPatch':
        push({
          type: 'MarkerRecorded',
          markerName: 'patch',
          patchId: cmd.patchId,
          ...(cmd.deprecated ? { deprecated: true } : {}),
        });
        break;
      case 'completeUpdate': {
        const acceptedSeq = book.openUpdates.get(cmd.updateId);
        if (acceptedSeq === undefined)
          throw new AionError('internal', `completion of unknown update ${cmd.updateId}`);
        if (cmd.result) checkPayloads([cmd.result], limits, 'update result');
        push({
          type: 'UpdateCompleted',
          acceptedSeq,
          updateId: cmd.updateId,
          ...(cmd.result ? { result: cmd.result } : {}),
          ...(cmd.failure ? { failure: cmd.failure } : {}),
        });
        break;
      }
      case 'upsertMemo':
        checkPayloads(
          Object.values(cmd.memo).filter((p): p is Payload => p !== null),
          limits,
          'memo',
        );
        push({ type: 'MemoUpserted', memo: cmd.memo });
        break;
      case 'continueAsNew': {
        checkPayloads(cmd.args, limits, 'continue-as-new arguments');
        const started = book.started!;
        const newRunId = randomUUID();
        const headers = headersOf(cmd.headers);
        const data: ContinueAsNewData = {
          newRunId,
          workflowType: cmd.workflowType,
          args: cmd.args,
          taskQueue: cmd.taskQueue,
          firstRunId: started.firstRunId ?? run.runId,
          ...(started.executionDeadline !== undefined
            ? { executionDeadline: started.executionDeadline }
            : {}),
          ...(started.executionTimeoutMs !== undefined
            ? { executionTimeoutMs: started.executionTimeoutMs }
            : {}),
          ...(started.runTimeoutMs !== undefined ? { runTimeoutMs: started.runTimeoutMs } : {}),
          ...(Object.keys(book.searchAttributes).length > 0
            ? { searchAttributes: book.searchAttributes }
            : {}),
          ...(Object.keys(book.memo).length > 0 ? { memo: book.memo } : {}),
          ...(started.parent ? { parent: started.parent } : {}),
          ...(headers ? { headers } : {}),
        };
        push({
          type: 'WorkflowContinuedAsNew',
          newRunId,
          workflowType: cmd.workflowType,
          args: cmd.args,
          taskQueue: cmd.taskQueue,
          ...(headers ? { headers } : {}),
        });
        effects.outbox.push({
          namespace: run.namespace,
          id: `continue-as-new/${run.runId}`,
          workflowId: run.workflowId,
          runId: run.runId,
          kind: CONTINUE_AS_NEW_KIND,
          data: JSON.stringify(data),
          createdAt: now,
        });
        break;
      }
    }
  }
  return out;
}
