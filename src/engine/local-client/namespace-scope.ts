// The engine's API bound to one namespace: the in-process workflow client plus packages,
// search attributes, reset/reopen/retry — what `engine.inNamespace(ns)` returns.
import {
  validateNamespace,
  type GetWorkflowHandleOptions,
  type ClientApi,
  type MessageRef,
  type SearchAttributeType,
  type WorkflowClient,
  type WorkflowCountGroups,
  type WorkflowHandle,
  type WorkflowListOptions,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
} from '../../core/index.js';
import type { ResetOptions, ResetService, RetryService } from '../control/index.js';
import type {
  DeployCheckResult,
  DeployResult,
  DeployService,
  VersionInfo,
} from '../deploy/index.js';
import type { NamespacesInUse, SearchAttributeSchemas } from '../namespaces/index.js';
import type { CountOptions, ListResult, RunLister } from '../read/index.js';
import { withinDeadline } from '../store-retry.js';
import { makeHandle, type HandleDeps } from './handles.js';
import { scheduleClient, type ScheduleClientDeps } from './schedule-client.js';
import { updateWithStart, type UpdateWithStartDeps } from './update-with-start.js';

/** The engine's API bound to one namespace (see `Engine.inNamespace`). */
export interface NamespaceScope {
  readonly namespace: string;
  readonly client: ClientApi;
  start<R = unknown>(
    workflow: WorkflowTypeRef,
    options?: WorkflowStartOptions,
  ): Promise<WorkflowHandle<R>>;
  signalWithStart<R = unknown>(
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
  ): Promise<WorkflowHandle<R>>;
  execute<R = unknown>(workflow: WorkflowTypeRef, options?: WorkflowStartOptions): Promise<R>;
  getHandle<R = unknown>(
    workflowId: string,
    runId?: string,
    options?: GetWorkflowHandleOptions,
  ): WorkflowHandle<R>;
  list(options?: WorkflowListOptions): Promise<ListResult>;
  count(options?: CountOptions): Promise<number>;
  /** Counts per value of `groupBy` (a field name, checked) or the query's trailing `GROUP BY`. */
  countGroups(options: CountOptions & { groupBy?: string }): Promise<WorkflowCountGroups>;
  reset(workflowId: string, options?: ResetOptions): Promise<WorkflowHandle>;
  reopen(
    workflowId: string,
    options?: { runId?: string; reason?: string; version?: string },
  ): Promise<WorkflowHandle>;
  retry(
    workflowId: string,
    options?: { runId?: string; version?: string },
  ): Promise<{ repinned: boolean }>;
  deploy(archive: Uint8Array): Promise<DeployResult>;
  /** Replays a sample of open runs against a package without deploying it. */
  checkDeploy(archive: Uint8Array, options?: { sample?: number }): Promise<DeployCheckResult>;
  route(workflowType: string, version: string): Promise<void>;
  unload(version: string): Promise<void>;
  versions(): Promise<VersionInfo[]>;
  registerSearchAttributes(defs: Readonly<Record<string, SearchAttributeType>>): Promise<void>;
  searchAttributes(): Promise<Record<string, SearchAttributeType>>;
}

export interface ScopeDeps extends HandleDeps, UpdateWithStartDeps, ScheduleClientDeps {
  readonly lister: RunLister;
  readonly resets: ResetService;
  readonly retries: RetryService;
  readonly deploys: DeployService;
  readonly schemas: SearchAttributeSchemas;
  readonly namespaces: NamespacesInUse;
}

/** A client call: retried through a store outage for at most the store deadline. */
function call<T>(d: ScopeDeps, fn: () => Promise<T>): Promise<T> {
  return withinDeadline(d.retry, fn);
}

/** No async frame of its own: each start of a burst waits for its commit (see RunStarter). */
function startHandle<R>(
  d: ScopeDeps,
  ns: string,
  workflow: WorkflowTypeRef,
  options?: WorkflowStartOptions,
): Promise<WorkflowHandle<R>> {
  // Temporal's handle from a start: it follows the run's chain (continue-as-new, reset, retry).
  return call(d, () => d.calls.start(ns, workflow, options)).then((run) =>
    makeHandle<R>(d, ns, run.workflowId, run.runId, {
      firstExecutionRunId: run.runId,
      ...(options?.followRuns !== undefined ? { followRuns: options.followRuns } : {}),
    }),
  );
}

