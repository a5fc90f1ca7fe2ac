import {
  EVENT_TYPES,
  NonDeterminismError,
  type ActivationInput,
  type ActivationOutput,
  type EventType,
  type Failure,
  type HistoryEvent,
  type RunKey,
  type WorkflowCommand,
  type WorkflowInitInfo,
  type EventOf,
} from '../core/index.js';
import { activationsWithPendingOps, closesActivation } from './replay-stacks.js';
import { RunBook } from './run-book.js';
import type { PackageSandbox, SandboxRun } from './sandbox.js';

/** Event types that record a decision of workflow code (matched against commands on replay). */
const COMMAND_EVENTS = new Set<EventType>([
  'ActivityScheduled',
  'ActivityCancelRequested',
  'TimerStarted',
  'TimerCancelled',
  'WorkflowCompleted',
  'WorkflowFailed',
  'WorkflowCancelled',
  'WorkflowContinuedAsNew',
  'SearchAttributesUpserted',
  'MemoUpserted',
  'UpdateCompleted',
  'ChildWorkflowInitiated',
  'ExternalSignalInitiated',
  'ExternalCancelInitiated',
]);

export const PATCH_MARKER = 'patch';

// What replay does with an event of each type (bits), in one map look-up per event.
const NONE = 0;
/** Always a command event. */
const COMMAND = 1;
/** A marker: a command event when it records a patch. */
const PATCH_CANDIDATE = 2;
/** Closes a recorded activation. */
const CLOSES = 4;
const ROLES: ReadonlyMap<string, number> = (() => {
  const roles = new Map<string, number>();
  for (const type of EVENT_TYPES) {
    const probe = { type } as HistoryEvent;
    const role =
      (COMMAND_EVENTS.has(type) ? COMMAND : NONE) |
      (type === 'MarkerRecorded' ? PATCH_CANDIDATE : NONE) |
      (closesActivation(probe) ? CLOSES : NONE);
    roles.set(type, role);
  }
  return roles;
})();

export function isCommandEvent(type: EventType): boolean {
  return COMMAND_EVENTS.has(type);
}

/** Command events: the fixed set, plus patch markers (other markers are engine notes). */
function isCommand(e: HistoryEvent): boolean {
  return (
    COMMAND_EVENTS.has(e.type) || (e.type === 'MarkerRecorded' && e.markerName === PATCH_MARKER)
  );
}

/**
 * Does any command or event of an activation need {@link comparable}'s filtering (patches,
 * markers, cancelled timers)? The usual activation has none: loops, not closures, since this
 * runs once per replayed activation.
 */
function needsFiltering(
  commands: readonly WorkflowCommand[],
  expected: readonly HistoryEvent[],
): boolean {
  for (let i = 0; i < commands.length; i++) if (commands[i]!.type === 'recordPatch') return true;
  for (let i = 0; i < expected.length; i++) {
    const type = expected[i]!.type;
    if (type === 'MarkerRecorded' || type === 'TimerCancelled') return true;
  }
  return false;
}

/** The init info of a run, from its key and WorkflowStarted event. */
export function initInfoFor(run: RunKey, started: EventOf<'WorkflowStarted'>): WorkflowInitInfo {
  const info: { -readonly [K in keyof WorkflowInitInfo]: WorkflowInitInfo[K] } = {
    namespace: run.namespace,
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: started.workflowType,
    taskQueue: started.taskQueue,
    startTime: started.recordedAt,
    version: started.version,
    firstRunId: started.firstRunId ?? run.runId,
    randomSeed: run.runId,
    attempt: started.attempt ?? 1,
  };
  if (started.continuedFromRunId !== undefined)
    info.continuedFromRunId = started.continuedFromRunId;
  if (started.headers) info.headers = started.headers;
  if (started.scheduledBy) info.scheduledBy = started.scheduledBy;
  if (started.lastResult) info.lastResult = started.lastResult;
  if (started.lastFailure) info.lastFailure = started.lastFailure;
  if (started.searchAttributes) info.searchAttributes = started.searchAttributes;
  if (started.priority) info.priority = started.priority;
  if (started.parent)
    info.parent = {
      workflowId: started.parent.workflowId,
      runId: started.parent.runId,
      namespace: started.parent.namespace,
    };
  return info;
}

