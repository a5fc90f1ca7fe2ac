// Remote update handles: an accepted update's id and run, and its result by long-polling
// `…/updates/<updateId>/result` until the update completes.
import type { WorkflowUpdateHandle } from '../core/index.js';
import type { Connection } from './connection.js';

export function remoteUpdateHandle<T>(
  connection: Connection,
  path: string,
  ids: {
    readonly updateId: string;
    readonly workflowId: string;
    readonly runId: string | undefined;
    /** How the run is addressed when no run id is known (a handle made by update id). */
    readonly address: { readonly runId?: string; readonly firstExecutionRunId?: string };
  },
): WorkflowUpdateHandle<T> {
  const address = ids.runId !== undefined ? { runId: ids.runId } : ids.address;
  return {
    updateId: ids.updateId,
    workflowId: ids.workflowId,
    workflowRunId: ids.runId,
    result: async () => {
      for (;;) {
        const out = await connection.request<{ status: string; result?: T }>(
          'GET',
          `${path}/updates/${encodeURIComponent(ids.updateId)}/result`,
          { query: { ...address, waitMs: 30_000 }, timeoutMs: 45_000, longPoll: true },
        );
        if (out.status === 'COMPLETED') return out.result as T;
      }
    },
  };
}
