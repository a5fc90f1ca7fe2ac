// The remote `Client`: the same API as the in-process engine client, over HTTP, assembled
// from one module per resource (workflows, activities, batch, namespaces, packages).
import { activityCompletionClient, type ActivityCompletionClient } from './activities.js';
import { batchClient, type BatchClient } from './batch.js';
import type { Connection } from './connection.js';
import type { ClientContext } from './context.js';
import type { WorkflowClientInterceptor } from './interceptors.js';
import * as namespaces from './namespaces.js';
import type { NamespaceDescription } from './namespaces.js';
import * as packages from './packages.js';
import type { DeployCheckResult, DeployResult, VersionInfo } from './packages.js';
import type { RemoteWorkflowClient, RemoteWorkflowHandle } from './remote-types.js';
import type { ClientApi } from './types.js';
import type { GetWorkflowHandleOptions, ScheduleClient } from '../core/index.js';
import { createScheduleClient } from './schedules.js';
import { listTaskQueues, type TaskQueueInfo } from './task-queues.js';
import { createRemoteHandle } from './workflow-handle.js';
import { createWorkflowClient } from './workflows.js';

// Kept so `src/cli/commands/remote.ts`, which imports this path, resolves; new code imports
// these from `client/index.ts`.
export { Connection } from './connection.js';
export type { BatchJobInfo, BatchOperation } from './batch.js';
export type { NamespaceDescription } from './namespaces.js';

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
  /** Schedules: workflows started on a calendar, an interval or a cron expression. */
  readonly schedule: ScheduleClient;
  readonly #interceptors: readonly WorkflowClientInterceptor[];

  constructor(options: ClientOptions) {
    this.connection = options.connection;
    this.#interceptors = options.interceptors ?? [];
    this.namespace = options.namespace ?? process.env.AION_NAMESPACE ?? 'default';
    this.workflow = createWorkflowClient(this.#context());
    this.schedule = createScheduleClient(this.connection, () => this.namespace);
  }

  /**
   * Closes the connection's sockets (after the calls in flight are answered). The connection
   * is shared by every client built on it: close it once, when none of them is used any more.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** What the workflow client and handles share; handles resolve through `getHandle`. */
  #context(): ClientContext {
    return {
      connection: this.connection,
      namespace: this.namespace,
      interceptors: this.#interceptors,
      getHandle: <R>(workflowId: string, runId?: string, options?: GetWorkflowHandleOptions) =>
        this.getHandle<R>(workflowId, runId, options),
    };
  }

  getHandle<R = unknown>(
    workflowId: string,
    runId?: string,
    options?: GetWorkflowHandleOptions,
  ): RemoteWorkflowHandle<R> {
    return createRemoteHandle<R>(this.#context(), workflowId, runId, options);
  }

  /**
   * Completes or fails an activity that returned `CompleteAsyncError`, by its task token
   * (worker, operator or admin role). `fail` is final: the activity is not retried.
   */
  get activity(): ActivityCompletionClient {
    return activityCompletionClient(this.connection, this.namespace);
  }

  /** Batch operations by visibility query (operator role). */
  get batch(): BatchClient {
    return batchClient(this.connection, this.namespace);
  }

  /**
   * The namespace's task queues — those with activity tasks or workers — with their task
   * counts and workers (remote ones connected to the server, and the server's own).
   */
  listTaskQueues(): Promise<TaskQueueInfo[]> {
    return listTaskQueues(this.connection, this.namespace);
  }

  /** Registers a namespace (admin); idempotent by name (`created: false` when it existed). */
  createNamespace(
    name: string,
    settings: { description?: string; retention?: number | string | null } = {},
  ): Promise<NamespaceDescription & { created: boolean }> {
    return namespaces.createNamespace(this.connection, name, settings);
  }

  listNamespaces(): Promise<NamespaceDescription[]> {
    return namespaces.listNamespaces(this.connection);
  }

  /** A namespace's settings (default: this client's namespace). */
  describeNamespace(name: string = this.namespace): Promise<NamespaceDescription> {
    return namespaces.describeNamespace(this.connection, name);
  }

  /** Changes a namespace's description or retention (admin). */
  updateNamespace(
    name: string,
    settings: { description?: string; retention?: number | string | null },
  ): Promise<NamespaceDescription> {
    return namespaces.updateNamespace(this.connection, name, settings);
  }

  /** Registered search attributes of the namespace (name → type). */
  searchAttributes(): Promise<Record<string, string>> {
    return namespaces.searchAttributes(this.connection, this.namespace);
  }

  /** Registers search attributes (admin); re-registering a name with the same type is a no-op. */
  registerSearchAttributes(definitions: Readonly<Record<string, string>>): Promise<void> {
    return namespaces.registerSearchAttributes(this.connection, this.namespace, definitions);
  }

  /** Deploys a package archive (`.aion` bytes) and routes its workflow types to it. */
  deploy(archive: Uint8Array): Promise<DeployResult> {
    return packages.deployPackage(this.connection, this.namespace, archive);
  }

  /**
   * Checks a package before deploying it (admin): the server replays up to `sample` open runs
   * (default 50, newest first) of the workflow types it exports against it and lists those
   * whose history it does not reproduce. Nothing is stored or routed.
   *
   * @example
   * const check = await client.checkDeploy(await readFile('orders.aion'), { sample: 100 });
   * for (const d of check.diverged) console.log(d.workflowId, d.message);
   */
  checkDeploy(archive: Uint8Array, options: { sample?: number } = {}): Promise<DeployCheckResult> {
    return packages.checkPackage(this.connection, this.namespace, archive, options);
  }

  versions(): Promise<VersionInfo[]> {
    return packages.listVersions(this.connection, this.namespace);
  }

  route(workflowType: string, version: string): Promise<void> {
    return packages.routeType(this.connection, this.namespace, workflowType, version);
  }

  unload(version: string): Promise<void> {
    return packages.unloadVersion(this.connection, this.namespace, version);
  }
}
