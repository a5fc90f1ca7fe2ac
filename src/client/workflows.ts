// The remote SDK's workflow client: start, execute, signal-with-start, handles, and the
// visibility list/count calls of one namespace, each start through the client interceptors.
import { randomUUID } from 'node:crypto';
import { uuidV7 } from '../clock/index.js';
import { NEW_REQUEST_ID_HEADER } from '../protocol/index.js';
import {
  AionError,
  composeInterceptors,
  messageName,
  workflowTypeName,
  type GetWorkflowHandleOptions,
} from '../core/index.js';
import type { ClientContext } from './context.js';
import type { RemoteWorkflowClient, RemoteWorkflowHandle } from './remote-types.js';
import type {
  MessageRef,
  ResultOf,
  WorkflowCountGroups,
  WorkflowListOptions,
  WorkflowStartOptions,
  WorkflowTypeRef,
} from './types.js';
import { errorFromBody } from './error-body.js';
import { updateWithStart } from './update-with-start.js';
import { infoFromJson, namespacePath, withHeaders } from './wire.js';

type SignalWithStartOptions = WorkflowStartOptions & {
  workflowId: string;
  signal: MessageRef;
  signalArgs?: readonly unknown[];
};

function startBody(
  workflow: WorkflowTypeRef,
  options: WorkflowStartOptions,
): Record<string, unknown> {
  const workflowType = typeof workflow === 'function' ? workflow.name : workflow;
  return { workflowType, ...options, ...(options.args ? { args: [...options.args] } : {}) };
}

/**
 * A start is sent with a workflow id and a request id (generated when not given), so that
 * sending it again after a lost answer returns the run it started instead of another.
 */
function retryableStart(options: WorkflowStartOptions): {
  workflowId: string;
  requestId: string;
} {
  return {
    workflowId: options.workflowId ?? uuidV7(),
    requestId: options.requestId ?? randomUUID(),
  };
}

/** How long `execute` asks the server to hold its start's answer for the run's outcome. */
const EXECUTE_WAIT_MS = 30_000;
/** How much longer than its wait a waiting start may take before the call times out. */
const WAIT_MARGIN_MS = 15_000;

/** The server's answer to a start; `status` and what follows only when it was asked to wait. */
interface StartAnswer {
  readonly workflowId: string;
  readonly runId: string;
  readonly status?: 'COMPLETED' | 'FAILED' | 'RUNNING';
  readonly result?: unknown;
  readonly error?: unknown;
}

/**
 * Starts a run through the `start` interceptors; with `waitMs`, the server also waits that long
 * for the run's outcome and answers it with the start (`answer`, undefined when an interceptor
 * answered the start itself). The handle follows the run's chain (continue-as-new, reset,
 * retry), like the engine's.
 */
async function startRun<R>(
  ctx: ClientContext,
  workflow: WorkflowTypeRef,
  options: WorkflowStartOptions,
  waitMs?: number,
): Promise<{ handle: RemoteWorkflowHandle<R>; answer: StartAnswer | undefined }> {
  const { headers, ...rest } = options;
  let answer: StartAnswer | undefined;
  const out = await composeInterceptors(ctx.interceptors, 'start', async (input) => {
    answer = await ctx.connection.request<StartAnswer>(
      'POST',
      `${namespacePath(ctx.namespace)}/workflows`,
      {
        body: {
          ...startBody(input.workflowType, {
            ...input.options,
            ...retryableStart(input.options),
            ...withHeaders(input.headers),
          }),
          ...(waitMs !== undefined ? { waitMs } : {}),
        },
        idempotent: true,
        ...(input.options.requestId === undefined
          ? { firstAttemptHeaders: { [NEW_REQUEST_ID_HEADER]: '1' } }
          : {}),
        ...(waitMs !== undefined ? { timeoutMs: waitMs + WAIT_MARGIN_MS, longPoll: true } : {}),
      },
    );
    return answer;
  })({ workflowType: workflowTypeName(workflow), options: rest, headers: headers ?? {} });
  const handle = ctx.getHandle<R>(out.workflowId, undefined, { firstExecutionRunId: out.runId });
  return { handle, answer };
}

