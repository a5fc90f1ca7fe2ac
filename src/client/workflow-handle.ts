// The remote workflow handle: assembles one run's calls (result long-poll, messages,
// history, describe, control and operator actions) over the shared HTTP connection.
import type { ClientContext, HandleTarget } from './context.js';
import { historyCalls } from './handle-history.js';
import { messageCalls } from './handle-messages.js';
import type { GetRemoteHandle, RemoteWorkflowHandle } from './remote-types.js';
import { describeFromJson, namespacePath } from './wire.js';

export function createRemoteHandle<R>(
  ctx: ClientContext,
  workflowId: string,
  runId?: string,
): RemoteWorkflowHandle<R> {
  const c = ctx.connection;
  const path = `${namespacePath(ctx.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  const withRun = <B extends object>(b: B): B & { runId?: string } => (runId ? { ...b, runId } : b);
  const target: HandleTarget = {
    connection: c,
    namespace: ctx.namespace,
    interceptors: ctx.interceptors,
    workflowId,
    runId,
    path,
    post: <T>(action: string, body: object): Promise<T> =>
      c.request<T>('POST', `${path}/${action}`, { body: withRun(body) }),
  };
  return {
    workflowId,
    runId,
    result: async () => {
      for (;;) {
        const out = await c.request<{ status: string; result?: R }>('GET', `${path}/result`, {
          query: { runId, waitMs: 30_000 },
          timeoutMs: 45_000,
        });
        if (out.status === 'COMPLETED') return out.result as R;
      }
    },
    ...messageCalls(target),
    describe: async () =>
      describeFromJson(await c.request<Record<string, unknown>>('GET', path, { query: { runId } })),
    ...historyCalls(target),
    ...controlCalls<R>(target, ctx.getHandle),
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
