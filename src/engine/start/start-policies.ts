// Workflow id reuse and conflict policies and the start's idempotency key: whether a start
// creates a run, returns an existing one, or is refused.
import {
  AionError,
  WorkflowAlreadyStartedError,
  type WorkflowStartOptions,
} from '../../core/index.js';
import type { Store } from '../../store/index.js';

const REUSE_POLICIES = [
  'ALLOW_DUPLICATE',
  'ALLOW_DUPLICATE_FAILED_ONLY',
  'REJECT_DUPLICATE',
  'TERMINATE_IF_RUNNING',
];
const CONFLICT_POLICIES = ['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'];
const REUSE_PREFIX = 'WORKFLOW_ID_REUSE_POLICY_';
const CONFLICT_PREFIX = 'WORKFLOW_ID_CONFLICT_POLICY_';

/**
 * A policy name without Temporal's proto prefix (`WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE`
 * is `REJECT_DUPLICATE`); `…_UNSPECIFIED` means the default.
 */
function unprefixed(value: unknown, prefix: string): unknown {
  if (typeof value !== 'string' || !value.startsWith(prefix)) return value;
  const name = value.slice(prefix.length);
  return name === 'UNSPECIFIED' ? undefined : name;
}

/** A policy value as a string for the checks (anything else fails them, shown as JSON). */
function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The id policies of a start in Aion's names: Temporal's prefixed names are accepted, and
 * Temporal's deprecated `TERMINATE_IF_RUNNING` reuse policy is `ALLOW_DUPLICATE` with the
 * `TERMINATE_EXISTING` conflict policy (it may not be combined with a conflict policy).
 */
export function normalizedPolicies(options: WorkflowStartOptions): {
  reuse: string;
  conflict: string;
} {
  const reuse = unprefixed(options.workflowIdReusePolicy, REUSE_PREFIX) ?? 'ALLOW_DUPLICATE';
  const conflict = unprefixed(options.workflowIdConflictPolicy, CONFLICT_PREFIX);
  if (reuse === 'TERMINATE_IF_RUNNING') {
    if (conflict !== undefined)
      throw new AionError(
        'invalid_argument',
        'workflowIdReusePolicy TERMINATE_IF_RUNNING cannot be combined with a workflowIdConflictPolicy: use ALLOW_DUPLICATE with TERMINATE_EXISTING',
        { field: 'workflowIdConflictPolicy' },
      );
    return { reuse: 'ALLOW_DUPLICATE', conflict: 'TERMINATE_EXISTING' };
  }
  return { reuse: nameOf(reuse), conflict: nameOf(conflict ?? 'FAIL') };
}
/**
 * The conflict policy a start asked for, in Aion's names, or undefined when it left it unset
 * (signal-with-start then signals the open run, as in Temporal).
 */
export function givenConflictPolicy(options: WorkflowStartOptions): string | undefined {
  const conflict = unprefixed(options.workflowIdConflictPolicy, CONFLICT_PREFIX);
  const reuse = unprefixed(options.workflowIdReusePolicy, REUSE_PREFIX);
  if (conflict === undefined && reuse !== 'TERMINATE_IF_RUNNING') return undefined;
  return normalizedPolicies(options).conflict;
}

const FAILED_LIKE = ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];

/** Idempotency keys of starts and signals: a non-empty string of at most 200 characters. */
export function requestIdIsValid(requestId: unknown): requestId is string {
  return typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 200;
}

export function badRequestId(): AionError {
  return new AionError(
    'invalid_argument',
    'requestId must be a non-empty string of at most 200 characters',
    { field: 'requestId' },
  );
}

export interface StartPolicyDeps {
  readonly store: Store;
  /** Terminates the open run of a workflow (TERMINATE_EXISTING). */
  readonly terminate: (
    ns: string,
    workflowId: string,
    runId: string,
    reason: string,
  ) => Promise<void>;
}

/**
 * Validates a start's id policies and idempotency key (synchronous: a start whose id the
 * engine generates needs nothing else of them). Returns the policies in Aion's names.
 */
