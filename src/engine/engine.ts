// The Engine facade, the embedded engine's public API: no logic of its own, each call
// delegates to the service that owns it (see ./assembly for how they are wired).
import path from 'node:path';
import type { Clock } from '../clock/index.js';
import {
  AionError,
  resolveLimits,
  type EngineClient,
  type GetWorkflowHandleOptions,
  type MessageRef,
  type PayloadCodec,
  type SearchAttributeType,
  type WorkflowHandle,
  type WorkflowListOptions,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
} from '../core/index.js';
import type { AuditEntry, Store } from '../store/index.js';
import { resolveRunLimits } from './commands/index.js';
import { checkHeadroom } from './scheduler/index.js';
import {
  assembleEngine,
  startEngine,
  stopEngine,
  whenIdle,
  type EngineParts,
} from './assembly/index.js';
import type { ResetOptions } from './control/index.js';
import type { DeployCheckResult, DeployResult, VersionInfo } from './deploy/index.js';
import type { EngineEvents } from './event-feed.js';
import { makeHandle, namespaceScope, type NamespaceScope } from './local-client/index.js';
import type { NamespaceInfo, NamespaceSettings } from './namespaces/index.js';
import { storeLimitsOf, type EngineOptions } from './options.js';
import { probeStore, type StoreStatus } from './store-health.js';
import { withinDeadline } from './store-retry.js';
import {
  storeNodes,
  type CountOptions,
  type ListResult,
  type StoreNodesStatus,
} from './read/index.js';
import { embeddedWorkerSnapshot, type EmbeddedWorkerSnapshot } from './workers/index.js';
import type {
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSession,
  WorkerSink,
  WorkerSnapshot,
} from './remote-activities/index.js';
export type { NamespaceScope } from './local-client/index.js';
export type { StoreStatus } from './store-health.js';
export type { StoreNodesStatus } from './read/index.js';
export type { DeployCheckDivergence, DeployCheckResult, VersionInfo } from './deploy/index.js';

/**
 * The Aion engine: runs durable workflows on a store. Create it with {@link createEngine};
 * `engine.client` is the same Client API the remote SDK implements.
 */
export class Engine {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly identity: string;
  /** The store as it is: payloads in it are encoded by `payloadCodecs`. */
  readonly store: Store;
  /** The codecs that encode every payload this engine stores (`EngineOptions.payloadCodecs`). */
  readonly payloadCodecs: readonly PayloadCodec[];
  readonly clock: Clock;
  readonly client: EngineClient;
  readonly #p: EngineParts;
  /** The engine's API in its own namespace. */
  readonly #scope: NamespaceScope;

  private constructor(parts: EngineParts) {
    this.#p = parts;
    this.namespace = parts.infra.namespace;
    this.taskQueue = parts.infra.taskQueue;
    this.identity = parts.infra.identity;
    this.store = parts.store;
    this.payloadCodecs = parts.infra.payloadCodecs;
    this.clock = parts.seams.clock;
    this.#scope = namespaceScope(parts.services.scope, this.namespace);
    this.client = {
      ...this.#scope.client,
      activity: {
        complete: (taskToken, result) => this.completeActivity(taskToken, result),
        fail: (taskToken, failure) => this.failActivity(taskToken, failure),
      },
    };
  }