export function createWorkflowClient(ctx: ClientContext): RemoteWorkflowClient {
  const c = ctx.connection;
  // Built per call, so a namespace that cannot be URL-encoded fails the call, not `new Client`.
  const base = (): string => namespacePath(ctx.namespace);
  const client: RemoteWorkflowClient = {
    start: async <W extends WorkflowTypeRef>(workflow: W, options: WorkflowStartOptions = {}) =>
      (await startRun<ResultOf<W>>(ctx, workflow, options)).handle,
    execute: async <W extends WorkflowTypeRef>(workflow: W, options: WorkflowStartOptions = {}) => {
      // One request when the run closes within the wait: the start's answer carries its outcome.
      const { handle, answer } = await startRun<ResultOf<W>>(
        ctx,
        workflow,
        options,
        EXECUTE_WAIT_MS,
      );
      if (answer?.status === 'COMPLETED') return answer.result as ResultOf<W>;
      if (answer?.status === 'FAILED') throw errorFromBody(200, answer.error);
      return handle.result();
    },
    signalWithStart: <W extends WorkflowTypeRef>(workflow: W, options: SignalWithStartOptions) =>
      signalWithStart<W>(ctx, workflow, options),
    getHandle: <R>(workflowId: string, runId?: string, options?: GetWorkflowHandleOptions) =>
      ctx.getHandle<R>(workflowId, runId, options),
    executeUpdateWithStart: async <T>(
      update: MessageRef,
      options: Parameters<RemoteWorkflowClient['executeUpdateWithStart']>[1],
    ) => (await updateWithStart<T>(ctx, update, options)).result(),
    startUpdateWithStart: <T>(
      update: MessageRef,
      options: Parameters<RemoteWorkflowClient['startUpdateWithStart']>[1],
    ) => {
      const { waitForStage: _stage, ...rest } = options;
      return updateWithStart<T>(ctx, update, rest);
    },
    list: async (options: WorkflowListOptions = {}) => {
      const page = await c.request<{
        items: Record<string, unknown>[];
        nextCursor: string | null;
      }>('GET', `${base()}/workflows`, {
        query: {
          query: options.query,
          workflowType: options.workflowType,
          status: options.status,
          pageSize: options.pageSize,
          cursor: options.cursor,
        },
      });
      return { items: page.items.map(infoFromJson), nextCursor: page.nextCursor ?? undefined };
    },
    count: async (options = {}) =>
      (
        await c.request<{ count: number }>('GET', `${base()}/workflows-count`, {
          query: {
            query: options.query,
            workflowType: options.workflowType,
            status: options.status,
          },
        })
      ).count,
    countGroups: (options) => countGroups(ctx, options),
  };
  return client;
}

async function signalWithStart<W extends WorkflowTypeRef>(
  ctx: ClientContext,
  workflow: W,
  options: SignalWithStartOptions,
): Promise<RemoteWorkflowHandle<ResultOf<W>>> {
  const { signal, signalArgs, headers, ...start } = options;
  const out = await composeInterceptors(ctx.interceptors, 'signalWithStart', (input) =>
    ctx.connection.request<{ workflowId: string; runId: string }>(
      'POST',
      `${namespacePath(ctx.namespace)}/workflows/signal-with-start`,
      {
        body: {
          ...startBody(input.workflowType, {
            ...input.options,
            // The request id identifies the start and the signal: a retried call does each once.
            requestId: input.options.requestId ?? randomUUID(),
            ...withHeaders(input.headers),
          }),
          signal: input.signalName,
          signalArgs: [...input.signalArgs],
        },
        idempotent: true,
      },
    ),
  )({
    workflowType: workflowTypeName(workflow),
    options: start,
    headers: headers ?? {},
    signalName: messageName(signal),
    signalArgs: signalArgs ?? [],
  });
  return ctx.getHandle<ResultOf<W>>(out.workflowId, undefined, { firstExecutionRunId: out.runId });
}

async function countGroups(
  ctx: ClientContext,
  options: Parameters<RemoteWorkflowClient['countGroups']>[0],
): Promise<WorkflowCountGroups> {
  const out = await ctx.connection.request<Partial<WorkflowCountGroups>>(
    'GET',
    `${namespacePath(ctx.namespace)}/workflows-count`,
    {
      query: {
        query: options.query,
        workflowType: options.workflowType,
        status: options.status,
        groupBy: options.groupBy,
      },
    },
  );
  // Without groupBy nor a GROUP BY in the query the server answers the plain count.
  if (out.groups === undefined) throw noGroupBy();
  return { count: out.count ?? 0, groups: out.groups };
}

function noGroupBy(): AionError {
  return new AionError(
    'invalid_argument',
    "countGroups needs groupBy ('ExecutionStatus' or 'WorkflowType') or a query ending in GROUP BY <field>",
    { field: 'groupBy' },
  );
}
