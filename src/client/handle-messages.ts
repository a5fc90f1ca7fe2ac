// A remote handle's messages to the run: signals, queries and updates, each through the
// client's interceptors (headers they add are sent and recorded). Each is safe to send again
// (signals by request id, updates by update id), so the connection retries them.
import { randomUUID } from 'node:crypto';
import {
  composeInterceptors,
  messageName,
  type Headers,
  type WorkflowUpdateOptions,
} from '../core/index.js';
import type { HandleTarget } from './context.js';
import type { MessageRef, WorkflowHandle } from './types.js';
import { remoteUpdateHandle } from './update-handle.js';
import { withHeaders } from './wire.js';

type MessageCalls = Pick<
  WorkflowHandle,
  | 'signal'
  | 'signalWithRequestId'
  | 'signalWithOptions'
  | 'query'
  | 'executeUpdate'
  | 'startUpdate'
  | 'getUpdateHandle'
>;

export function messageCalls(t: HandleTarget): MessageCalls {
  const { workflowId, runId } = t;
  const sendSignal = (
    options: { readonly requestId?: string; readonly headers?: Headers },
    signal: MessageRef,
    args: unknown[],
  ): Promise<void> =>
    composeInterceptors(t.interceptors, 'signal', async (input) => {
      // A request id (generated when not given) makes the signal safe to send again.
      await t.post(
        'signal',
        {
          name: input.signalName,
          args: [...input.args],
          requestId: input.requestId ?? randomUUID(),
          ...withHeaders(input.headers),
        },
        { idempotent: true },
      );
    })({
      workflowId,
      runId,
      signalName: messageName(signal),
      args,
      headers: options.headers ?? {},
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    });
  return {
    signal: (signal, ...args) => sendSignal({}, signal, args),
    signalWithRequestId: (requestId, signal, ...args) => sendSignal({ requestId }, signal, args),
    signalWithOptions: (options, signal, ...args) => sendSignal(options, signal, args),
    query: async <T>(query: MessageRef, ...args: unknown[]) =>
      (await composeInterceptors(
        t.interceptors,
        'query',
        async (input) =>
          (
            await t.post<{ result: unknown }>(
              'query',
              { name: input.queryName, args: [...input.args] },
              { idempotent: true },
            )
          ).result,
      )({ workflowId, runId, queryName: messageName(query), args })) as T,
    executeUpdate: async <T>(
      update: MessageRef,
      options: { args?: readonly unknown[]; updateId?: string; headers?: Headers } = {},
    ) =>
      (await composeInterceptors(
        t.interceptors,
        'update',
        async (input) =>
          (
            await t.post<{ result: unknown }>(
              'update',
              {
                name: input.updateName,
                args: [...input.args],
                updateId: input.updateId || randomUUID(),
                ...withHeaders(input.headers),
              },
              // Waits for the handler to finish: on the long-poll sockets.
              { idempotent: true, longPoll: true },
            )
          ).result,
      )({
        workflowId,
        runId,
        updateName: messageName(update),
        args: options.args ?? [],
        headers: options.headers ?? {},
        ...(options.updateId ? { updateId: options.updateId } : {}),
      })) as T,
    ...updateCalls(t),
  };
}

/** `startUpdate` (returns once accepted) and handles on updates by id. */
function updateCalls(t: HandleTarget): Pick<WorkflowHandle, 'startUpdate' | 'getUpdateHandle'> {
  const { workflowId, runId } = t;
  return {
    startUpdate: async <T>(update: MessageRef, options: WorkflowUpdateOptions) => {
      const out = await composeInterceptors(t.interceptors, 'startUpdate', async (input) => {
        const accepted = await t.post<{ updateId: string; runId: string }>(
          'update',
          {
            name: input.updateName,
            args: [...input.args],
            updateId: input.updateId || randomUUID(),
            ...withHeaders(input.headers),
            waitForStage: 'ACCEPTED',
          },
          { idempotent: true },
        );
        return { updateId: accepted.updateId, workflowRunId: accepted.runId };
      })({
        workflowId,
        runId,
        updateName: messageName(update),
        args: options.args ?? [],
        headers: options.headers ?? {},
        waitForStage: 'ACCEPTED',
        ...(options.updateId ? { updateId: options.updateId } : {}),
      });
      return remoteUpdateHandle<T>(t.connection, t.path, {
        updateId: out.updateId,
        workflowId,
        runId: out.workflowRunId,
        address: t.address,
      });
    },
    getUpdateHandle: <T>(updateId: string) =>
      remoteUpdateHandle<T>(t.connection, t.path, {
        updateId,
        workflowId,
        runId,
        address: t.address,
      }),
  };
}
