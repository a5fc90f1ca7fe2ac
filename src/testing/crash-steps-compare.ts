import type { Failure, HistoryEvent, Payload, WorkflowCommand } from '../core/index.js';

/**
 * What crash-at-every-step compares for one command event: its type and the fields workflow
 * code decides (ids, names, arguments, durations, results). Timestamps, `seq`, pre-assigned
 * run ids, identities and options the engine fills in are not compared.
 */
export interface EventView {
  readonly type: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A payload as compared: encoding and data (metadata is not decided by workflow code). */
function p(payload: Payload | undefined): unknown {
  return payload === undefined ? undefined : { encoding: payload.encoding, data: payload.data };
}

function ps(payloads: readonly Payload[]): unknown {
  return payloads.map(p);
}

function f(failure: Failure | undefined): unknown {
  return failure === undefined ? undefined : { message: failure.message, type: failure.type };
}

function view(type: string, fields: Record<string, unknown>): EventView {
  return { type, fields };
}

/** The view of a command the recovered run issued. */
export function commandView(cmd: WorkflowCommand): EventView {
  switch (cmd.type) {
    case 'scheduleActivity':
      return view('ActivityScheduled', {
        activityType: cmd.activityType,
        activityId: cmd.activityId,
        input: ps(cmd.args),
      });
    case 'requestCancelActivity':
      return view('ActivityCancelRequested', { activityId: cmd.activityId });
    case 'startTimer':
      return view('TimerStarted', { timerId: cmd.timerId, durationMs: cmd.durationMs });
    case 'cancelTimer':
      return view('TimerCancelled', { timerId: cmd.timerId });
    case 'completeWorkflow':
      return view('WorkflowCompleted', { result: p(cmd.result) });
    case 'failWorkflow':
      return view('WorkflowFailed', { failure: f(cmd.failure) });
    case 'cancelWorkflow':
      return view('WorkflowCancelled', {});
    case 'continueAsNew':
      return view('WorkflowContinuedAsNew', { workflowType: cmd.workflowType, args: ps(cmd.args) });
    case 'upsertSearchAttributes':
      return view('SearchAttributesUpserted', {});
    case 'upsertMemo':
      return view('MemoUpserted', { memo: memoView(cmd.memo) });
    case 'completeUpdate':
      return view('UpdateCompleted', {
        updateId: cmd.updateId,
        result: p(cmd.result),
        failure: f(cmd.failure),
      });
    case 'recordPatch':
      return view('MarkerRecorded', { patchId: cmd.patchId });
    case 'startChild':
      return view('ChildWorkflowInitiated', {
        workflowType: cmd.workflowType,
        workflowId: cmd.workflowId,
        args: ps(cmd.args),
      });
    case 'signalExternal':
      return view('ExternalSignalInitiated', {
        workflowId: cmd.workflowId,
        signalName: cmd.signalName,
        args: ps(cmd.args),
      });
    case 'cancelExternal':
      return view('ExternalCancelInitiated', { workflowId: cmd.workflowId });
  }
}

function memoView(memo: Readonly<Record<string, Payload | null>>): unknown {
  return Object.fromEntries(
    Object.keys(memo)
      .sort()
      .map((k) => [k, memo[k] === null ? null : p(memo[k])]),
  );
}

/** The view of a recorded command event (`activityOf` maps a scheduled seq to its id). */
export function eventView(e: HistoryEvent, activityOf: (seq: number) => unknown): EventView {
  switch (e.type) {
    case 'ActivityScheduled':
      return view(e.type, {
        activityType: e.activityType,
        activityId: e.activityId,
        input: ps(e.input),
      });
    case 'ActivityCancelRequested':
      return view(e.type, { activityId: activityOf(e.scheduledSeq) });
    case 'TimerStarted':
      return view(e.type, { timerId: e.timerId, durationMs: e.durationMs });
    case 'TimerCancelled':
      return view(e.type, { timerId: e.timerId });
    case 'WorkflowCompleted':
      return view(e.type, { result: p(e.result) });
    case 'WorkflowFailed':
      return view(e.type, { failure: f(e.failure) });
    case 'WorkflowContinuedAsNew':
      return view(e.type, { workflowType: e.workflowType, args: ps(e.args) });
    case 'MemoUpserted':
      return view(e.type, { memo: memoView(e.memo) });
    case 'UpdateCompleted':
      return view(e.type, { updateId: e.updateId, result: p(e.result), failure: f(e.failure) });
    case 'MarkerRecorded':
      return view(e.type, { patchId: e.patchId });
    case 'ChildWorkflowInitiated':
      return view(e.type, {
        workflowType: e.workflowType,
        workflowId: e.workflowId,
        args: ps(e.args),
      });
    case 'ExternalSignalInitiated':
      return view(e.type, {
        workflowId: e.target.workflowId,
        signalName: e.signalName,
        args: ps(e.args),
      });
    case 'ExternalCancelInitiated':
      return view(e.type, { workflowId: e.target.workflowId });
    default:
      return view(e.type, {});
  }
}

/** One line for a view: `ActivityScheduled(activityType: "charge", input: [...])`. */
export function describeView(v: EventView | undefined): string {
  if (v === undefined) return 'nothing';
  const parts = Object.entries(v.fields)
    .filter(([, value]) => value !== undefined)
    .map(([k, value]) => `${k}: ${JSON.stringify(value)}`);
  return `${v.type}(${parts.join(', ')})`;
}

export function sameView(a: EventView, b: EventView): boolean {
  return a.type === b.type && JSON.stringify(a.fields) === JSON.stringify(b.fields);
}

/** Deprecated patch markers are optional on both sides (see `deprecatePatch`). */
export function isDeprecatedPatchCommand(cmd: WorkflowCommand): boolean {
  return cmd.type === 'recordPatch' && cmd.deprecated;
}

export function isDeprecatedPatchEvent(e: HistoryEvent): boolean {
  return e.type === 'MarkerRecorded' && e.deprecated === true;
}
