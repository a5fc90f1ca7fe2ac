// What the workflow client and its handles take from the `Client` that owns them, and what
// every call of one handle shares (the run it addresses, the POST that pins that run).
import type { Connection, RequestOptions } from './connection.js';
import type { WorkflowClientInterceptor } from './interceptors.js';
import type { GetRemoteHandle } from './remote-types.js';

export interface ClientContext {
  readonly connection: Connection;
  readonly namespace: string;
  readonly interceptors: readonly WorkflowClientInterceptor[];
  /** Resolves handles through the owning client (reset and reopen answer with a new run's). */
  readonly getHandle: GetRemoteHandle;
}

/** One handle's run and the calls all its methods share. */
export interface HandleTarget extends Omit<ClientContext, 'getHandle'> {
  readonly workflowId: string;
  /** The run the handle is pinned to; undefined follows the current run. */
  readonly runId: string | undefined;
  /** What addresses the run in bodies and query strings: `{runId}`, `{firstExecutionRunId}` or `{}`. */
  readonly address: { readonly runId?: string; readonly firstExecutionRunId?: string };
  /** `/api/v1/namespaces/<ns>/workflows/<workflowId>`. */
  readonly path: string;
  /** POSTs `<path>/<action>` with the `address` added to the body. */
  readonly post: <T>(action: string, body: object, options?: PostOptions) => Promise<T>;
}

/** How a handle's POST is sent (see `RequestOptions`). */
export type PostOptions = Pick<RequestOptions, 'idempotent' | 'longPoll' | 'timeoutMs'>;
