// Workflow id reuse and conflict policies and the start's idempotency key: whether a start
// creates a run, returns an existing one, or is refused.
import {
  AionError,
  WorkflowAlreadyStartedError,
  type WorkflowStartOptions,
} from '../../core/index.js';
import type { Store } from '../../store/index.js';

const REUSE_POLICIES = ['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE'];
const CONFLICT_POLICIES = ['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'];
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
 * Applies the id reuse and conflict policies and the idempotency key. Returns the run id of
 * an existing run to use instead of starting one (idempotent retry, USE_EXISTING).
 */
export async function applyStartPolicies(
  deps: StartPolicyDeps,
  ns: string,
  workflowId: string,
  options: WorkflowStartOptions,
): Promise<string | undefined> {
  const reuse = options.workflowIdReusePolicy ?? 'ALLOW_DUPLICATE';
  const conflict = options.workflowIdConflictPolicy ?? 'FAIL';
  if (!REUSE_POLICIES.includes(reuse)) {
    throw new AionError(
      'invalid_argument',
      `workflowIdReusePolicy must be ALLOW_DUPLICATE, ALLOW_DUPLICATE_FAILED_ONLY or REJECT_DUPLICATE, got ${JSON.stringify(reuse)}`,
      { field: 'workflowIdReusePolicy' },
    );
  }
  if (!CONFLICT_POLICIES.includes(conflict)) {
    throw new AionError(
      'invalid_argument',
      `workflowIdConflictPolicy must be FAIL, USE_EXISTING or TERMINATE_EXISTING, got ${JSON.stringify(conflict)}`,
      { field: 'workflowIdConflictPolicy' },
    );
  }
  if (options.requestId !== undefined && !requestIdIsValid(options.requestId)) {
    throw badRequestId();
  }
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
    throw new AionError(
      'workflow_already_started',
      `workflow id ${JSON.stringify(workflowId)} was already used by run ${current.runId} (${current.status}) and the reuse policy ${reuse} forbids a new run`,
      { namespace: ns, workflowId, runId: current.runId, status: current.status },
    );
  }
  return undefined;
}