  /** Opens the store, deploys `workflowsPath`, and recovers whatever the store holds. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    validateOptions(options);
    let store = options.store;
    let owns = false;
    if (!store) {
      const { openSqliteStore } = await import('../store/sqlite/index.js');
      store = await openSqliteStore({
        path: path.join(options.dataDir ?? '.aion', 'aion.db'),
        ...(options.limits ? { limits: storeLimitsOf(options.limits) } : {}),
      });
      owns = true;
    }
    const parts = assembleEngine(options, store, owns);
    const engine = new Engine(parts);
    try {
      await startEngine(parts, options);
    } catch (err) {
      await parts.infra.thread.close();
      await parts.infra.replays.close();
      if (owns) await store.close();
      throw err;
    }
    return engine;
  }

  // ── workflows ──────────────────────────────────────────────────────────────────────────

  /** Starts a workflow; resolves once committed (with a signal: no client interceptors). */
  start<R>(
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
    withSignal?: { signal: MessageRef; args: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    if (!withSignal) return this.#scope.start<R>(workflow, options);
    return this.#call(() =>
      this.#p.services.scope.calls.startWithSignal(this.namespace, workflow, options, withSignal),
    ).then((run) =>
      makeHandle<R>(this.#p.services.scope, this.namespace, run.workflowId, run.runId, {
        firstExecutionRunId: run.runId,
      }),
    );
  }

  /**
   * Signals the workflow's open run, or starts it and delivers the signal in its first
   * activation (atomically with the start).
   */
  async signalWithStart<R>(
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    return this.#scope.signalWithStart<R>(workflow, options);
  }

  async execute<R>(workflow: WorkflowTypeRef, options: WorkflowStartOptions = {}): Promise<R> {
    const handle = await this.start<R>(workflow, options);
    return handle.result();
  }

  getHandle<R = unknown>(
    workflowId: string,
    runId?: string,
    options?: GetWorkflowHandleOptions,
  ): WorkflowHandle<R> {
    return this.#scope.getHandle<R>(workflowId, runId, options);
  }

  async list(options: WorkflowListOptions = {}): Promise<ListResult> {
    return this.#scope.list(options);
  }

  async count(options: CountOptions = {}): Promise<number> {
    return this.#scope.count(options);
  }

  /**
   * Resets a workflow: a new run of the same workflow id starts from the history prefix up
   * to a workflow-task boundary (recorded results reused, later work re-done), on the old
   * run's version unless `version` is given. An open old run ends TERMINATED with the reset
   * reason. The intent is recorded with that terminal, so a crash cannot lose the new run.
   * Signals the old run received after the reset point are recorded again on the new run
   * (Temporal's default) unless `resetReapplyType: 'NONE'` (or `resetReapplyExcludeTypes:
   * ['SIGNAL']`); updates are not re-applied.
   */
  async reset(workflowId: string, options: ResetOptions = {}): Promise<WorkflowHandle> {
    return this.#scope.reset(workflowId, options);
  }

  /**
   * Reopens a FAILED or CANCELLED run: a new run of the same workflow id that reuses every
   * recorded result and re-drives only the work cut off at its last workflow task. The old
   * run keeps its terminal; the new run's WorkflowStarted names it.
   */
  async reopen(
    workflowId: string,
    options: { runId?: string; reason?: string; version?: string } = {},
  ): Promise<WorkflowHandle> {
    return this.#scope.reopen(workflowId, options);
  }

  /**
   * Retries a stuck (or crashing) run now. With `version`, its history is first replay-checked
   * against that package version; if it replays without divergence the run is re-pinned to
   * it (recorded as WorkflowRepinned) and resumes there. A failed check leaves the run parked
   * with the divergence as its reason and throws.
   */
  async retry(
    workflowId: string,
    options: { runId?: string; version?: string } = {},
  ): Promise<{ repinned: boolean }> {
    return this.#scope.retry(workflowId, options);
  }

  /** Completes an activity that threw CompleteAsyncError, by its task token. */
  async completeActivity(taskToken: string, result: unknown): Promise<void> {
    return this.#call(() =>
      this.#settleByToken(taskToken, () => this.#p.services.completion.complete(taskToken, result)),
    );
  }

  /** Fails an activity that threw CompleteAsyncError, by its task token (final: no retry). */
  async failActivity(taskToken: string, error: unknown): Promise<void> {
    return this.#call(() =>
      this.#settleByToken(taskToken, () => this.#p.services.completion.fail(taskToken, error)),
    );
  }

  /**
   * Only a token this cluster signed, of an attempt that raised CompleteAsyncError
   * (`task_token_invalid`, `not_task_holder`, `not_found` otherwise).
   */
  async #settleByToken(taskToken: string, settle: () => Promise<void>): Promise<void> {
    const { activities } = this.#p.infra;
    const { taskId, attempt } = await activities.admitAsyncCompletion(taskToken);
    await settle();
    activities.asyncAttempts.settled(taskId, attempt);
  }

  /**
   * Signs task tokens from now on with the cluster's secret kept in the store (created on
   * first use); tokens must then carry a valid signature. `aion server` does it at start.
   */
  enableTaskTokenSigning(): Promise<void> {
    return this.#p.infra.activities.tokens.load();
  }

  /**
   * Rotates the secret that signs task tokens: a new one signs from now on, the old ones keep
   * verifying until {@link retireTaskTokenSecrets}. Returns the new secret's id.
   */
  rotateTaskTokenSecret(): Promise<string> {
    return this.#p.infra.activities.tokens.rotate();
  }

  /** Retires every task-token secret but the newest: tokens they signed stop verifying. */
  retireTaskTokenSecrets(): Promise<string[]> {
    return this.#p.infra.activities.tokens.retireOld();
  }

  /**
   * The engine's API in another namespace: workflows, packages and search attributes of
   * `namespace`, isolated from every other namespace (runs of all namespaces are driven by
   * this engine's scheduler, timers and recovery). The namespace name is validated here;
   * whether it is registered is for the caller (the server) to check.
   */
  inNamespace(namespace: string): NamespaceScope {
    return namespaceScope(this.#p.services.scope, namespace);
  }

  // ── packages and search attributes ─────────────────────────────────────────────────────

  /**
   * Deploys a package archive: validates it, persists it, and points the routes of every
   * workflow type it contains at it, atomically. Re-deploying the same version is idempotent.
   * Running runs stay on their versions; stuck runs of these types are replay-checked
   * against it and re-pinned when their history replays.
   */
  async deploy(archive: Uint8Array): Promise<DeployResult> {
    return this.#scope.deploy(archive);
  }

  /**
   * Replays up to `sample` open runs (default 50, newest first) of the types a package exports
   * against it and lists those it does not reproduce; nothing is stored or routed.
   */
  async checkDeploy(
    archive: Uint8Array,
    options?: { sample?: number },
  ): Promise<DeployCheckResult> {
    return this.#scope.checkDeploy(archive, options);
  }

  /** Re-points a workflow type's route (rollback or roll-forward). */
  async route(workflowType: string, version: string): Promise<void> {
    return this.#scope.route(workflowType, version);
  }

  /** Removes a deployed version; refused while routed or pinned, naming the holder. */
  async unload(version: string): Promise<void> {
    return this.#scope.unload(version);
  }

  /** Deployed versions with their deploy time, the types routed to them and open runs pinned. */
  async versions(): Promise<VersionInfo[]> {
    return this.#scope.versions();
  }

  /**
   * Registers search attributes (name → type) in this engine's namespace so workflows can
   * set them and list queries can filter on them. Idempotent; a type cannot change.
   */
  async registerSearchAttributes(
    defs: Readonly<Record<string, SearchAttributeType>>,
  ): Promise<void> {
    return this.#scope.registerSearchAttributes(defs);
  }

  /** The registered search attributes of this engine's namespace. */
  async searchAttributes(): Promise<Record<string, SearchAttributeType>> {
    return this.#scope.searchAttributes();
  }

  // ── namespaces ─────────────────────────────────────────────────────────────────────────

  /**
   * Registers a namespace. Idempotent by name: an existing namespace is returned unchanged
   * with `created: false`.
   */
  async createNamespace(
    name: string,
    settings: NamespaceSettings = {},
  ): Promise<{ namespace: NamespaceInfo; created: boolean }> {
    return this.#call(() => this.#p.services.namespaceService.create(name, settings));
  }

  /** Changes a namespace's description or retention; `not_found` if it is not registered. */
  async updateNamespace(name: string, settings: NamespaceSettings): Promise<NamespaceInfo> {
    return this.#call(() => this.#p.services.namespaceService.update(name, settings));
  }

  /** A registered namespace; `not_found` if there is none of that name. */
  async describeNamespace(name: string): Promise<NamespaceInfo> {
    return this.#call(() => this.#p.services.namespaceService.describe(name));
  }

  /** Every registered namespace, by name. */
  async listNamespaces(): Promise<NamespaceInfo[]> {
    return this.#call(() => this.#p.services.namespaceService.list());
  }

  /** Runs one retention sweep now (closed runs past their namespace's retention are deleted). */
  sweepRetention(): Promise<number> {
    return this.#p.services.namespaceService.sweepRetention();
  }

  // ── remote workers (the server's worker endpoint) ──────────────────────────────────────

  /**
   * Connects a remote worker: tasks of its queue and activity types are dispatched to
   * `sink`, within its `maxConcurrent` and the queue's `taskQueues` limits, with the same
   * retry, timeout and heartbeat semantics as in-process activities. The session carries the
   * worker's heartbeats and results; `close()` fails its in-flight attempts as `WorkerLost`.
   * Throws `not_found` for another namespace, `unavailable` while shutting down.
   */
  connectWorker(registration: WorkerRegistration, sink: WorkerSink): WorkerSession {
    return this.#p.services.remoteWorkers.connect(registration, sink);
  }

  /** Appends audit-trail entries durably, in the store transaction of the next group commit. */
  appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    return this.#p.infra.recorder.audit(entries);
  }

  /** Connected remote workers and the dispatch state of their task queues (of one namespace). */
  async workers(
    namespace: string = this.namespace,
  ): Promise<{ workers: WorkerSnapshot[]; taskQueues: TaskQueueSnapshot[] }> {
    return this.#p.services.remoteWorkers.snapshot(namespace);
  }

  /** This engine's own activity worker (its `activities`); undefined when it has none. */
  embeddedWorker(): EmbeddedWorkerSnapshot | undefined {
    return embeddedWorkerSnapshot(this.#p.infra);
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────

  /**
   * Live feed of committed history events (see {@link EngineEvents}): delivered only after
   * the store commit succeeded, in seq order per run. Costs nothing while nobody listens.
   */
  get events(): EngineEvents {
    return this.#p.infra.feed;
  }

  /**
   * What the engine knows about its store: `available` is false while store operations keep
   * failing with transient errors (connection lost, database down, disk full); background
   * work retries meanwhile and client calls fail with `store_unavailable` after
   * `storeRetryDeadlineMs`. Also exported as the `aion_store_available` gauge.
   */
  storeStatus(): StoreStatus {
    return this.#p.infra.health.status();
  }

  /**
   * The nodes serving this engine's store and who holds each shard's lease (PostgreSQL), or
   * `leases: false` for a store that belongs to this process alone. Also
   * `GET /api/v1/cluster` and `aion cluster status`.
   */
  storeNodes(): Promise<StoreNodesStatus> {
    return storeNodes(this.#p.store, this.#p.nodeId, this.#p.cluster !== undefined);
  }

  /**
   * Asks cluster node `nodeId` (this one or another) to hand its shards to the other nodes
   * before it is stopped; it keeps serving calls by forwarding them. `not_found` when no
   * cluster node has that id.
   */
  async drainNode(nodeId: string): Promise<{ readonly nodeId: string; readonly draining: true }> {
    const membership = this.#p.store.membership;
    if (this.#p.cluster === undefined || membership === undefined) {
      throw new AionError('invalid_state', 'this engine is not a cluster node: nothing to drain', {
        nodeId,
      });
    }
    if (!(await membership.requestDrain(nodeId))) {
      throw new AionError('not_found', `no cluster node ${JSON.stringify(nodeId)} is registered`, {
        nodeId,
      });
    }
    return { nodeId, draining: true };
  }

  /**
   * Asks the store now (a cheap read, at most `timeoutMs`, default 2,000) — what readiness
   * probes use. Resolves false when it fails, does not answer in time, or the engine knows
   * the store to be unavailable (a full disk fails writes while reads still answer).
   */
  async checkStore(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return probeStore(this.#p.infra, options.timeoutMs ?? 2000);
  }

  /** Resolves when no run has work queued or in flight and no commit is pending. */
  async whenIdle(): Promise<void> {
    return whenIdle(this.#p);
  }

  /** Internal counters for tests and the time-skipping environment. */
  get stats(): {
    residentRuns: number;
    runningActivities: number;
    memoryTimers: number;
    idle: boolean;
  } {
    const { scheduler, activities, timers, recorder } = this.#p.infra;
    return {
      residentRuns: scheduler.residentCount,
      runningActivities: activities.runningCount,
      memoryTimers: timers.size,
      idle: scheduler.idle && recorder.idle && this.#p.services.schedules.idle,
    };
  }

  /**
   * Graceful drain: stops accepting work, lets running activities finish (up to
   * `timeoutMs`, then cancels them), commits everything in flight, and closes the store if
   * the engine opened it.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    return stopEngine(this.#p, options.timeoutMs ?? 10_000);
  }

  /** A client call: retried through a store outage for at most the store deadline. */
  #call<T>(fn: () => Promise<T>): Promise<T> {
    return withinDeadline(this.#p.infra.retry, fn);
  }
}

/** Rejects option values the engine cannot run with, before anything is opened. */
function validateOptions(options: EngineOptions): void {
  const can = options.continueAsNew;
  if (can?.fraction !== undefined && !(can.fraction > 0 && can.fraction <= 1)) {
    throw new AionError('invalid_argument', 'continueAsNew.fraction must be a number in (0, 1]', {
      field: 'continueAsNew.fraction',
    });
  }
  if (
    can?.historyBytes !== undefined &&
    !(Number.isSafeInteger(can.historyBytes) && can.historyBytes > 0)
  ) {
    throw new AionError(
      'invalid_argument',
      'continueAsNew.historyBytes must be a positive integer',
      {
        field: 'continueAsNew.historyBytes',
      },
    );
  }
  // Limits: each a positive integer, and room in history beyond the events kept for its end.
  const limits = resolveLimits(storeLimitsOf(options.limits));
  resolveRunLimits(options.limits);
  checkHeadroom(limits.maxHistoryLength);
}

/** Creates an engine. See {@link EngineOptions} for defaults. */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
