import {
  CancelledFailure,
  ChildWorkflowFailure,
  composeInterceptors,
  optionalDuration,
  PARENT_CLOSE_POLICIES,
  type Duration,
  type ParentClosePolicy,
  type Priority,
  validatePriority,
  type WorkflowCommand,
} from '../core/index.js';
import type { RetryPolicyOptions } from './activity-options.js';
import { uuidFrom } from './internal/random.js';
import { toRecordedRetry } from './internal/retry-options.js';
import {
  captureStack,
  encode,
  getState,
  pushCommand,
  type PendingOp,
} from './internal/run-state.js';
import { CancellationScope } from './internal/scope.js';
import { workflowNameOf } from './internal/workflow-exports.js';
import { signalWorkflow } from './external.js';
import type { StartChildWorkflowInput, WorkflowOutboundCallsInterceptor } from './interceptors.js';

type AnyWorkflow = (...args: never[]) => Promise<unknown>;
type ResultOf<W> = W extends (...args: never[]) => Promise<infer R> ? R : unknown;
type ArgsOf<W> = W extends (...args: infer A) => Promise<unknown> ? A : unknown[];

export interface ChildWorkflowOptions<Args extends readonly unknown[] = unknown[]> {
  /** Default: a deterministic id derived from the parent (`<parent id>/<uuid>`). */
  readonly workflowId?: string;
  readonly args?: Args;
  /** Default: the parent's task queue. */
  readonly taskQueue?: string;
  /** What happens to the child when the parent closes. Default `TERMINATE`. */
  readonly parentClosePolicy?: ParentClosePolicy;
  readonly workflowExecutionTimeout?: Duration;
  readonly workflowRunTimeout?: Duration;
  /**
   * Retry policy of the child workflow (as in Temporal): a failed child run is followed by a
   * new run after the backoff; the parent sees only the last attempt's outcome. Default: none.
   */
  readonly retry?: RetryPolicyOptions;
  /**
   * Task priority of the child (as in Temporal). Default: the parent's. Recorded and shown in
   * the child's `workflowInfo().priority`; Aion does not order tasks by it.
   */
  readonly priority?: Priority;
}

/** A started child workflow. */
export interface ChildWorkflowHandle<R> {
  readonly workflowId: string;
  /** Run id of the child's first run. */
  readonly firstExecutionRunId: string;
  /** The child's outcome (following its continue-as-new chain); rejects with ChildWorkflowFailure. */
  result(): Promise<R>;
  /** Signals the child (recorded, bound to the current cancellation scope like an external signal). */
  signal(signal: string | { readonly name: string }, ...args: unknown[]): Promise<void>;
}

function typeName(workflow: string | AnyWorkflow): string {
  // The export name is the workflow type (bundling may rename the function itself).
  const name =
    typeof workflow === 'function'
      ? (workflowNameOf(getState(), workflow) ?? workflow.name)
      : workflow;
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError('child workflow must be an exported workflow function or its type name');
  return name;
}

/**
 * Starts a child workflow and resolves once it has started (its start is recorded first, so
 * a crash cannot start it twice). Failures to start (id in use, unknown type) reject with
 * ChildWorkflowFailure.
 */
export function startChild<W extends AnyWorkflow>(
  workflow: W | string,
  options: ChildWorkflowOptions<ArgsOf<W>> = {},
): Promise<ChildWorkflowHandle<ResultOf<W>>> {
  const s = getState();
  const workflowType = typeName(workflow);
  const policy = options.parentClosePolicy ?? 'TERMINATE';
  if (!(PARENT_CLOSE_POLICIES as readonly string[]).includes(policy)) {
    throw new TypeError(`parentClosePolicy must be one of ${PARENT_CLOSE_POLICIES.join(', ')}`);
  }
  const scope = CancellationScope.current();
  if (scope.consideredCancelled) return Promise.reject(new CancelledFailure(scope.reason));
  const childId = String(++s.nextChildId);
  const workflowId = options.workflowId ?? `${s.info.workflowId}/${uuidFrom(s.random)}`;
  const executionTimeoutMs = optionalDuration(
    options.workflowExecutionTimeout,
    'workflowExecutionTimeout',
  );
  const runTimeoutMs = optionalDuration(options.workflowRunTimeout, 'workflowRunTimeout');
  const begin = (input: StartChildWorkflowInput): Promise<ChildWorkflowHandle<ResultOf<W>>> =>
    beginChild<W>(s, scope, childId, input, options, policy, executionTimeoutMs, runTimeoutMs);
  const outbound = s.interceptors.outbound as readonly WorkflowOutboundCallsInterceptor[];
  const input = { workflowType, workflowId, args: options.args ?? [], headers: {} };
  if (outbound.length === 0) return begin(input);
  return composeInterceptors(outbound, 'startChildWorkflow', begin)(input) as Promise<
    ChildWorkflowHandle<ResultOf<W>>
  >;
}

/** The child's priority: the options', else the parent's (as in Temporal). */
function priorityOf(given: unknown, parent: Priority | undefined): { priority?: Priority } {
  const priority = validatePriority(given, invalidOptions) ?? parent;
  return priority ? { priority } : {};
}

