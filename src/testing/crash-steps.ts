import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '../clock/index.js';
import type { HistoryExport, WorkflowHandle } from '../client/index.js';
import {
  AionError,
  DataConverter,
  isTerminalEventType,
  type HistoryEvent,
  type RunKey,
  type WorkflowCommand,
} from '../core/index.js';
import { buildPackage } from '../package/index.js';
import {
  DEFAULT_DEADLOCK_TIMEOUT_MS,
  isCommandEvent,
  RunBook,
  WorkflowThread,
  type ReplayOutcome,
} from '../runtime/index.js';
import {
  ActivityReexecutionMismatch,
  reexecuteOutcome,
  type ReexecuteContext,
} from './crash-steps-activities.js';
import {
  commandView,
  describeView,
  eventView,
  isDeprecatedPatchCommand,
  isDeprecatedPatchEvent,
  sameView,
} from './crash-steps-compare.js';
import { TestWorkflowEnvironment, type TimeSkippingEnvironmentOptions } from './environment.js';

/** Options of {@link checkCrashAtEveryStep}: a time-skipping environment's, plus the run. */
export interface CrashAtEveryStepOptions extends TimeSkippingEnvironmentOptions {
  /** The workflows module (built for the original run and again for the recoveries). */
  readonly workflowsPath: string;
  readonly workflowType: string;
  readonly args?: readonly unknown[];
  /** Default `crash-steps-<uuid>`. */
  readonly workflowId?: string;
  /**
   * Drives the original run once it has started: send signals and updates, advance time
   * (`env.sleep`). The run's result is awaited (time skipping) after it returns.
   */
  readonly script?: (
    handle: WorkflowHandle,
    env: TestWorkflowEnvironment<VirtualClock>,
  ) => Promise<void>;
  /**
   * Run the real activities again for outcomes recorded after the crash point (as the engine
   * does for attempts a crash interrupted), instead of delivering the recorded outcomes.
   * Default false.
   */
  readonly reexecuteActivities?: boolean;
  /** Longest one activation of a recovery may run synchronously. Default 2,000 ms. */
  readonly deadlockTimeoutMs?: number;
}

/** One simulated crash that recovered to the original outcome. */
export interface CrashStepResult {
  /** Workflow tasks completed before the crash (0: right after the run started). */
  readonly step: number;
  /** Seq of the last event kept: the recovery replays events 1..afterSeq. */
  readonly afterSeq: number;
  /** Workflow tasks re-executed live after the replay. */
  readonly liveTasks: number;
}

export interface CrashAtEveryStepResult {
  /** Crash points checked: one per workflow task boundary, plus right after the start. */
  readonly steps: number;
  readonly results: readonly CrashStepResult[];
  /** The original run's history. */
  readonly history: HistoryExport;
}

/**
 * A simulated crash did not recover to the original history. Code `nondeterminism`; `step`
 * and `afterSeq` name the crash point, `seq`, `expected` and `actual` the first difference.
 */
export class CrashStepError extends AionError {
  readonly step: number;
  readonly afterSeq: number;
  readonly seq: number;
  readonly expected: string;
  readonly actual: string;
  constructor(
    info: { step: number; afterSeq: number; seq: number; expected: string; actual: string },
    what: string,
    cause?: unknown,
  ) {
    super(
      'nondeterminism',
      `crash after step ${info.step} (history seq ${info.afterSeq}) does not recover to the same history: ${what}`,
      { ...info },
      cause === undefined ? undefined : { cause },
    );
    this.name = 'CrashStepError';
    this.step = info.step;
    this.afterSeq = info.afterSeq;
    this.seq = info.seq;
    this.expected = info.expected;
    this.actual = info.actual;
  }
}

/**
 * Runs a workflow once in a time-skipping environment, then, for every workflow task
 * boundary of its history, simulates a crash there: the run is rebuilt by replaying the
 * history up to that point, the inputs that came later (signals, updates, activity outcomes,
 * timer fires, child outcomes) are delivered again in their recorded batches, and every
 * command event the recovered run produces is compared with the original, down to the
 * final outcome. Throws {@link CrashStepError} at the first crash point that does not
 * recover to the same history.
 *
 * @example
 * const { steps } = await checkCrashAtEveryStep({
 *   workflowsPath, activities, workflowType: 'order', args: [order],
 *   script: async (handle) => { await handle.signal('approve', 'ada'); },
 * });
 */
