import type { PayloadConverter, SmallMap } from '../../core/index.js';
import {
  type ActivationJob,
  type LogLine,
  type Payload,
  type WorkflowCommand,
  type WorkflowInitInfo,
} from '../../core/index.js';
import type { WorkflowInterceptors } from '../interceptors.js';
import { IllegalStateError } from './illegal-state.js';

export interface PendingOp {
  readonly kind: 'activity' | 'timer' | 'condition' | 'child';
  /** Built only when a `__stack_trace` query asks. */
  readonly describe: () => string;
  /** Holder of the captured stack; formatting happens only when read. */
  readonly stack: { stack?: string };
  resolve(value: unknown): void;
  reject(error: unknown): void;
  unsubscribe?: () => void;
}

export interface ConditionWaiter {
  readonly fn: () => boolean;
  readonly op: PendingOp;
}

export type Handler = (...args: unknown[]) => unknown;

/** A run's module exports: the names (shared by the runs of a package) and the run's values. */
export interface ModuleExports extends Iterable<[name: string, value: unknown]> {
  get(name: string): unknown;
}

/** Per-run state of the workflow runtime. One module instance (and so one state) per run. */
export interface RunState {
  readonly info: WorkflowInitInfo;
  /** JSON, or the package's exported `payloadConverter` (set with the run's module). */
  converter: PayloadConverter;
  readonly random: () => number;
  now: number;
  replaying: boolean;
  /**
   * How many more operations of this activation get their creation stack (see
   * {@link captureStack}): {@link STACKS_PER_ACTIVATION} at the start of an activation, 0 while
   * replaying an activation none of whose operations is still pending at the end of the
   * replayed history.
   */
  stacksLeft: number;
  /** Whether conditions started now record their creation stack (true outside activations). */
  conditionStacks: boolean;
  historyLength: number;
  continueAsNewSuggested: boolean;
  commands: WorkflowCommand[];
  logs: LogLine[];
  /** Sees each log line as it is written (see GlobalsCell.tap). */
  logTap?: ((level: string, message: string, at: number) => void) | undefined;
  /** Set once a terminal command was issued; later commands are dropped. */
  closed: boolean;
  inQuery: boolean;
  taskFailure: { cause: 'sandbox' | 'unhandled'; error: unknown } | undefined;
  nextActivityId: number;
  nextTimerId: number;
  readonly activities: SmallMap<string, PendingOp & { activityType: string }>;
  readonly timers: SmallMap<string, PendingOp>;
  readonly conditions: Set<ConditionWaiter>;
  /** How many conditions wait (reads no collection into being). */
  readonly conditionCount: number;
  readonly signalHandlers: Map<string, Handler>;
  defaultSignalHandler: ((name: string, ...args: unknown[]) => unknown) | undefined;
  /** Handles updates that have no handler of their own (receives the update name first). */
  defaultUpdateHandler: ((name: string, ...args: unknown[]) => unknown) | undefined;
  /** Signal and update handlers whose promise has not settled yet (`allHandlersFinished`). */
  runningHandlers: number;
  readonly bufferedSignals: { name: string; args: unknown[] }[];
  /** Updates delivered before a handler (or the default handler) for them was set. */
  readonly bufferedUpdates: Extract<ActivationJob, { type: 'doUpdate' }>[];
  readonly queryHandlers: Map<string, Handler>;
  nextChildId: number;
  nextExternalId: number;
  /** Signal/cancel requests that left an activation (the engine's numbering of them). */
  recordedExternals: number;
  readonly externals: Map<string, PendingOp>;
  readonly children: Map<
    string,
    {
      workflowType: string;
      workflowId: string;
      started: PendingOp;
      result: PendingOp;
      runId?: string;
    }
  >;
  /** Patch ids known to be in history (replay) and those already recorded by this run. */
  readonly knownPatches: Set<string>;
  readonly sentPatches: Set<string>;
  readonly updateHandlers: Map<string, { handler: Handler; validator: Handler | undefined }>;
  cancelRequested: boolean;
  /** Set once the workflow function was called (patches are refused before). */
  started: boolean;
  /** Live `setTimeout` handles (durable timers) and how to clear each. */
  readonly timeouts: Map<number, () => void>;
  /**
   * The first sandbox violation (a forbidden API called) of the current activation: it fails
   * the activation as a task crash even if workflow code caught the error.
   */
  violation: unknown;
  /** A `CancellationScope` (set by the activator; typed structurally so this module does not import scope.ts). */
  rootScope: RootScope;
  /** From the workflow module's `interceptors` export (empty lists when none). */
  interceptors: { inbound: readonly object[]; outbound: readonly object[] } & WorkflowInterceptors;
  /** The run's instance of the workflow module: its exports, by name (workflow-exports.ts). */
  workflows: ModuleExports;
  /** Each exported workflow function → its export name; made on first use (workflowNameOf). */
  workflowNames: Map<unknown, string> | undefined;
  /** Named random streams (`getRandomStream`), each seeded from the run's seed and its name. */
  readonly randomStreams: Map<string, () => number>;
  /** The stream `Math.random()` and `uuid4()` draw from inside `stream.with(fn)`; none: `random`. */
  randomOverride: (() => number) | undefined;
}