export function describeCommand(cmd: WorkflowCommand): string {
  switch (cmd.type) {
    case 'scheduleActivity':
      return `ScheduleActivity(${cmd.activityType}, id ${cmd.activityId})`;
    case 'requestCancelActivity':
      return `RequestCancelActivity(id ${cmd.activityId})`;
    case 'startTimer':
      return `StartTimer(id ${cmd.timerId}, ${cmd.durationMs} ms)`;
    case 'cancelTimer':
      return `CancelTimer(id ${cmd.timerId})`;
    case 'completeWorkflow':
      return 'CompleteWorkflow';
    case 'failWorkflow':
      return `FailWorkflow(${cmd.failure.message})`;
    case 'cancelWorkflow':
      return 'CancelWorkflow';
    case 'continueAsNew':
      return `ContinueAsNew(${cmd.workflowType})`;
    case 'upsertSearchAttributes':
      return 'UpsertSearchAttributes';
    case 'upsertMemo':
      return 'UpsertMemo';
    case 'completeUpdate':
      return `CompleteUpdate(${cmd.updateId})`;
    case 'recordPatch':
      return `Patch(${cmd.patchId}${cmd.deprecated ? ', deprecated' : ''})`;
    case 'startChild':
      return `StartChild(${cmd.workflowType}, ${cmd.workflowId})`;
    case 'signalExternal':
      return `SignalExternal(${cmd.workflowId}, ${cmd.signalName})`;
    case 'cancelExternal':
      return `CancelExternal(${cmd.workflowId})`;
  }
}

export function describeEvent(e: HistoryEvent): string {
  switch (e.type) {
    case 'ActivityScheduled':
      return `ActivityScheduled(${e.activityType}, id ${e.activityId})`;
    case 'TimerStarted':
      return `TimerStarted(id ${e.timerId}, ${e.durationMs} ms)`;
    case 'TimerCancelled':
      return `TimerCancelled(id ${e.timerId})`;
    default:
      return e.type;
  }
}

/**
 * A cancel of a timer or activity that is not pending (after the activation's events): the
 * command-to-event step records nothing for it (see the engine's cancel commands).
 */
function noOpCancel(cmd: WorkflowCommand, book: RunBook): boolean {
  if (cmd.type === 'cancelTimer') return !book.timers.has(cmd.timerId);
  if (cmd.type === 'requestCancelActivity') return !book.activities.has(cmd.activityId);
  return false;
}

function matches(cmd: WorkflowCommand, e: HistoryEvent, book: RunBook): boolean {
  switch (cmd.type) {
    case 'scheduleActivity':
      return (
        e.type === 'ActivityScheduled' &&
        e.activityId === cmd.activityId &&
        e.activityType === cmd.activityType
      );
    case 'requestCancelActivity':
      return (
        e.type === 'ActivityCancelRequested' &&
        book.activityBySeq.get(e.scheduledSeq) === cmd.activityId
      );
    case 'startTimer':
      return e.type === 'TimerStarted' && e.timerId === cmd.timerId;
    case 'cancelTimer':
      return e.type === 'TimerCancelled' && e.timerId === cmd.timerId;
    case 'completeWorkflow':
      return e.type === 'WorkflowCompleted';
    case 'failWorkflow':
      return e.type === 'WorkflowFailed';
    case 'cancelWorkflow':
      return e.type === 'WorkflowCancelled';
    case 'continueAsNew':
      return e.type === 'WorkflowContinuedAsNew' && e.workflowType === cmd.workflowType;
    case 'upsertSearchAttributes':
      return e.type === 'SearchAttributesUpserted';
    case 'upsertMemo':
      return e.type === 'MemoUpserted';
    case 'completeUpdate':
      return e.type === 'UpdateCompleted' && e.updateId === cmd.updateId;
    case 'recordPatch':
      return (
        e.type === 'MarkerRecorded' && e.markerName === PATCH_MARKER && e.patchId === cmd.patchId
      );
    case 'startChild':
      return (
        e.type === 'ChildWorkflowInitiated' &&
        e.workflowType === cmd.workflowType &&
        e.workflowId === cmd.workflowId
      );
    case 'signalExternal':
      return (
        e.type === 'ExternalSignalInitiated' &&
        e.signalName === cmd.signalName &&
        e.target.workflowId === cmd.workflowId
      );
    case 'cancelExternal':
      return e.type === 'ExternalCancelInitiated' && e.target.workflowId === cmd.workflowId;
  }
}