export function checkStartPolicies(options: WorkflowStartOptions): {
  reuse: string;
  conflict: string;
} {
  const given = unprefixed(options.workflowIdReusePolicy, REUSE_PREFIX) ?? 'ALLOW_DUPLICATE';
  if (typeof given !== 'string' || !REUSE_POLICIES.includes(given)) {
    throw new AionError(
      'invalid_argument',
      `workflowIdReusePolicy must be ALLOW_DUPLICATE, ALLOW_DUPLICATE_FAILED_ONLY, REJECT_DUPLICATE or TERMINATE_IF_RUNNING, got ${JSON.stringify(options.workflowIdReusePolicy)}`,
      { field: 'workflowIdReusePolicy' },
    );
  }
  const { reuse, conflict } = normalizedPolicies(options);
  if (!CONFLICT_POLICIES.includes(conflict)) {
    throw new AionError(
      'invalid_argument',
      `workflowIdConflictPolicy must be FAIL, USE_EXISTING or TERMINATE_EXISTING, got ${JSON.stringify(options.workflowIdConflictPolicy)}`,
      { field: 'workflowIdConflictPolicy' },
    );
  }
  if (options.requestId !== undefined && !requestIdIsValid(options.requestId)) {
    throw badRequestId();
  }
  return { reuse, conflict };
}

/**
 * The start option saying that its request id was made for this very call and never sent
 * before (a client's first attempt of a start whose request id it generated): no earlier run
 * can carry it. Keyed by a symbol: never user input, never persisted.
 */
export const NEW_REQUEST_ID: unique symbol = Symbol('aion.newRequestId');

/** Start options marked with {@link NEW_REQUEST_ID} (the options are not changed). */
export function withNewRequestId(options: WorkflowStartOptions): WorkflowStartOptions {
  const marked: WorkflowStartOptions & { [NEW_REQUEST_ID]: true } = {
    ...options,
    [NEW_REQUEST_ID]: true,
  };
  return marked;
}

/**
 * True when the start commit alone can apply the id policies of a start of a given workflow
 * id, so the start need not read the id's current run first (Temporal's "brand new" start):
 * the reuse policy allows a new run after any closed one, an open run with the id is an error
 * (the FAIL conflict policy: USE_EXISTING and TERMINATE_EXISTING expect to meet one, and read
 * first), and no earlier call can have used the request id (none was given, or it is new:
 * {@link NEW_REQUEST_ID}). An open run with the id then makes the commit fail with
 * `workflow_already_started`, and the start applies the policies from the store after all
 * (StartService). Validates the policies, as {@link checkStartPolicies}.
 */
export function commitDecidesStart(options: WorkflowStartOptions): boolean {
  const { reuse, conflict } = checkStartPolicies(options);
  if (reuse !== 'ALLOW_DUPLICATE' || conflict !== 'FAIL') return false;
  return (
    options.requestId === undefined ||
    (options as { readonly [NEW_REQUEST_ID]?: true })[NEW_REQUEST_ID] === true
  );
}

/**
 * Applies the id reuse and conflict policies and the idempotency key to a start of a given
 * workflow id (an id the engine generated names no run yet: the start commit alone guards
 * it, and {@link checkStartPolicies} is all it needs). Returns the run id of an existing run
 * to use instead of starting one (idempotent retry, USE_EXISTING).
 */
export async function applyStartPolicies(
  deps: StartPolicyDeps,
  ns: string,
  workflowId: string,
  options: WorkflowStartOptions,
): Promise<string | undefined> {
  const { reuse, conflict } = checkStartPolicies(options);
  const current = await deps.store.getCurrentRun(ns, workflowId);
  if (!current) return undefined;
  if (options.requestId !== undefined) {
    const [started] = await deps.store.readHistory(current, { toSeq: 1 });
    if (started?.type === 'WorkflowStarted' && started.requestId === options.requestId)
      return current.runId; // a retried call
  }
  if (current.closeTime === undefined) {
    if (conflict === 'USE_EXISTING') return current.runId;
    if (conflict === 'TERMINATE_EXISTING') {
      await deps.terminate(
        ns,
        workflowId,
        current.runId,
        'terminated by a new start (TERMINATE_EXISTING)',
      );
      return undefined;
    }
    throw new WorkflowAlreadyStartedError(ns, workflowId, current.runId);
  }
  const failedLike = FAILED_LIKE.includes(current.status);
  if (reuse === 'REJECT_DUPLICATE' || (reuse === 'ALLOW_DUPLICATE_FAILED_ONLY' && !failedLike)) {
    throw new WorkflowAlreadyStartedError(ns, workflowId, current.runId, {
      message: `workflow id ${JSON.stringify(workflowId)} was already used by run ${current.runId} (${current.status}) and the reuse policy ${reuse} forbids a new run`,
      details: { status: current.status },
    });
  }
  return undefined;
}