export async function checkCrashAtEveryStep(
  options: CrashAtEveryStepOptions,
): Promise<CrashAtEveryStepResult> {
  const history = await originalRun(options);
  const events = history.events;
  const boundaries = taskBoundaries(events);
  const built = await buildPackage({ workflowsPath: options.workflowsPath });
  const thread = new WorkflowThread({
    deadlockTimeoutMs: options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
    onRestart: () => undefined,
  });
  const started = events[0] as Extract<HistoryEvent, { type: 'WorkflowStarted' }>;
  const run: RunKey = {
    namespace: history.namespace,
    workflowId: history.workflowId,
    runId: history.runId,
  };
  const ctx: StepContext = {
    thread,
    version: built.version,
    run,
    events,
    boundaries,
    reexecute: options.reexecuteActivities
      ? {
          run,
          workflowType: started.workflowType,
          taskQueue: started.taskQueue,
          activities: options.activities ?? {},
          converter: new DataConverter({
            ...(options.payloadConverter ? { payloadConverter: options.payloadConverter } : {}),
            ...(options.payloadCodecs ? { payloadCodecs: options.payloadCodecs } : {}),
          }),
          events,
        }
      : undefined,
  };
  try {
    await thread.loadPackage(built.version, built.bundle);
    const results: CrashStepResult[] = [];
    for (let step = 0; step <= boundaries.length; step++) results.push(await checkStep(ctx, step));
    return { steps: results.length, results, history };
  } finally {
    await thread.close();
  }
}

async function originalRun(options: CrashAtEveryStepOptions): Promise<HistoryExport> {
  const {
    workflowType,
    args,
    workflowId,
    script,
    reexecuteActivities: _r,
    deadlockTimeoutMs: _d,
    ...envOptions
  } = options;
  const env = await TestWorkflowEnvironment.createTimeSkipping(envOptions);
  try {
    const handle = await env.client.workflow.start(workflowType, {
      workflowId: workflowId ?? `crash-steps-${randomUUID()}`,
      args: [...(args ?? [])],
    });
    if (script) await script(handle, env);
    await handle.result().catch(() => undefined); // a failed run is an outcome like any other
    const history = await handle.fetchHistory();
    const last = history.events.at(-1);
    if (!last || !isTerminalEventType(last.type))
      throw new AionError(
        'invalid_state',
        `the original run of ${workflowType} did not close (last event: ${last?.type ?? 'none'})`,
      );
    return history;
  } finally {
    await env.teardown();
  }
}

/** Indices of the events that close a workflow task: WorkflowTaskCompleted or a terminal. */
function taskBoundaries(events: readonly HistoryEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (
      e.type === 'WorkflowTaskCompleted' ||
      (isTerminalEventType(e.type) && isCommandEvent(e.type))
    )
      out.push(i);
  });
  return out;
}

interface StepContext {
  readonly thread: WorkflowThread;
  readonly version: string;
  readonly run: RunKey;
  readonly events: readonly HistoryEvent[];
  readonly boundaries: readonly number[];
  readonly reexecute: ReexecuteContext | undefined;
}

/** Whether workflow code decided this event (what a recovery must reproduce). */
function isCommand(e: HistoryEvent): boolean {
  return isCommandEvent(e.type) || (e.type === 'MarkerRecorded' && e.markerName === 'patch');
}

/** Crash after `step` tasks: replay that prefix, then re-run the later tasks live. */
async function checkStep(ctx: StepContext, step: number): Promise<CrashStepResult> {
  const cut = step === 0 ? 0 : ctx.boundaries[step - 1]!;
  const prefix = ctx.events.slice(0, cut + 1);
  const afterSeq = prefix.at(-1)!.seq;
  const key = `crash-step/${step}/${randomUUID()}`;
  try {
    let outcome: ReplayOutcome;
    try {
      outcome = await ctx.thread.replay(key, ctx.version, ctx.run, prefix);
    } catch (err) {
      throw replayFailed(step, afterSeq, (err as Error).message, err);
    }
    if (!outcome.ok) throw replayFailed(step, afterSeq, outcome.failure.message, outcome);
    const book = new RunBook();
    for (const e of prefix) book.apply(e);
    for (let task = step; task < ctx.boundaries.length; task++) {
      const from = task === 0 ? 1 : ctx.boundaries[task - 1]! + 1;
      const segment = ctx.events.slice(from, ctx.boundaries[task]! + 1);
      await liveTask(ctx, key, book, segment, { step, afterSeq });
    }
    return { step, afterSeq, liveTasks: ctx.boundaries.length - step };
  } finally {
    ctx.thread.evict([key]);
  }
}

