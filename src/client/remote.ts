import {
  AionError,
  composeInterceptors,
  failureToError,
  isErrorCode,
  JsonPayloadConverter,
  WorkflowFailedError,
  type Failure,
  type Headers,
  type HistoryEvent,
} from '../core/index.js';
import type { WorkflowClientInterceptor } from './interceptors.js';
import type {
  ClientApi,
  HistoryExport,
  MessageRef,
  ResultOf,
  WorkflowClient,
  WorkflowExecutionDescription,
  WorkflowExecutionInfo,
  WorkflowHandle,
  WorkflowListOptions,
  WorkflowStartOptions,
  WorkflowTypeRef,
} from './types.js';
import { subscribeHistory, type HistoryStream } from './stream.js';

const json = new JsonPayloadConverter();

const typeName = (workflow: WorkflowTypeRef): string =>
  typeof workflow === 'function' ? workflow.name : workflow;

/** The `headers` body field, omitted when there are none. */
const withHeaders = (headers: Headers): { headers?: Headers } =>
  Object.keys(headers).length > 0 ? { headers } : {};

/** Default address of a local `aion server`. */
export const DEFAULT_ADDRESS = 'http://127.0.0.1:7233';

export interface ConnectionOptions {
  /** Server URL, e.g. `http://127.0.0.1:7233`. Default: `AION_ADDRESS` or the local default. */
  readonly address?: string;
  /** API key (bearer token). Default: `AION_API_KEY`. */
  readonly apiKey?: string;
  /** Per-request timeout (ms) for calls that do not wait on purpose. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly raw?: Uint8Array;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly timeoutMs?: number;
}

function name(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

function normalizeAddress(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new AionError(
      'invalid_argument',
      `address ${JSON.stringify(address)} is not a URL (e.g. http://127.0.0.1:7233)`,
      {
        field: 'address',
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AionError(
      'invalid_argument',
      `address ${JSON.stringify(address)} must use http:// or https://`,
      {
        field: 'address',
      },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Rebuilds the typed error a server response carries (`{ code, message, details }`). */
export function errorFromBody(status: number, body: unknown): AionError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const details = (typeof b.details === 'object' && b.details !== null ? b.details : {}) as Record<
    string,
    unknown
  >;
  const message = typeof b.message === 'string' ? b.message : `server answered HTTP ${status}`;
  if (
    b.code === 'workflow_failed' &&
    typeof details.failure === 'object' &&
    details.failure !== null
  ) {
    const failure = details.failure as Failure;
    const cause = failureToError(failure, (p) => json.fromPayload(p));
    return new WorkflowFailedError(
      String(details.workflowId),
      String(details.runId),
      String(details.status),
      failure.message,
      cause,
    );
  }
  return new AionError(isErrorCode(b.code) ? b.code : 'internal', message, details);
}

/** An HTTP connection to an Aion server. */
export class Connection {
  readonly address: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;

  private constructor(address: string, apiKey: string | undefined, timeoutMs: number) {
    this.address = address;
    this.#apiKey = apiKey;
    this.#timeoutMs = timeoutMs;
  }

  /** Connects (checks that the server answers `/healthz`). */
  static async connect(options: ConnectionOptions = {}): Promise<Connection> {
    const address = normalizeAddress(
      options.address ?? process.env.AION_ADDRESS ?? DEFAULT_ADDRESS,
    );
    const apiKey = options.apiKey ?? process.env.AION_API_KEY;
    const connection = new Connection(address, apiKey || undefined, options.timeoutMs ?? 30_000);
    await connection.request('GET', '/healthz');
    return connection;
  }

  /** The API key, for protocols that authenticate separately (event stream). */
  get apiKey(): string | undefined {
    return this.#apiKey;
  }