/**
 * Timers started and cancelled within one recorded activation that the code no longer
 * issues: today such a timer records nothing, while histories of earlier versions hold both
 * events for it. They match the silence of today's code.
 */
function elidedTimers(
  commands: readonly WorkflowCommand[],
  expected: readonly HistoryEvent[],
): Set<string> {
  const out = new Set<string>();
  const started = new Set<string>();
  for (const e of expected) {
    if (e.type === 'TimerStarted') started.add(e.timerId);
    else if (e.type === 'TimerCancelled' && started.has(e.timerId)) out.add(e.timerId);
  }
  for (const c of commands) if (c.type === 'startTimer') out.delete(c.timerId);
  return out;
}

/**
 * The commands and events to pair up when {@link needsFiltering}: deprecated patches may be
 * present in history without code, or in code without history, and timers elided by today's
 * code match nothing.
 */
function comparable(
  commands: readonly WorkflowCommand[],
  expected: readonly HistoryEvent[],
): { cmds: readonly WorkflowCommand[]; evs: readonly HistoryEvent[] } {
  const isDeprecatedMarker = (e: HistoryEvent): boolean =>
    e.type === 'MarkerRecorded' && e.markerName === PATCH_MARKER && e.deprecated === true;
  const cmds = commands.filter(
    (c) =>
      !(
        c.type === 'recordPatch' &&
        c.deprecated &&
        !expected.some((e) => e.type === 'MarkerRecorded' && e.patchId === c.patchId)
      ),
  );
  const elided = elidedTimers(commands, expected);
  const evs = expected.filter(
    (e) =>
      !(
        isDeprecatedMarker(e) &&
        !commands.some(
          (c) => c.type === 'recordPatch' && c.patchId === (e as { patchId?: string }).patchId,
        )
      ) && !((e.type === 'TimerStarted' || e.type === 'TimerCancelled') && elided.has(e.timerId)),
  );
  return { cmds, evs };
}

/** Compares an activation's commands with the command events recorded for it. */
export function matchCommands(
  run: RunKey,
  commands: readonly WorkflowCommand[],
  expected: readonly HistoryEvent[],
  boundarySeq: number,
  book: RunBook,
): void {
  // Without patches or cancelled timers (the usual activation) nothing is left out.
  const { cmds, evs } = needsFiltering(commands, expected)
    ? comparable(commands, expected)
    : { cmds: commands, evs: expected };
  for (let i = 0, j = 0; i < cmds.length || j < evs.length; i++, j++) {
    const cmd = cmds[i];
    const e = evs[j];
    // A cancel whose target had already ended when it was issued (the timer fired, the
    // activity finished in the same activation) recorded nothing: it matches no event.
    if (cmd !== undefined && (e === undefined || !matches(cmd, e, book)) && noOpCancel(cmd, book)) {
      j--;
      continue;
    }
    if (cmd === undefined) {
      throw new NonDeterminismError({
        workflowId: run.workflowId,
        runId: run.runId,
        seq: e!.seq,
        expected: describeEvent(e!),
        found: 'no command',
      });
    }
    if (e === undefined) {
      throw new NonDeterminismError({
        workflowId: run.workflowId,
        runId: run.runId,
        seq: boundarySeq,
        expected: `no further command before seq ${boundarySeq}`,
        found: describeCommand(cmd),
      });
    }
    if (!matches(cmd, e, book)) {
      throw new NonDeterminismError({
        workflowId: run.workflowId,
        runId: run.runId,
        seq: e.seq,
        expected: describeEvent(e),
        found: describeCommand(cmd),
      });
    }
  }
}