function invalidOptions(message: string): never {
  throw new TypeError(`invalid child workflow options: ${message}`);
}

function beginChild<W extends AnyWorkflow>(
  s: ReturnType<typeof getState>,
  scope: CancellationScope,
  childId: string,
  input: StartChildWorkflowInput,
  options: ChildWorkflowOptions<ArgsOf<W>>,
  policy: ParentClosePolicy,
  executionTimeoutMs: number | undefined,
  runTimeoutMs: number | undefined,
): Promise<ChildWorkflowHandle<ResultOf<W>>> {
  const { workflowType, workflowId } = input;
  const startCommand: StartChildCommand = {
    type: 'startChild',
    childId,
    workflowId,
    workflowType,
    args: input.args.map((a) => encode(s, a)),
    taskQueue: options.taskQueue ?? s.info.taskQueue,
    parentClosePolicy: policy,
    ...(executionTimeoutMs !== undefined ? { executionTimeoutMs } : {}),
    ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}),
    ...(Object.keys(input.headers).length > 0 ? { headers: input.headers } : {}),
    ...(options.retry ? { retryPolicy: toRecordedRetry(options.retry, invalidOptions) } : {}),
    ...priorityOf(options.priority, s.info.priority),
  };
  pushCommand(s, startCommand);
  let resolveResult!: (v: unknown) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<unknown>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  result.catch(() => undefined); // observed through handle.result()
  return new Promise<ChildWorkflowHandle<ResultOf<W>>>((resolve, reject) => {
    const started: PendingOp = {
      kind: 'child',
      describe: () => `child workflow ${workflowId} (${workflowType}) starting`,
      stack: captureStack(s),
      resolve: (runId) =>
        resolve({
          workflowId,
          firstExecutionRunId: runId as string,
          result: () => result as Promise<ResultOf<W>>,
          signal: (signal, ...args) => signalWorkflow(workflowId, undefined, signal, args),
        }),
      reject,
    };
    started.unsubscribe = scope.onCancel((reason) => {
      if (dropUnsentStart(s, startCommand)) {
        const cause = new CancelledFailure(reason);
        const message = `child workflow ${workflowId} cancelled before it was started`;
        reject(childFailure(workflowType, workflowId, undefined, message, cause));
      } else requestChildCancel(s, startCommand.childId, workflowId);
    });
    s.children.set(childId, {
      workflowType,
      workflowId,
      started,
      result: {
        kind: 'child',
        describe: () => `child workflow ${workflowId} (${workflowType}) result`,
        stack: started.stack,
        resolve: resolveResult,
        reject: rejectResult,
      },
    });
  });
}

/**
 * Asks a started (or starting) child to cancel, recorded as an external cancellation; the
 * child's outcome (usually CANCELLED) then reaches this workflow as usual.
 */
function requestChildCancel(s: ReturnType<typeof getState>, childId: string, workflowId: string) {
  const child = s.children.get(childId);
  if (!child) return;
  const externalId = String(++s.nextExternalId);
  pushCommand(s, {
    type: 'cancelExternal',
    externalId,
    workflowId,
    ...(child.runId !== undefined ? { runId: child.runId } : {}),
  });
  s.externals.set(externalId, {
    kind: 'child',
    describe: () => `cancellation of child ${workflowId}`,
    stack: {},
    resolve: () => undefined,
    reject: () => undefined,
  });
}

type StartChildCommand = Extract<WorkflowCommand, { type: 'startChild' }>;

/**
 * Cancelling the scope before the start left this activation removes the start (nothing is
 * recorded), as in Temporal; the caller fails it as cancelled. The engine numbers children in
 * the order their starts are recorded, so the later starts of this activation, not sent
 * either, move down one number.
 */
function dropUnsentStart(s: ReturnType<typeof getState>, startCommand: StartChildCommand) {
  const at = s.inQuery ? -1 : s.commands.indexOf(startCommand);
  if (at < 0) return false;
  s.commands.splice(at, 1);
  const dropped = Number(startCommand.childId);
  s.children.delete(startCommand.childId);
  for (const later of s.commands) {
    if (later.type !== 'startChild' || Number(later.childId) < dropped) continue;
    const child = s.children.get(later.childId);
    s.children.delete(later.childId);
    // Not sent yet, so its number is still this workflow's to give.
    (later as { childId: string }).childId = String(Number(later.childId) - 1);
    if (child) s.children.set(later.childId, child);
  }
  s.nextChildId--;
  return true;
}

/** Starts a child workflow and waits for its result. */
export async function executeChild<W extends AnyWorkflow>(
  workflow: W | string,
  options: ChildWorkflowOptions<ArgsOf<W>> = {},
): Promise<ResultOf<W>> {
  const handle = await startChild(workflow, options);
  return handle.result();
}

export function childFailure(
  workflowType: string,
  workflowId: string,
  runId: string | undefined,
  message: string,
  cause: Error,
): ChildWorkflowFailure {
  return new ChildWorkflowFailure(message, workflowType, workflowId, runId, cause);
}
