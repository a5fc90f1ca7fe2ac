// The remote workflow handle: assembles one run's calls (result long-poll, messages,
// history, describe, control and operator actions) over the shared HTTP connection.
import {
  messageName,
  type GetWorkflowHandleOptions,
  type TimeTravelResult,
} from '../core/index.js';
import type { ClientContext, HandleTarget, PostOptions } from './context.js';
import { historyCalls } from './handle-history.js';
import { messageCalls } from './handle-messages.js';
import type { GetRemoteHandle, RemoteWorkflowHandle } from './remote-types.js';
import { describeFromJson, namespacePath } from './wire.js';

/**
 * A remote handle on `workflowId`: on run `runId`, or the current run when undefined. With
 * `firstExecutionRunId` (handles from a start), messages and control go to the latest run of
 * that run's chain (describe and history too), and `result()` follows the chain from it.
 */
export function createRemoteHandle<R>(
  ctx: ClientContext,
  workflowId: string,
  runId?: string,
  options: GetWorkflowHandleOptions = {},
): RemoteWorkflowHandle<R> {
  const c = ctx.connection;
  const path = `${namespacePath(ctx.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  const first = runId === undefined ? options.firstExecutionRunId : undefined;
  const pinnedRun = runId ?? first;
  const address = runId ? { runId } : first ? { firstExecutionRunId: first } : {};
  const target: HandleTarget = {
    connection: c,
    namespace: ctx.namespace,
    interceptors: ctx.interceptors,
    workflowId,
    runId,
    address,
    path,
    post: <T>(action: string, body: object, options?: PostOptions): Promise<T> =>
      c.request<T>('POST', `${path}/${action}`, { ...options, body: { ...body, ...address } }),
  };
  return {
    workflowId,
    runId: pinnedRun,
    ...(first !== undefined ? { firstExecutionRunId: first } : {}),
    result: async () => {
      for (;;) {
        const out = await c.request<{ status: string; result?: R }>('GET', `${path}/result`, {
          query: { runId: pinnedRun, waitMs: 30_000 },
          timeoutMs: 45_000,
          longPoll: true,
        });
        if (out.status === 'COMPLETED') return out.result as R;
      }
    },
    ...messageCalls(target),
    describe: async () =>
      describeFromJson(
        await c.request<Record<string, unknown>>('GET', path, { query: { ...address } }),
      ),
    ...historyCalls(target),
    ...controlCalls<R>(target, ctx.getHandle),
    timeTravel: (options) =>
      target.post<TimeTravelResult>('time-travel', {
        atSeq: options.atSeq,
        ...(options.queries
          ? {
              queries: options.queries.map((q) => ({
                name: messageName(q.name),
                args: [...(q.args ?? [])],
              })),
            }
          : {}),
      }),
  };
}

type ControlCalls<R> = Pick<
  RemoteWorkflowHandle<R>,
  'cancel' | 'terminate' | 'pause' | 'resume' | 'reset' | 'reopen' | 'retry'
>;

/** Cancel/terminate/pause/resume, and the operator actions that answer with a new run. */
function controlCalls<R>(t: HandleTarget, getHandle: GetRemoteHandle): ControlCalls<R> {
  const { post } = t;
  return {
    cancel: async (reason) => {
      await post('cancel', reason !== undefined ? { reason } : {});
    },
    terminate: async (reason) => {
      await post('terminate', reason !== undefined ? { reason } : {});
    },
    pause: async (reason) => {
      await post('pause', reason !== undefined ? { reason } : {});
    },
    resume: async () => {
      await post('resume', {});
    },
    reset: async (options = {}) => {
      const out = await post<{ workflowId: string; runId: string }>('reset', options);
      return getHandle<R>(out.workflowId, out.runId);
    },
    reopen: async (options = {}) => {
      const out = await post<{ workflowId: string; runId: string }>('reopen', options);
      return getHandle<R>(out.workflowId, out.runId);
    },
    retry: (options = {}) => post<{ repinned: boolean }>('retry', options),
  };
}
