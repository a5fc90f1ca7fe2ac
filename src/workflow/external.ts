import { messageName } from '../core/index.js';
import { captureStack, encode, getState, pushCommand } from './internal/run-state.js';

/** A handle on another workflow, for signalling or cancelling it from workflow code. */
export interface ExternalWorkflowHandle {
  readonly workflowId: string;
  readonly runId: string | undefined;
  /** Sends a signal (recorded; resolves once delivered, rejects if the target is gone or closed). */
  signal(signal: string | { readonly name: string }, ...args: unknown[]): Promise<void>;
  /** Requests cancellation of the target (recorded; resolves once delivered). */
  cancel(): Promise<void>;
}

function op(
  kind: 'signal' | 'cancel',
  workflowId: string,
  runId: string | undefined,
  push: (externalId: string) => void,
): Promise<void> {
  const s = getState();
  const externalId = String(++s.nextExternalId);
  push(externalId);
  return new Promise<void>((resolve, reject) => {
    s.externals.set(externalId, {
      kind: 'child',
      describe: () => `${kind} of external workflow ${workflowId}${runId ? ` run ${runId}` : ''}`,
      stack: captureStack(),
      resolve: () => resolve(),
      reject,
    });
  });
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
      const s = getState();
      const signalName = messageName(signal);
      return op('signal', workflowId, runId, (externalId) =>
        pushCommand(s, {
          type: 'signalExternal',
          externalId,
          workflowId,
          ...(runId !== undefined ? { runId } : {}),
          signalName,
          args: args.map((a) => encode(s, a)),
        }),
      );
    },
    cancel() {
      const s = getState();
      return op('cancel', workflowId, runId, (externalId) =>
        pushCommand(s, {
          type: 'cancelExternal',
          externalId,
          workflowId,
          ...(runId !== undefined ? { runId } : {}),
        }),
      );
    },
  };
}