  /** One API call; throws the server's typed error, or `unavailable` when it cannot be reached. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = new URL(this.address + path);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {};
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let body: string | Uint8Array | undefined;
    if (options.raw) {
      headers['content-type'] = 'application/octet-stream';
      body = options.raw;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.message);
      throw new AionError(
        'unavailable',
        `cannot reach the Aion server at ${this.address}: ${reason}`,
        {
          address: this.address,
        },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) throw errorFromBody(response.status, parsed);
    return parsed as T;
  }
}

function toDate(value: unknown): Date | undefined {
  return typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
}

function describeFromJson(raw: Record<string, unknown>): WorkflowExecutionDescription {
  const stuck = raw.stuck as { reason: string; since: string } | null | undefined;
  return {
    ...(raw as unknown as WorkflowExecutionDescription),
    startTime: toDate(raw.startTime)!,
    closeTime: toDate(raw.closeTime),
    stuck: stuck ? { reason: stuck.reason, since: new Date(stuck.since) } : undefined,
    pendingActivities: ((raw.pendingActivities as Record<string, unknown>[] | undefined) ?? []).map(
      (a) => ({
        ...(a as unknown as WorkflowExecutionDescription['pendingActivities'][number]),
        nextAttemptAt: toDate(a.nextAttemptAt),
        lastHeartbeatAt: toDate(a.lastHeartbeatAt),
        lastFailure: (a.lastFailure as Failure | null | undefined) ?? undefined,
      }),
    ),
    pendingTimers: (
      (raw.pendingTimers as { timerId: string; fireAt: string }[] | undefined) ?? []
    ).map((t) => ({
      timerId: t.timerId,
      fireAt: new Date(t.fireAt),
    })),
  };
}

function infoFromJson(raw: Record<string, unknown>): WorkflowExecutionInfo {
  return {
    ...(raw as unknown as WorkflowExecutionInfo),
    startTime: toDate(raw.startTime)!,
    closeTime: toDate(raw.closeTime),
  };
}

/** A remote handle: the shared `WorkflowHandle` plus operator actions. */
export interface RemoteWorkflowHandle<R = unknown> extends WorkflowHandle<R> {
  /** New run from a workflow-task boundary of this run (see docs/workflows.md#reset). */
  reset(options?: {
    to?: number | 'firstWorkflowTask' | 'lastWorkflowTask';
    reason?: string;
    version?: string;
  }): Promise<RemoteWorkflowHandle<R>>;
  /** Reopens a FAILED or CANCELLED run as a new run. */
  reopen(options?: { reason?: string; version?: string }): Promise<RemoteWorkflowHandle<R>>;
  /** Retries a stuck run now, optionally re-pinned to a version its history replays on. */
  retry(options?: { version?: string }): Promise<{ repinned: boolean }>;
  /**
   * The run's history as a live async iterable: stored events from `fromSeq`, then each event
   * as it is committed, until the run (or, with `follow`, its continue-as-new chain) closes.
   * Resumes by itself after disconnects; every event is yielded once, in order.
   */
  subscribe(options?: { fromSeq?: number; follow?: boolean; signal?: AbortSignal }): HistoryStream;
  /** One window of the run's history from `fromSeq`; `nextSeq` is null at the head. */
  fetchHistoryPage(options?: { fromSeq?: number; maxEvents?: number; maxBytes?: number }): Promise<{
    events: HistoryEvent[];
    nextSeq: number | null;
    runId: string;
  }>;
}

/** Package deployment over the API (admin role). */
export interface DeployResult {
  readonly version: string;
  readonly freshlyLoaded: boolean;
  readonly routeChanged: boolean;
}

export interface VersionInfo {
  readonly version: string;
  readonly name: string;
  readonly deployedAt: Date;
  readonly size: number;
  readonly routedTypes: readonly string[];
  readonly openRuns: number;
}

/** The workflow client of the remote SDK: the shared API, with handles that also reset/reopen/retry. */
export interface RemoteWorkflowClient extends WorkflowClient {
  start<W extends WorkflowTypeRef>(
    workflow: W,
    options?: WorkflowStartOptions,
  ): Promise<RemoteWorkflowHandle<ResultOf<W>>>;
  signalWithStart<W extends WorkflowTypeRef>(
    workflow: W,
    options: WorkflowStartOptions & {
      workflowId: string;
      signal: MessageRef;
      signalArgs?: readonly unknown[];
    },
  ): Promise<RemoteWorkflowHandle<ResultOf<W>>>;
  getHandle<R = unknown>(workflowId: string, runId?: string): RemoteWorkflowHandle<R>;
}

/** A batch operation applied to every run a visibility query matches. */
export type BatchOperation =
  | { readonly type: 'cancel'; readonly reason?: string }
  | { readonly type: 'terminate'; readonly reason?: string }
  | { readonly type: 'signal'; readonly signal: string; readonly args?: readonly unknown[] }
  | {
      readonly type: 'reset';
      readonly to?: number | 'firstWorkflowTask' | 'lastWorkflowTask';
      readonly reason?: string;
    };

/** A batch job's progress. */
export interface BatchJobInfo {
  readonly jobId: string;
  readonly namespace: string;
  readonly query: string;
  readonly operation: BatchOperation;
  readonly state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  readonly startedAt: string;
  readonly closedAt?: string;
  readonly matched: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly failures: readonly {
    workflowId: string;
    runId: string;
    code: string;
    message: string;
  }[];
  readonly error?: string;
}

/** A namespace's settings, as the server reports them. */
export interface NamespaceDescription {
  readonly name: string;
  readonly description: string;
  /** Closed runs are deleted this long (ms) after they close; null keeps them. */
  readonly retentionMs: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ClientOptions {
  readonly connection: Connection;
  /** Namespace of every call. Default `default` (or `AION_NAMESPACE`). */
  readonly namespace?: string;
  /**
   * Run around each start, signal, signal-with-start, update and query (the first
   * outermost); headers they add are sent with the call and recorded. Default: none.
   */
  readonly interceptors?: readonly WorkflowClientInterceptor[];
}

/**
 * The remote client: the same `Client` API as the in-process engine client, over HTTP.
 * Errors are the typed `AionError`s (codes from the registry); a failed workflow's result
 * throws `WorkflowFailedError` with the rebuilt cause.
 */
export class Client implements ClientApi {
  readonly connection: Connection;
  readonly namespace: string;
  readonly workflow: RemoteWorkflowClient;
  readonly #interceptors: readonly WorkflowClientInterceptor[];