/** The random source `Math.random()`, `uuid4()` and `random()` draw from now. */
export function currentRandom(s: RunState): number {
  return (s.randomOverride ?? s.random)();
}

let state: RunState | undefined;

export function setState(s: RunState): void {
  state = s;
}

/**
 * The run whose code is executing. The runtime is shared by every run of a package, and the
 * engine executes one run at a time (each activation drains its own microtasks before the
 * next run starts), so a current-run pointer is exact.
 */
export function getState(): RunState {
  if (state === undefined) {
    throw new IllegalStateError(
      'aion/workflow APIs can only be used inside workflow code run by the Aion engine',
    );
  }
  return state;
}

export function hasState(): boolean {
  return state !== undefined;
}

export function clearState(): void {
  state = undefined;
}

export class QueryViolation extends Error {
  constructor(what: string) {
    super(
      `query handlers must not change workflow state: ${what} is not allowed while answering a query`,
    );
    this.name = 'QueryViolation';
  }
}

export function pushCommand(s: RunState, command: WorkflowCommand): void {
  if (s.inQuery) throw new QueryViolation(command.type);
  if (s.closed) return;
  s.commands.push(command);
  if (
    command.type === 'completeWorkflow' ||
    command.type === 'failWorkflow' ||
    command.type === 'cancelWorkflow' ||
    command.type === 'continueAsNew'
  ) {
    s.closed = true;
  }
}

/** Counts `p` as a running handler until it settles (`allHandlersFinished`). */
export function trackHandler<T>(s: RunState, p: Promise<T>): Promise<T> {
  s.runningHandlers++;
  const done = (): void => {
    s.runningHandlers--;
  };
  p.then(done, done);
  return p;
}

export function encode(s: RunState, value: unknown): Payload {
  return s.converter.toPayload(value);
}

export function decode(s: RunState, payload: Payload): unknown {
  return s.converter.fromPayload(payload);
}

/**
 * Operations of one activation that get their creation stack. A fan-out starts its operations
 * from one place, so the first ones say where; capturing a stack is the costliest step of
 * starting an operation (a few microseconds), which a 1,000-way fan-out would pay a thousand
 * times.
 */
export const STACKS_PER_ACTIVATION = 64;

/**
 * Captures where an operation was created (for the `__stack_trace` query). The holder is
 * kept unformatted: V8 formats the trace only if `.stack` is read. With `s` given, it is
 * skipped once the activation used up `s.stacksLeft` (none while replaying an activation whose
 * operations all settle later in the replayed history).
 */
export function captureStack(s?: RunState): { stack?: string } {
  const holder: { stack?: string } = {};
  if (s === undefined) Error.captureStackTrace(holder, captureStack);
  else if (s.stacksLeft > 0) {
    s.stacksLeft--;
    Error.captureStackTrace(holder, captureStack);
  }
  return holder;
}

/** What the run state needs of its root cancellation scope (a `CancellationScope`). */
export interface RootScope {
  cancel(reason?: string): void;
}