async function signalWithStartHandle<R>(
  d: ScopeDeps,
  ns: string,
  workflow: WorkflowTypeRef,
  options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
): Promise<WorkflowHandle<R>> {
  const run = await call(d, () => d.calls.signalWithStart(ns, workflow, options));
  return makeHandle<R>(d, ns, run.workflowId, run.runId, {
    firstExecutionRunId: run.runId,
    ...(options.followRuns !== undefined ? { followRuns: options.followRuns } : {}),
  });
}

/** The in-process workflow client of one namespace. */
export function workflowClient(d: ScopeDeps, ns: string): WorkflowClient {
  return {
    start: (workflow, options) => startHandle(d, ns, workflow, options),
    signalWithStart: (workflow, options) => signalWithStartHandle(d, ns, workflow, options),
    execute: async (workflow, options) =>
      (await startHandle(d, ns, workflow, options ?? {})).result() as never,
    getHandle: (workflowId, runId, options) => makeHandle(d, ns, workflowId, runId, options),
    executeUpdateWithStart: async <T>(
      update: MessageRef,
      options: Parameters<WorkflowClient['executeUpdateWithStart']>[1],
    ) => (await (await updateWithStart(d, ns, update, options)).result()) as T,
    startUpdateWithStart: async <T>(
      update: MessageRef,
      options: Parameters<WorkflowClient['startUpdateWithStart']>[1],
    ) => {
      const { waitForStage: _stage, ...rest } = options;
      const u = await updateWithStart(d, ns, update, rest);
      return {
        updateId: u.updateId,
        workflowId: u.handle.workflowId,
        workflowRunId: u.runId,
        result: u.result as () => Promise<T>,
      };
    },
    list: (options) => call(d, () => d.lister.list(ns, options)),
    count: (options) => call(d, () => d.lister.count(ns, options)),
    countGroups: (options) => call(d, () => d.lister.countGroups(ns, options)),
  };
}

/**
 * Workflows, packages and search attributes of `namespace`, isolated from every other
 * namespace. The name is validated here; whether it is registered is for the caller to check.
 */
export function namespaceScope(d: ScopeDeps, namespace: string): NamespaceScope {
  const ns = validateNamespace(namespace);
  d.namespaces.use(ns);
  const client = workflowClient(d, ns);
  const reset = async (
    mode: 'reset' | 'reopen',
    workflowId: string,
    options: ResetOptions,
  ): Promise<WorkflowHandle> => {
    const run = await call(d, () => d.resets.resetOrReopen(ns, mode, workflowId, options));
    return makeHandle(d, ns, run.workflowId, run.runId);
  };
  return {
    namespace: ns,
    client: { workflow: client, schedule: scheduleClient(d, ns) },
    start: (workflow, options) => startHandle(d, ns, workflow, options),
    signalWithStart: (workflow, options) => signalWithStartHandle(d, ns, workflow, options),
    execute: async <R>(workflow: WorkflowTypeRef, options?: WorkflowStartOptions) =>
      (await startHandle<R>(d, ns, workflow, options ?? {})).result(),
    getHandle: (workflowId, runId, options) => makeHandle(d, ns, workflowId, runId, options),
    list: (options) => client.list(options),
    count: (options) => client.count(options),
    countGroups: (options) => call(d, () => d.lister.countGroups(ns, options)),
    reset: (workflowId, options) => reset('reset', workflowId, options ?? {}),
    reopen: (workflowId, options) =>
      reset('reopen', workflowId, { ...options, to: 'lastWorkflowTask' }),
    retry: (workflowId, options) => call(d, () => d.retries.retry(ns, workflowId, options)),
    deploy: (archive) => call(d, () => d.deploys.deploy(ns, archive)),
    checkDeploy: (archive, options) => call(d, () => d.deploys.checkDeploy(ns, archive, options)),
    route: (workflowType, version) => call(d, () => d.deploys.route(ns, workflowType, version)),
    unload: (version) => call(d, () => d.deploys.unload(ns, version)),
    versions: () => call(d, () => d.deploys.versions(ns)),
    registerSearchAttributes: (defs) => call(d, () => d.schemas.register(ns, defs)),
    searchAttributes: () => call(d, () => d.schemas.list(ns)),
  };
}
