import { CancelledFailure, messageName, type WorkflowCommand } from '../core/index.js';
import {
  captureStack,
  encode,
  getState,
  pushCommand,
  type PendingOp,
} from './internal/run-state.js';
import { CancellationScope } from './internal/scope.js';

/** A handle on another workflow, for signalling or cancelling it from workflow code. */
export interface ExternalWorkflowHandle {
  readonly workflowId: string;
  readonly runId: string | undefined;
  /** Sends a signal (recorded; resolves once delivered, rejects if the target is gone or closed). */
  signal(signal: string | { readonly name: string }, ...args: unknown[]): Promise<void>;
  /** Requests cancellation of the target (recorded; resolves once delivered). */
  cancel(): Promise<void>;
}

/**
 * Records a signal or cancel request, bound to the current cancellation scope (as in
 * Temporal): in a cancelled scope nothing is recorded and the promise rejects with
 * CancelledFailure; cancelling the scope before the request leaves the activation that made it
 * withdraws the request and rejects alike. Once recorded, its delivery settles the promise.
 */
function op(
  kind: 'signal' | 'cancel',
  workflowId: string,
  runId: string | undefined,
  command: (externalId: string) => WorkflowCommand,
): Promise<void> {
  const s = getState();
  const scope = CancellationScope.current();
  if (scope.consideredCancelled) return Promise.reject(new CancelledFailure(scope.reason));
  const externalId = String(++s.nextExternalId);
  const cmd = command(externalId);
  pushCommand(s, cmd);
  return new Promise<void>((resolve, reject) => {
    const pending: PendingOp = {
      kind: 'child',
      describe: () => `${kind} of external workflow ${workflowId}${runId ? ` run ${runId}` : ''}`,
      stack: captureStack(s),
      resolve: () => {
        pending.unsubscribe?.();
        resolve();
      },
      reject: (err) => {
        pending.unsubscribe?.();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- failures decoded from history
        reject(err);
      },
    };
    s.externals.set(externalId, pending);
    pending.unsubscribe = scope.onCancel((reason) => {
      const at = s.commands.indexOf(cmd);
      if (at < 0 || !s.externals.delete(externalId)) return; // already sent: delivery settles it
      s.commands.splice(at, 1);
      reject(new CancelledFailure(reason));
    });
  });
}

/** Signals a workflow by id (a child's handle uses this too). */
export function signalWorkflow(
  workflowId: string,
  runId: string | undefined,
  signal: string | { readonly name: string },
  args: readonly unknown[],
): Promise<void> {
  const s = getState();
  const signalName = messageName(signal);
  const encoded = args.map((a) => encode(s, a));
  return op('signal', workflowId, runId, (externalId) => ({
    type: 'signalExternal',
    externalId,
    workflowId,
    ...(runId !== undefined ? { runId } : {}),
    signalName,
    args: encoded,
  }));
}

/**
 * A handle on another workflow by id (and optionally run id). Signals and cancellations are
 * recorded before they are sent, so a crash never sends them twice or loses them.
 */
export function getExternalWorkflowHandle(
  workflowId: string,
  runId?: string,
): ExternalWorkflowHandle {
  if (typeof workflowId !== 'string' || workflowId.length === 0)
    throw new TypeError('workflowId must be a non-empty string');
  return {
    workflowId,
    runId,
    signal(signal, ...args) {
      return signalWorkflow(workflowId, runId, signal, args);
    },
    cancel() {
      return op('cancel', workflowId, runId, (externalId) => ({
        type: 'cancelExternal',
        externalId,
        workflowId,
        ...(runId !== undefined ? { runId } : {}),
      }));
    },
  };
}