  constructor(options: ClientOptions) {
    this.connection = options.connection;
    this.#interceptors = options.interceptors ?? [];
    this.namespace = options.namespace ?? process.env.AION_NAMESPACE ?? 'default';
    this.workflow = this.#workflowClient();
  }

  get #base(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}`;
  }

  #wf(workflowId: string): string {
    return `${this.#base}/workflows/${encodeURIComponent(workflowId)}`;
  }

  getHandle<R = unknown>(workflowId: string, runId?: string): RemoteWorkflowHandle<R> {
    const c = this.connection;
    const path = this.#wf(workflowId);
    const withRun = <B extends object>(b: B): B & { runId?: string } =>
      runId ? { ...b, runId } : b;
    const post = <T>(action: string, body: object): Promise<T> =>
      c.request<T>('POST', `${path}/${action}`, { body: withRun(body) });
    const sendSignal = (
      options: { readonly requestId?: string; readonly headers?: Headers },
      signal: MessageRef,
      args: unknown[],
    ): Promise<void> =>
      composeInterceptors(this.#interceptors, 'signal', async (input) => {
        await post('signal', {
          name: input.signalName,
          args: [...input.args],
          ...(input.requestId !== undefined ? { requestId: input.requestId } : {}),
          ...withHeaders(input.headers),
        });
      })({
        workflowId,
        runId,
        signalName: name(signal),
        args,
        headers: options.headers ?? {},
        ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      });
    const handle: RemoteWorkflowHandle<R> = {
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
      signal: (signal, ...args) => sendSignal({}, signal, args),
      signalWithRequestId: (requestId, signal, ...args) => sendSignal({ requestId }, signal, args),
      signalWithOptions: (options, signal, ...args) => sendSignal(options, signal, args),
      query: async <T>(query: MessageRef, ...args: unknown[]) =>
        (await composeInterceptors(
          this.#interceptors,
          'query',
          async (input) =>
            (
              await post<{ result: unknown }>('query', {
                name: input.queryName,
                args: [...input.args],
              })
            ).result,
        )({ workflowId, runId, queryName: name(query), args })) as T,
      describe: async () =>
        describeFromJson(
          await c.request<Record<string, unknown>>('GET', path, { query: { runId } }),
        ),
      fetchHistory: async () => {
        const events: HistoryEvent[] = [];
        let fromSeq: number | null = 1;
        let head: Omit<HistoryExport, 'events'> | undefined;
        while (fromSeq !== null) {
          const page: HistoryExport & { nextSeq: number | null } = await c.request(
            'GET',
            `${path}/history`,
            {
              query: { runId, fromSeq, maxEvents: 10_000 },
            },
          );
          const { events: pageEvents, nextSeq, ...rest } = page;
          head ??= rest;
          events.push(...pageEvents);
          fromSeq = nextSeq;
        }
        return { ...head!, events };
      },
      subscribe: (options = {}) =>
        subscribeHistory({
          address: c.address,
          ...(c.apiKey ? { apiKey: c.apiKey } : {}),
          namespace: this.namespace,
          workflowId,
          ...(runId ? { runId } : {}),
          ...(options.fromSeq !== undefined ? { fromSeq: options.fromSeq } : {}),
          ...(options.follow !== undefined ? { follow: options.follow } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      fetchHistoryPage: async (options = {}) => {
        const page = await c.request<{
          events: HistoryEvent[];
          nextSeq: number | null;
          runId: string;
        }>('GET', `${path}/history`, { query: { runId, ...options } });
        return { events: page.events, nextSeq: page.nextSeq, runId: page.runId };
      },
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
      executeUpdate: async <T>(
        update: MessageRef,
        options: { args?: readonly unknown[]; updateId?: string; headers?: Headers } = {},
      ) =>
        (await composeInterceptors(
          this.#interceptors,
          'update',
          async (input) =>
            (
              await post<{ result: unknown }>('update', {
                name: input.updateName,
                args: [...input.args],
                ...(input.updateId ? { updateId: input.updateId } : {}),
                ...withHeaders(input.headers),
              })
            ).result,
        )({
          workflowId,
          runId,
          updateName: name(update),
          args: options.args ?? [],
          headers: options.headers ?? {},
          ...(options.updateId ? { updateId: options.updateId } : {}),
        })) as T,
      reset: async (options = {}) => {
        const out = await post<{ workflowId: string; runId: string }>('reset', options);
        return this.getHandle<R>(out.workflowId, out.runId);
      },
      reopen: async (options = {}) => {
        const out = await post<{ workflowId: string; runId: string }>('reopen', options);
        return this.getHandle<R>(out.workflowId, out.runId);
      },
      retry: (options = {}) => post<{ repinned: boolean }>('retry', options),
    };
    return handle;
  }

  #startBody(workflow: WorkflowTypeRef, options: WorkflowStartOptions): Record<string, unknown> {
    const workflowType = typeof workflow === 'function' ? workflow.name : workflow;
    return { workflowType, ...options, ...(options.args ? { args: [...options.args] } : {}) };
  }

  #workflowClient(): RemoteWorkflowClient {
    const c = this.connection;
    return {
      start: async <W extends WorkflowTypeRef>(workflow: W, options: WorkflowStartOptions = {}) => {
        const { headers, ...rest } = options;
        const out = await composeInterceptors(this.#interceptors, 'start', (input) =>
          c.request<{ workflowId: string; runId: string }>('POST', `${this.#base}/workflows`, {
            body: this.#startBody(input.workflowType, {
              ...input.options,
              ...withHeaders(input.headers),
            }),
          }),
        )({ workflowType: typeName(workflow), options: rest, headers: headers ?? {} });
        // The handle follows the workflow id (and its continue-as-new chain), like the engine's.
        return this.getHandle<ResultOf<W>>(out.workflowId);
      },
      execute: async <W extends WorkflowTypeRef>(
        workflow: W,
        options: WorkflowStartOptions = {},
      ) => {
        const handle = await this.workflow.start(workflow, options);
        return (await handle.result()) as ResultOf<W>;
      },
      signalWithStart: async <W extends WorkflowTypeRef>(
        workflow: W,
        options: WorkflowStartOptions & {
          workflowId: string;
          signal: MessageRef;
          signalArgs?: readonly unknown[];
        },
      ) => {
        const { signal, signalArgs, headers, ...start } = options;
        const out = await composeInterceptors(this.#interceptors, 'signalWithStart', (input) =>
          c.request<{ workflowId: string; runId: string }>(
            'POST',
            `${this.#base}/workflows/signal-with-start`,
            {
              body: {
                ...this.#startBody(input.workflowType, {
                  ...input.options,
                  ...withHeaders(input.headers),
                }),
                signal: input.signalName,
                signalArgs: [...input.signalArgs],
              },
            },
          ),
        )({
          workflowType: typeName(workflow),
          options: start,
          headers: headers ?? {},
          signalName: name(signal),
          signalArgs: signalArgs ?? [],
        });
        return this.getHandle<ResultOf<W>>(out.workflowId);
      },
      getHandle: <R>(workflowId: string, runId?: string) => this.getHandle<R>(workflowId, runId),
      list: async (options: WorkflowListOptions = {}) => {
        const page = await c.request<{
          items: Record<string, unknown>[];
          nextCursor: string | null;
        }>('GET', `${this.#base}/workflows`, {
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
          await c.request<{ count: number }>('GET', `${this.#base}/workflows-count`, {
            query: {
              query: options.query,
              workflowType: options.workflowType,
              status: options.status,
            },
          })
        ).count,
    };
  }

  /**
   * Completes or fails an activity that returned `CompleteAsyncError`, by its task token
   * (worker, operator or admin role). `fail` is final: the activity is not retried.
   */
  get activity(): {
    complete(taskToken: string, result?: unknown): Promise<void>;
    fail(
      taskToken: string,
      failure: { message: string; type?: string; details?: unknown[] },
    ): Promise<void>;
  } {
    const c = this.connection;
    const base = `${this.#base}/activities`;
    return {
      complete: async (taskToken, result) => {
        await c.request('POST', `${base}/complete`, {
          body: { taskToken, ...(result !== undefined ? { result } : {}) },
        });
      },
      fail: async (taskToken, failure) => {
        await c.request('POST', `${base}/fail`, { body: { taskToken, ...failure } });
      },
    };
  }

  /** Batch operations by visibility query (operator role). */
  get batch(): {
    start(options: {
      query: string;
      operation: BatchOperation;
      jobId?: string;
    }): Promise<BatchJobInfo>;
    describe(jobId: string): Promise<BatchJobInfo>;
    list(): Promise<BatchJobInfo[]>;
    stop(jobId: string): Promise<BatchJobInfo>;
  } {
    const c = this.connection;
    const base = `${this.#base}/batches`;
    return {
      start: (options) => c.request('POST', base, { body: options }),
      describe: (jobId) => c.request('GET', `${base}/${encodeURIComponent(jobId)}`),
      list: async () => (await c.request<{ jobs: BatchJobInfo[] }>('GET', base)).jobs,
      stop: (jobId) => c.request('POST', `${base}/${encodeURIComponent(jobId)}/stop`, { body: {} }),
    };
  }

  /** Registers a namespace (admin); idempotent by name (`created: false` when it existed). */
  createNamespace(
    name: string,
    settings: { description?: string; retention?: number | string | null } = {},
  ): Promise<NamespaceDescription & { created: boolean }> {
    return this.connection.request('POST', '/api/v1/namespaces', { body: { name, ...settings } });
  }

  async listNamespaces(): Promise<NamespaceDescription[]> {
    return (
      await this.connection.request<{ namespaces: NamespaceDescription[] }>(
        'GET',
        '/api/v1/namespaces',
      )
    ).namespaces;
  }

  /** A namespace's settings (default: this client's namespace). */
  describeNamespace(name: string = this.namespace): Promise<NamespaceDescription> {
    return this.connection.request('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`);
  }

  /** Changes a namespace's description or retention (admin). */
  updateNamespace(
    name: string,
    settings: { description?: string; retention?: number | string | null },
  ): Promise<NamespaceDescription> {
    return this.connection.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(name)}`, {
      body: settings,
    });
  }

  /** Registered search attributes of the namespace (name → type). */
  async searchAttributes(): Promise<Record<string, string>> {
    return (
      await this.connection.request<{ searchAttributes: Record<string, string> }>(
        'GET',
        `${this.#base}/search-attributes`,
      )
    ).searchAttributes;
  }

  /** Registers search attributes (admin); re-registering a name with the same type is a no-op. */
  async registerSearchAttributes(definitions: Readonly<Record<string, string>>): Promise<void> {
    await this.connection.request('POST', `${this.#base}/search-attributes`, {
      body: { searchAttributes: definitions },
    });
  }

  /** Deploys a package archive (`.aion` bytes) and routes its workflow types to it. */
  deploy(archive: Uint8Array): Promise<DeployResult> {
    return this.connection.request('POST', `${this.#base}/packages`, {
      raw: archive,
      timeoutMs: 120_000,
    });
  }

  async versions(): Promise<VersionInfo[]> {
    const out = await this.connection.request<{
      versions: (VersionInfo & { deployedAt: string })[];
    }>('GET', `${this.#base}/packages`);
    return out.versions.map((v) => ({ ...v, deployedAt: new Date(v.deployedAt) }));
  }

  async route(workflowType: string, version: string): Promise<void> {
    await this.connection.request(
      'PUT',
      `${this.#base}/routes/${encodeURIComponent(workflowType)}`,
      {
        body: { version },
      },
    );
  }

  async unload(version: string): Promise<void> {
    await this.connection.request(
      'DELETE',
      `${this.#base}/packages/${encodeURIComponent(version)}`,
    );
  }
}