/** A recorded activation crashed when replayed (it succeeded when first executed). */
export class ReplayCrashError extends Error {
  constructor(
    readonly crashCause: 'sandbox' | 'unhandled' | 'deadlock',
    readonly failure: Failure,
  ) {
    super(`workflow code crashed while replaying: ${failure.message}`);
    this.name = 'ReplayCrashError';
  }
}

export interface ReplayOptions {
  /** Apply the deadlock timeout (needed when checking history against other code). Default false. */
  readonly timeout?: boolean;
  /** Called with each activation's output (e.g. to count or inspect). */
  readonly onActivation?: (output: ActivationOutput) => void;
  /** Called once the run's module instance exists (its module-level code returned). */
  readonly onInstantiated?: () => void;
  /**
   * Capture where the operations still pending at the end of the history started (what
   * `__stack_trace` shows). Default true; a replay that only rebuilds a run to go on with it
   * passes false (a stack capture costs more than the rest of starting an operation).
   */
  readonly stacks?: boolean;
}

export interface Replayed {
  readonly run: SandboxRun;
  /** The run's bookkeeping after the history (without its size: `historyBytes` stays 0). */
  readonly book: RunBook;
  /** Activations executed. */
  readonly activations: number;
}

/**
 * Rebuilds a run by re-executing its code against its recorded history: arrivals are
 * delivered in the recorded batches (closed by WorkflowTaskCompleted or a workflow terminal),
 * each batch at its recorded time, and the commands must match the recorded ones.
 * Recorded-but-undelivered arrivals remain in `book.undelivered`.
 */
export function replayHistory(
  sandbox: PackageSandbox,
  run: RunKey,
  events: readonly HistoryEvent[],
  options: ReplayOptions = {},
): Replayed {
  const first = events[0];
  if (first?.type !== 'WorkflowStarted')
    throw new Error(`cannot replay run ${run.runId}: history does not start with WorkflowStarted`);
  const instance = sandbox.instantiate(initInfoFor(run, first));
  options.onInstantiated?.();
  const recorded: string[] = [];
  for (const e of events)
    if (e.type === 'MarkerRecorded' && e.markerName === PATCH_MARKER && e.patchId !== undefined)
      recorded.push(e.patchId);
  // Without patches in the history, activations carry none (nothing to copy into the realm).
  const patches = recorded.length > 0 ? recorded : undefined;
  const withStacks = options.stacks === false ? [] : activationsWithPendingOps(events);
  // The engine's own book of the run measures the history's size; this one serves the replay.
  const book = new RunBook({ historyBytes: false });
  const timeout = options.timeout ?? false;
  // A fresh list per activation: emptying one (`length = 0`) is a runtime call that costs
  // more than the allocation.
  let expected: HistoryEvent[] = [];
  let activations = 0;
  for (const event of events) {
    // One look-up per event: is it a command event, does it close an activation?
    const role = ROLES.get(event.type) ?? NONE;
    if ((role & COMMAND) !== 0 || (role & PATCH_CANDIDATE && isCommand(event)))
      expected.push(event);
    if ((role & CLOSES) !== 0) {
      const input: ActivationInput = {
        now: event.recordedAt,
        replaying: true,
        jobs: book.undelivered,
        historyLength: event.seq,
        continueAsNewSuggested: book.continueAsNewSuggested,
        patches,
        captureStacks: withStacks[activations] === true,
        captureConditionStacks: options.stacks !== false,
      };
      const output = sandbox.activate(instance, input, timeout);
      activations++;
      if (output.taskFailure)
        throw new ReplayCrashError(output.taskFailure.cause, output.taskFailure.failure);
      options.onActivation?.(output);
      matchCommands(run, output.commands, expected, event.seq, book);
      expected = [];
    }
    book.apply(event);
  }
  return { run: instance, book, activations };
}