function replayFailed(step: number, afterSeq: number, message: string, cause: unknown): Error {
  const d = (cause as { details?: Record<string, unknown> }).details ?? {};
  return new CrashStepError(
    {
      step,
      afterSeq,
      seq: typeof d.seq === 'number' ? d.seq : afterSeq,
      expected: typeof d.expected === 'string' ? d.expected : 'the recorded history',
      actual: typeof d.found === 'string' ? d.found : message,
    },
    `replaying the history up to the crash failed: ${message}`,
    cause,
  );
}

/**
 * Delivers one recorded task's inputs to the recovered run (live, not replaying) and checks
 * that its commands are the recorded command events, event by event.
 */
async function liveTask(
  ctx: StepContext,
  key: string,
  book: RunBook,
  segment: readonly HistoryEvent[],
  at: { step: number; afterSeq: number },
): Promise<void> {
  const boundary = segment.at(-1)!;
  const recorded = segment.filter(isCommand);
  const firstCommand = segment.findIndex(isCommand);
  const before = firstCommand < 0 ? segment.length - 1 : firstCommand;
  for (const e of segment.slice(0, -1)) book.apply(await deliverable(ctx, e, at));
  const [output] = await ctx.thread.activate([
    {
      key,
      input: {
        now: boundary.recordedAt,
        replaying: false,
        jobs: [...book.undelivered],
        historyLength: before > 0 ? segment[before - 1]!.seq : segment[0]!.seq - 1,
        continueAsNewSuggested: book.continueAsNewSuggested,
      },
    },
  ]);
  if (output!.taskFailure)
    throw new CrashStepError(
      {
        ...at,
        seq: boundary.seq,
        expected: 'the task to complete',
        actual: output!.taskFailure.failure.message,
      },
      `the recovered run crashed in the workflow task ending at seq ${boundary.seq}: ${output!.taskFailure.failure.message}`,
    );
  compareTask(book, output!.commands, recorded, boundary, at);
  book.apply(boundary);
}

async function deliverable(
  ctx: StepContext,
  e: HistoryEvent,
  at: { step: number; afterSeq: number },
): Promise<HistoryEvent> {
  if (!ctx.reexecute) return e;
  try {
    return await reexecuteOutcome(ctx.reexecute, e);
  } catch (err) {
    if (!(err instanceof ActivityReexecutionMismatch)) throw err;
    throw new CrashStepError(
      { ...at, seq: err.seq, expected: err.expected, actual: err.actual },
      `at seq ${err.seq} the re-executed activity gave ${err.actual}, the original history expects ${err.expected}`,
    );
  }
}

function compareTask(
  book: RunBook,
  commands: readonly WorkflowCommand[],
  recorded: readonly HistoryEvent[],
  boundary: HistoryEvent,
  at: { step: number; afterSeq: number },
): void {
  const cmds = commands.filter((c) => !isDeprecatedPatchCommand(c));
  const evs = recorded.filter((e) => !isDeprecatedPatchEvent(e));
  const activityOf = (seq: number): unknown => book.activityBySeq.get(seq);
  for (let i = 0; i < Math.max(cmds.length, evs.length); i++) {
    const c = cmds[i] === undefined ? undefined : commandView(cmds[i]!);
    const e = evs[i] === undefined ? undefined : eventView(evs[i]!, activityOf);
    if (c && e && sameView(c, e)) continue;
    const seq = evs[i]?.seq ?? boundary.seq;
    const expected = describeView(e);
    const actual = describeView(c);
    throw new CrashStepError(
      { ...at, seq, expected, actual },
      `at seq ${seq} the original history has ${expected} but the recovered run issued ${actual}`,
    );
  }
}
