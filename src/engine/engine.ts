import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { decodeTaskToken } from '../activity/complete-async.js';
import { ActivityExecutor } from '../activity/executor.js';
import { RealClock, type Clock } from '../clock/index.js';
import type {
  ClientApi,
  HistoryExport,
  MessageRef,
  WorkflowClient,
  WorkflowExecutionDescription,
  WorkflowExecutionInfo,
  WorkflowHandle,
  WorkflowListOptions,
  WorkflowStartOptions,
  WorkflowTypeRef,
} from '../client/types.js';
import { historyExport } from '../client/types.js';
import type { WorkflowClientInterceptor } from '../client/interceptors.js';
import {
  AionError,
  checkPayloadSize,
  DataConverter,
  errorToFailure,
  failureToError,
  isTerminalEventType,
  JsonPayloadConverter,
  payloadSize,
  resolveLimits,
  validateHeaders,
  composeInterceptors,
  type Headers,
  validateNamespace,
  validateWorkflowId,
  WorkflowAlreadyStartedError,
  WorkflowFailedError,
  isAionError,
  type EventOf,
  type HistoryEvent,
  type Limits,
  type NewEvent,
  type ParentRef,
  type Payload,
  type SearchAttributes,
  type SearchAttributeType,
  type SearchAttributeValue,
  optionalDuration,
  type RunKey,
} from '../core/index.js';
import type {
  ListRequest,
  OutboxRow,
  RunInfo,
  Store,
  TimerRow,
  VisibilityExpr,
} from '../store/index.js';
import {
  parseVisibilityQuery,
  schemaFromDefinitions,
  toTypedSearchAttributes,
} from '../visibility/index.js';
import { ActivityService, activityTimerIds, taskIdFor } from './activity-service.js';
import {
  RemoteActivities,
  type TaskQueueSnapshot,
  type WorkerRegistration,
  type WorkerSession,
  type WorkerSink,
  type WorkerSnapshot,
} from './remote-activities.js';
import {
  EXTERNAL_KIND,
  type ExternalData,
  CHILD_RESULT_KIND,
  CHILD_START_KIND,
  CLOSE_POLICY_KIND,
  type ChildResultData,
  type ChildStartData,
  type ClosePolicyData,
  ACTIVITY_TIMEOUT_KIND,
  CONTINUE_AS_NEW_KIND,
  USER_TIMER_KIND,
  WORKFLOW_TIMEOUT_KIND,
  type ContinueAsNewData,
} from './commands.js';
import { EventFeed, type EngineEvents } from './event-feed.js';
import {
  namespaceInfo,
  retentionMsOf,
  RetentionSweeper,
  type NamespaceInfo,
  type NamespaceSettings,
} from './namespaces.js';
import { engineMetrics, noopMetrics, type EngineMetrics } from './metrics.js';
import { defaultLogger, type EngineOptions } from './options.js';
import { PackageRegistry } from './package-registry.js';
import { Recorder } from './recorder.js';
import { actorKey, type Arrival } from './run-actor.js';
import {
  planNewRun,
  RESET_KIND,
  resolveResetPoint,
  type ResetData,
  type ResetPoint,
} from './reset.js';
import { RunScheduler, type EngineLogger } from './scheduler.js';
import { TimerService } from './timer-service.js';
import { DEFAULT_DEADLOCK_TIMEOUT_MS, WorkflowThread } from '../runtime/index.js';

const START_OPTION_KEYS = new Set([
  'workflowIdReusePolicy',
  'workflowIdConflictPolicy',
  'requestId',
  'workflowId',
  'args',
  'taskQueue',
  'searchAttributes',
  'memo',
  'executionTimeout',
  'runTimeout',
  'headers',
]);
const json = new JsonPayloadConverter();

type Waiter = (terminal: HistoryEvent) => void;
type UpdateWaiter = {
  resolve: (e: EventOf<'UpdateCompleted'>) => void;
  reject: (err: unknown) => void;
};

/** What a new run is recorded with (`#startRun`). */
/** A deployed package version, as `versions()` lists it. */
export interface VersionInfo {
  version: string;
  name: string;
  deployedAt: Date;
  size: number;
  routedTypes: string[];
  openRuns: number;
}

/** The engine's API bound to one namespace (see {@link Engine.inNamespace}). */
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
  getHandle<R = unknown>(workflowId: string, runId?: string): WorkflowHandle<R>;
  list(
    options?: WorkflowListOptions,
  ): Promise<{ items: WorkflowExecutionInfo[]; nextCursor: string | undefined }>;
  count(options?: Omit<WorkflowListOptions, 'pageSize' | 'cursor'>): Promise<number>;
  reset(
    workflowId: string,
    options?: { runId?: string; to?: ResetPoint; reason?: string; version?: string },
  ): Promise<WorkflowHandle>;
  reopen(
    workflowId: string,
    options?: { runId?: string; reason?: string; version?: string },
  ): Promise<WorkflowHandle>;
  retry(
    workflowId: string,
    options?: { runId?: string; version?: string },
  ): Promise<{ repinned: boolean }>;
  deploy(
    archive: Uint8Array,
  ): Promise<{ version: string; freshlyLoaded: boolean; routeChanged: boolean }>;
  route(workflowType: string, version: string): Promise<void>;
  unload(version: string): Promise<void>;
  versions(): Promise<VersionInfo[]>;
  registerSearchAttributes(defs: Readonly<Record<string, SearchAttributeType>>): Promise<void>;
  searchAttributes(): Promise<Record<string, SearchAttributeType>>;
}

/** Idempotency keys of starts and signals: a non-empty string of at most 200 characters. */
function requestIdIsValid(requestId: unknown): requestId is string {
  return typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 200;
}

function badRequestId(): AionError {
  return new AionError(
    'invalid_argument',
    'requestId must be a non-empty string of at most 200 characters',
    { field: 'requestId' },
  );
}

/** A workflow (its current run) or one run of it, in a namespace. */
interface RunRef {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string | undefined;
}

interface StartRunParams {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  args: readonly Payload[];
  firstRunId: string;
  continuedFromRunId?: string;
  searchAttributes?: SearchAttributes;
  memo?: Readonly<Record<string, Payload>>;
  executionTimeoutMs?: number;
  executionDeadline?: number;
  runTimeoutMs?: number;
  removeOutbox?: readonly string[];
  requestId?: string;
  signals?: readonly Arrival[];
  /** A recorded version to start on (child starts); default: the type's routed version. */
  version?: string;
  parent?: ParentRef;
  headers?: Headers;
  onCommitted?: () => void;
}

/**
 * The Aion engine: runs durable workflows on a store. Create it with {@link createEngine};
 * `engine.client` is the same Client API the remote SDK implements.
 */
export class Engine {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly identity: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly client: ClientApi;
  readonly #ownsStore: boolean;
  readonly #limits: Limits;
  readonly #converter: DataConverter;
  readonly #metrics: EngineMetrics;
  readonly #logger: EngineLogger;
  readonly #registry: PackageRegistry;
  readonly #thread: WorkflowThread;
  readonly #recorder: Recorder;
  readonly #feed: EventFeed;
  readonly #scheduler: RunScheduler;
  readonly #timers: TimerService;
  readonly #activities: ActivityService;
  readonly #executor: ActivityExecutor | undefined;
  readonly #clientInterceptors: readonly WorkflowClientInterceptor[] | undefined;
  /** Remote-worker dispatchers, one per namespace with connected workers. */
  readonly #remotes = new Map<string, RemoteActivities>();
  readonly #makeRemote: (namespace: string) => RemoteActivities;
  /** Namespaces in use (the engine's, and any started in or recovered): activity polling covers them. */
  readonly #namespaces = new Set<string>();
  readonly #retention: RetentionSweeper;
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #schemas = new Map<string, ReadonlyMap<string, SearchAttributeType>>();
  /** Callers waiting for an update's outcome, by run key then update id. */
  readonly #updateWaiters = new Map<string, Map<string, UpdateWaiter[]>>();
  #shutdown = false;
  /** Keeps the process alive while the engine runs (durable timers may be far away). */
  #keepAlive: NodeJS.Timeout | undefined;

  private constructor(options: EngineOptions, store: Store, ownsStore: boolean) {
    this.namespace = validateNamespace(options.namespace ?? 'default');
    this.#namespaces.add(this.namespace);
    this.taskQueue = options.taskQueue ?? 'default';
    this.identity = options.identity ?? `engine-${randomUUID()}`;
    this.store = store;
    this.#ownsStore = ownsStore;
    this.clock = options.clock ?? new RealClock();
    this.#limits = resolveLimits(options.limits);
    this.#converter = new DataConverter({
      ...(options.payloadConverter ? { payloadConverter: options.payloadConverter } : {}),
      ...(options.payloadCodecs ? { payloadCodecs: options.payloadCodecs } : {}),
      limits: this.#limits,
    });
    this.#metrics = engineMetrics(options.metrics ?? noopMetrics);
    this.#logger = options.logger ?? defaultLogger;
    const deadlock = options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS;
    this.#thread = new WorkflowThread({
      deadlockTimeoutMs: deadlock,
      onRestart: (reason) =>
        this.#logger.warn('workflow thread restarted; resident runs will be rebuilt by replay', {
          reason,
        }),
    });
    this.#registry = new PackageRegistry(store, this.#thread);
    this.#feed = new EventFeed((err) =>
      this.#logger.warn('event feed listener threw', { error: String(err) }),
    );
    this.#recorder = new Recorder(store, this.#metrics, undefined, this.#feed);
    const activities = options.activities ?? {};
    this.#executor =
      Object.keys(activities).length > 0
        ? new ActivityExecutor({
            activities,
            clock: this.clock,
            maxConcurrent: options.maxConcurrentActivities ?? 200,
            onHeartbeat: (info, details) => this.#activities.heartbeat(info, details),
            ...(options.interceptors?.activity
              ? { interceptors: options.interceptors.activity }
              : {}),
          })
        : undefined;
    const client = options.interceptors?.client;
    this.#clientInterceptors = client && client.length > 0 ? client : undefined;
    this.#activities = new ActivityService({
      store,
      clock: this.clock,
      owner: this.identity,
      namespaces: () => this.#namespaces,
      executor: this.#executor,
      servedQueues: [this.taskQueue],
      servedTypes: Object.keys(activities),
      converter: this.#converter,
      metrics: this.#metrics,
      onArrival: (a) =>
        this.#scheduler.enqueue(a.run, {
          event: a.event,
          removeTasks: [a.taskId],
          cancelTimers: activityTimerIds(a.activityId),
          ...(a.ack ? { ack: a.ack } : {}),
        }),
    });
    this.#makeRemote = (namespace) =>
      new RemoteActivities({
        store,
        clock: this.clock,
        owner: this.identity,
        namespace,
        activities: this.#activities,
        ...(options.taskQueues ? { taskQueues: options.taskQueues } : {}),
      });
    this.#retention = new RetentionSweeper({
      store,
      clock: this.clock,
      logger: this.#logger,
      ...(options.retentionIntervalMs !== undefined
        ? { intervalMs: options.retentionIntervalMs }
        : {}),
    });
    this.#activities.attachRemote({
      wake: (namespace, queue, at) => this.#remotes.get(namespace)?.wake(queue, at),
      reserve: (namespace, queue, type, taskId) =>
        this.#remotes.get(namespace)?.reserve(queue, type, taskId) ?? false,
      take: (task) => this.#remotes.get(task.namespace)?.take(task),
    });
    this.#timers = new TimerService({
      store,
      clock: this.clock,
      owner: this.identity,
      onFire: (row) => this.#onTimer(row),
    });
    const workflowLogger = options.workflowLogger;
    this.#scheduler = new RunScheduler({
      store,
      clock: this.clock,
      recorder: this.#recorder,
      registry: this.#registry,
      thread: this.#thread,
      activities: this.#activities,
      timers: this.#timers,
      metrics: this.#metrics,
      limits: this.#limits,
      logger: this.#logger,
      maxResidentRuns: options.maxResidentRuns ?? 10_000,
      continueAsNew: {
        fraction: options.continueAsNew?.fraction ?? 0.8,
        historyBytes: options.continueAsNew?.historyBytes ?? 50 * 1024 * 1024,
      },
      supervision: {
        maxRestarts: options.supervision?.maxRestarts ?? 5,
        withinMs: options.supervision?.withinMs ?? 10 * 60_000,
        failTypes: new Set(options.supervision?.failTypes ?? []),
      },
      onClosed: (run, terminal, workflowType) => this.#onClosed(run, terminal, workflowType),
      onOutbox: (row) => this.#dispatchOutbox(row),
      onUpdateCompleted: (run, event) => {
        const waiters = this.#updateWaiters.get(actorKey(run.namespace, run.runId));
        for (const w of waiters?.get(event.updateId) ?? []) w.resolve(event);
        waiters?.delete(event.updateId);
      },
      routeFor: (namespace, workflowType) => this.#registry.cachedRoute(namespace, workflowType),
      schemaFor: (namespace) => this.#schemas.get(namespace) ?? new Map(),
      onWorkflowLog: (run, line) => {
        if (workflowLogger)
          workflowLogger({
            workflowId: run.workflowId,
            runId: run.runId,
            level: line.level,
            message: line.message,
            at: line.at,
          });
        else
          this.#logger[line.level](line.message, { workflowId: run.workflowId, runId: run.runId });
      },
    });
    this.client = { workflow: this.#workflowClient() };
  }

  /** Opens the store, deploys `workflowsPath`, and recovers whatever the store holds. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
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
        { field: 'continueAsNew.historyBytes' },
      );
    }
    let store = options.store;
    let owns = false;
    if (!store) {
      const { openSqliteStore } = await import('../store/sqlite/index.js');
      store = await openSqliteStore({
        path: path.join(options.dataDir ?? '.aion', 'aion.db'),
        ...(options.limits ? { limits: options.limits } : {}),
      });
      owns = true;
    }
    const engine = new Engine(options, store, owns);
    try {
      await engine.#startup(options);
    } catch (err) {
      await engine.#thread.close();
      if (owns) await store.close();
      throw err;
    }
    return engine;
  }

  async #startup(options: EngineOptions): Promise<void> {
    // The engine's own namespace is registered (idempotent; settings of an existing one kept).
    const now = this.clock.now();
    await this.store.createNamespace({
      name: this.namespace,
      description: '',
      retentionMs: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.#loadSchema(this.namespace);
    // This process now owns the store: leases of a previous (dead) owner are void.
    await this.store.expireLeases({ exceptOwner: this.identity, now: this.clock.now() });
    if (options.workflowsPath) {
      const built = await this.#registry.deployFromPath(
        this.namespace,
        options.workflowsPath,
        this.clock.now(),
      );
      await this.#repinStuck(
        this.namespace,
        built.manifest.workflowTypes.map((t) => t.name),
        built.version,
      );
    }
    this.#timers.start();
    this.#activities.start();
    this.#retention.start();
    if (options.keepAlive !== false) this.#keepAlive = setInterval(() => undefined, 2 ** 30);
    await this.#recoverOpenRuns();
    await this.#recoverOutbox();
  }

  async #loadSchema(namespace: string): Promise<ReadonlyMap<string, SearchAttributeType>> {
    const schema = schemaFromDefinitions(await this.store.listSearchAttributes(namespace));
    this.#schemas.set(namespace, schema);
    return schema;
  }

  /**
   * Registers search attributes (name → type) in this engine's namespace so workflows can
   * set them and list queries can filter on them. Idempotent; a type cannot change.
   */
  async registerSearchAttributes(
    defs: Readonly<Record<string, SearchAttributeType>>,
  ): Promise<void> {
    return this.#registerSearchAttributes(this.namespace, defs);
  }

  async #registerSearchAttributes(
    ns: string,
    defs: Readonly<Record<string, SearchAttributeType>>,
  ): Promise<void> {
    await this.store.registerSearchAttributes(
      ns,
      Object.entries(defs).map(([name, type]) => ({ name, type })),
    );
    await this.#loadSchema(ns);
  }

  /** The registered search attributes of this engine's namespace. */
  async searchAttributes(): Promise<Record<string, SearchAttributeType>> {
    return Object.fromEntries(await this.#loadSchema(this.namespace));
  }

  async #schemaOf(ns: string): Promise<ReadonlyMap<string, SearchAttributeType>> {
    return this.#schemas.get(ns) ?? (await this.#loadSchema(ns));
  }

  /**
   * Deploys a package archive: validates it, persists it, and points the routes of every
   * workflow type it contains at it, atomically. Re-deploying the same version is idempotent.
   * Running runs stay on their versions; stuck runs of these types are replay-checked
   * against it and re-pinned when their history replays.
   */
  async deploy(
    archive: Uint8Array,
  ): Promise<{ version: string; freshlyLoaded: boolean; routeChanged: boolean }> {
    return this.#deploy(this.namespace, archive);
  }

  async #deploy(
    ns: string,
    archive: Uint8Array,
  ): Promise<{ version: string; freshlyLoaded: boolean; routeChanged: boolean }> {
    this.#check();
    const result = await this.#registry.deployArchive(ns, archive, this.clock.now());
    await this.#repinStuck(ns, result.workflowTypes, result.version);
    return {
      version: result.version,
      freshlyLoaded: result.freshlyLoaded,
      routeChanged: result.routeChanged,
    };
  }

  /** Re-points a workflow type's route (rollback or roll-forward). */
  async route(workflowType: string, version: string): Promise<void> {
    return this.#route(this.namespace, workflowType, version);
  }

  async #route(ns: string, workflowType: string, version: string): Promise<void> {
    this.#check();
    await this.#registry.setRoute(ns, workflowType, version, this.clock.now());
    await this.#repinStuck(ns, [workflowType], version);
  }

  /** Removes a deployed version; refused while routed or pinned, naming the holder. */
  async unload(version: string): Promise<void> {
    return this.#unload(this.namespace, version);
  }

  async #unload(ns: string, version: string): Promise<void> {
    this.#check();
    await this.#registry.unload(ns, version);
  }

  /** Deployed versions with their deploy time, the types routed to them and open runs pinned. */
  async versions(): Promise<VersionInfo[]> {
    return this.#versions(this.namespace);
  }

  async #versions(ns: string): Promise<VersionInfo[]> {
    const [packages, routes] = await Promise.all([
      this.store.listPackages(ns),
      this.store.listRoutes(ns),
    ]);
    return Promise.all(
      packages.map(async (p) => ({
        version: p.version,
        name: (JSON.parse(p.manifest) as { name?: string }).name ?? '',
        deployedAt: new Date(p.deployedAt),
        size: p.size,
        routedTypes: routes.filter((r) => r.version === p.version).map((r) => r.workflowType),
        openRuns: await this.store.countRuns(ns, {
          op: 'and',
          args: [
            { op: 'cmp', field: { kind: 'builtin', name: 'Version' }, cmp: '=', value: p.version },
            {
              op: 'in',
              field: { kind: 'builtin', name: 'ExecutionStatus' },
              values: ['RUNNING', 'PAUSED'],
            },
          ],
        }),
      })),
    );
  }

  /**
   * A new version of these types is routed: every stuck run of them whose history replays on
   * it without divergence is re-pinned to it and resumed; the others stay parked, with the
   * divergence as their reason.
   */
  async #repinStuck(ns: string, types: readonly string[], version: string): Promise<void> {
    if (types.length === 0) return;
    const where: VisibilityExpr = {
      op: 'and',
      args: [
        { op: 'cmp', field: { kind: 'builtin', name: 'Stuck' }, cmp: '=', value: true },
        { op: 'in', field: { kind: 'builtin', name: 'WorkflowType' }, values: [...types] },
      ],
    };
    let cursor: string | undefined;
    do {
      const page = await this.store.listRuns({
        namespace: ns,
        where,
        pageSize: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const info of page.items) {
        if (info.version === version) {
          // Parked because its own version was missing, which is now deployed again: resume.
          if (info.stuck?.reason.includes('[package_version_missing]')) {
            this.#scheduler.unpark(this.#scheduler.actor(info));
          }
          continue;
        }
        await this.#retry(ns, info.workflowId, { runId: info.runId, version }).catch(
          (err: unknown) => {
            this.#logger.warn('stuck run does not replay on the new version; it stays parked', {
              workflowId: info.workflowId,
              runId: info.runId,
              error: String(err),
            });
          },
        );
      }
      cursor = page.nextCursor;
    } while (cursor);
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
    return this.#retry(this.namespace, workflowId, options);
  }

  async #retry(
    ns: string,
    workflowId: string,
    options: { runId?: string; version?: string } = {},
  ): Promise<{ repinned: boolean }> {
    this.#check();
    const info = await this.#resolveRun({ namespace: ns, workflowId, runId: options.runId });
    if (info.closeTime !== undefined) {
      throw new AionError(
        'workflow_closed',
        `cannot retry workflow ${workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    const actor = this.#scheduler.actor(info);
    const target = options.version ?? info.version;
    let repinned = false;
    if (target !== info.version) {
      await this.#registry.ensureLoaded(info.namespace, target);
      const events = await this.store.readHistory(info);
      const key = `check\u0000${info.runId}`;
      const outcome = await this.#thread.replay(key, target, info, events);
      this.#thread.evict([key]);
      if (!outcome.ok) {
        const reason = `does not replay on ${target.slice(0, 12)}: ${outcome.failure.message}`;
        actor.stuck = { reason, since: this.clock.now() };
        actor.visibilityPatch = { stuck: actor.stuck };
        this.#scheduler.markReady(actor);
        throw new AionError('nondeterminism', `run ${info.runId} ${reason}`, {
          runId: info.runId,
          version: target,
          failure: outcome.failure,
        });
      }
      await new Promise<void>((resolve, reject) => {
        this.#scheduler.enqueue(info, {
          event: {
            type: 'WorkflowRepinned',
            fromVersion: info.version,
            toVersion: target,
            reason: 'replay-checked re-pin',
          },
          ack: { resolve, reject },
        });
      });
      repinned = true;
    }
    this.#scheduler.unpark(this.#scheduler.actor(info));
    return { repinned };
  }

  /**
   * Resets a workflow: a new run of the same workflow id starts from the history prefix up
   * to a workflow-task boundary (recorded results reused, later work re-done), on the old
   * run's version unless `version` is given. An open old run ends TERMINATED with the reset
   * reason. The intent is recorded with that terminal, so a crash cannot lose the new run.
   */
  async reset(
    workflowId: string,
    options: { runId?: string; to?: ResetPoint; reason?: string; version?: string } = {},
  ): Promise<WorkflowHandle> {
    return this.#resetOrReopen(this.namespace, 'reset', workflowId, options);
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
    return this.#resetOrReopen(this.namespace, 'reopen', workflowId, {
      ...options,
      to: 'lastWorkflowTask',
    });
  }

  async #resetOrReopen(
    ns: string,
    mode: 'reset' | 'reopen',
    workflowId: string,
    options: { runId?: string; to?: ResetPoint; reason?: string; version?: string },
  ): Promise<WorkflowHandle> {
    this.#check();
    const info = await this.#resolveRun({ namespace: ns, workflowId, runId: options.runId });
    if (mode === 'reopen' && info.status !== 'FAILED' && info.status !== 'CANCELLED') {
      throw new AionError(
        'invalid_state',
        `only FAILED or CANCELLED runs can be reopened; run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    const events = await this.store.readHistory(info);
    const boundarySeq = resolveResetPoint(events, options.to ?? 'lastWorkflowTask');
    if (options.version !== undefined) await this.#registry.ensureLoaded(ns, options.version);
    const reason = options.reason ?? mode;
    const data: ResetData = {
      mode,
      newRunId: randomUUID(),
      boundarySeq,
      reason,
      ...(options.version !== undefined ? { version: options.version } : {}),
    };
    planNewRun(info, events, data, this.#activities, this.clock.now()); // validates the reset point
    const row: OutboxRow = {
      namespace: info.namespace,
      id: `${mode}/${info.runId}/${data.newRunId}`,
      workflowId: info.workflowId,
      runId: info.runId,
      kind: RESET_KIND,
      data: JSON.stringify(data),
      createdAt: this.clock.now(),
    };
    if (info.closeTime === undefined) {
      await new Promise<void>((resolve, reject) => {
        this.#scheduler.enqueue(info, {
          event: {
            type: 'WorkflowTerminated',
            reason: `${mode} to seq ${boundarySeq}: ${reason}`,
            identity: this.identity,
          },
          addOutbox: [row],
          ack: { resolve, reject },
        });
      });
    } else {
      const [outcome] = await this.store.commit([
        { run: info, expectedSeq: info.headSeq, events: [], outbox: { add: [row] } },
      ]);
      if (outcome && !outcome.ok) throw outcome.error;
    }
    await this.#applyReset(row);
    return this.#handle(ns, info.workflowId, data.newRunId);
  }

  readonly #resetsInFlight = new Map<string, Promise<void>>();

  /** Creates the new run recorded by a reset/reopen intent (idempotent). */
  #applyReset(row: OutboxRow): Promise<void> {
    let inFlight = this.#resetsInFlight.get(row.id);
    if (!inFlight) {
      inFlight = (async () => {
        const data = JSON.parse(row.data) as ResetData;
        const old = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
        const newKey = { ...old, runId: data.newRunId };
        if (await this.store.getRun(newKey)) {
          await this.store.deleteOutbox(row.namespace, [row.id]);
          return;
        }
        const plan = planNewRun(
          old,
          await this.store.readHistory(old),
          data,
          this.#activities,
          this.clock.now(),
        );
        const outcome = await this.#recorder.submit({
          run: newKey,
          expectedSeq: 0,
          events: plan.events,
          tasks: { enqueue: plan.tasks },
          timers: { upsert: plan.timers },
          outbox: { remove: [row.id] },
        });
        if (!outcome.ok) throw outcome.error;
        for (const t of plan.tasks) this.#activities.dispatch(t);
        for (const t of plan.timers) this.#timers.add(t);
      })().finally(() => this.#resetsInFlight.delete(row.id));
      this.#resetsInFlight.set(row.id, inFlight);
    }
    return inFlight;
  }

  /** Re-dispatches messages committed but not settled before the last stop (e.g. successors). */
  async #recoverOutbox(): Promise<void> {
    let after: { namespace: string; id: string } | undefined;
    for (;;) {
      const rows = await this.store.listOutbox({ limit: 500, ...(after ? { after } : {}) });
      for (const row of rows) this.#dispatchOutbox(row);
      if (rows.length < 500) break;
      const last = rows[rows.length - 1]!;
      after = { namespace: last.namespace, id: last.id };
    }
  }

  /** Re-activates every open run whose last activation did not complete. */
  async #recoverOpenRuns(): Promise<void> {
    let after: { namespace: string; runId: string } | undefined;
    for (;;) {
      const page = await this.store.listOpenRuns({ limit: 500, ...(after ? { after } : {}) });
      for (const info of page) {
        // Search-attribute schemas of every namespace with open runs (upserts validate against them).
        if (!this.#schemas.has(info.namespace)) await this.#loadSchema(info.namespace);
        this.#useNamespace(info.namespace);
        if (info.status === 'PAUSED') this.#activities.setPaused(info.runId, true);
        if (info.status !== 'RUNNING' || info.stuck) continue; // stuck runs wait for a fix
        const key = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
        const [last] = await this.store.readHistory(key, { fromSeq: info.headSeq });
        if (last && last.type !== 'WorkflowTaskCompleted') {
          const actor = this.#scheduler.actor(key);
          actor.needsActivation = true;
          this.#scheduler.markReady(actor);
        }
      }
      if (page.length < 500) break;
      const lastInfo = page[page.length - 1]!;
      after = { namespace: lastInfo.namespace, runId: lastInfo.runId };
    }
  }

  #onTimer(row: TimerRow): void {
    const run = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    if (row.kind === WORKFLOW_TIMEOUT_KIND) {
      // No workflow code runs: the run ends TIMED_OUT and its timers and tasks are torn down.
      this.#scheduler.enqueue(run, {
        event: {
          type: 'WorkflowTimedOut',
          timeoutType: row.data === 'EXECUTION' ? 'EXECUTION' : 'RUN',
        },
        cancelTimers: [row.timerId],
      });
      return;
    }
    if (row.kind === USER_TIMER_KIND) {
      this.#scheduler.enqueue(run, {
        event: { type: 'TimerFired', startedSeq: Number(row.data), timerId: row.timerId },
        cancelTimers: [row.timerId],
      });
      return;
    }
    if (row.kind === ACTIVITY_TIMEOUT_KIND) {
      const { activityId, scheduledSeq, timeoutType } = JSON.parse(row.data ?? '{}') as {
        activityId: string;
        scheduledSeq: number;
        timeoutType?: 'SCHEDULE_TO_CLOSE' | 'SCHEDULE_TO_START';
      };
      const taskId = taskIdFor(row.runId, activityId);
      void this.store.getTask(row.namespace, taskId).then((task) => {
        // Schedule-to-start only applies while no worker has picked the task up.
        if (timeoutType === 'SCHEDULE_TO_START' && task !== undefined && task.deliveries > 0) {
          void this.store.deleteTimer(row.namespace, row.runId, row.timerId);
          return;
        }
        this.#activities.cancel(
          taskId,
          `${(timeoutType ?? 'SCHEDULE_TO_CLOSE').toLowerCase().replaceAll('_', '-')} timeout`,
        );
        this.#scheduler.enqueue(run, {
          event: {
            type: 'ActivityTimedOut',
            scheduledSeq,
            timeoutType: timeoutType ?? 'SCHEDULE_TO_CLOSE',
            attempt: task?.attempt ?? 0,
            ...(task?.lastFailure ? { failure: task.lastFailure } : {}),
          },
          removeTasks: [taskId],
          cancelTimers: activityTimerIds(activityId),
        });
      });
      return;
    }
    void this.store.deleteTimer(row.namespace, row.runId, row.timerId);
  }

  #onClosed(run: RunKey, terminal: HistoryEvent, workflowType: string): void {
    this.#metrics.workflowsClosed.inc(1, {
      status: terminal.type,
      workflow_type: workflowType,
    });
    const k = actorKey(run.namespace, run.runId);
    const updates = this.#updateWaiters.get(k);
    this.#updateWaiters.delete(k);
    for (const w of [...(updates?.values() ?? [])].flat()) {
      w.reject(
        new AionError(
          'workflow_closed',
          `workflow ${run.workflowId} run ${run.runId} closed (${terminal.type}) before the update completed`,
          { runId: run.runId },
        ),
      );
    }
    const waiters = this.#waiters.get(k);
    this.#waiters.delete(k);
    for (const w of waiters ?? []) w(terminal);
  }

  // ── client operations ─────────────────────────────────────────────────────────────────

  #check(): void {
    if (this.#shutdown) throw new AionError('invalid_state', 'the engine is shut down');
  }

  #encodeArgs(args: readonly unknown[], what: string): Payload[] {
    return args.map((a, i) => {
      const p = json.toPayload(a);
      checkPayloadSize(payloadSize(p), this.#limits, `${what}[${i}]`);
      return p;
    });
  }

  /** Starts a workflow; resolves once its start is committed. */
  async start<R>(
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
    withSignal?: { signal: MessageRef; args: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    return withSignal
      ? this.#startNow<R>(this.namespace, workflow, options, withSignal)
      : this.#start<R>(this.namespace, workflow, options);
  }

  /** A client start: through the client interceptors, then {@link #startNow}. */
  async #start<R>(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
  ): Promise<WorkflowHandle<R>> {
    if (!this.#clientInterceptors) return this.#startNow<R>(ns, workflow, options);
    const { headers, ...rest } = options;
    const out = await composeInterceptors(this.#clientInterceptors, 'start', async (input) => {
      const h = await this.#startNow(ns, input.workflowType, {
        ...input.options,
        headers: input.headers,
      });
      return { workflowId: h.workflowId, runId: h.runId! };
    })({ workflowType: typeNameOf(workflow), options: rest, headers: headers ?? {} });
    return this.#handle<R>(ns, out.workflowId, out.runId);
  }

  async #startNow<R>(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
    withSignal?: { signal: MessageRef; args: readonly unknown[]; headers?: Headers },
  ): Promise<WorkflowHandle<R>> {
    this.#check();
    this.#useNamespace(ns);
    if (!this.#schemas.has(ns)) await this.#loadSchema(ns);
    let initialSignal: Arrival | undefined;
    if (withSignal) {
      const signalName =
        typeof withSignal.signal === 'string' ? withSignal.signal : withSignal.signal.name;
      initialSignal = {
        event: {
          type: 'SignalReceived',
          signalName,
          args: this.#encodeArgs([...withSignal.args], `arguments of signal ${signalName}`),
          identity: this.identity,
          ...(withSignal.headers ? { headers: withSignal.headers } : {}),
        },
      };
    }
    const workflowType = typeof workflow === 'function' ? workflow.name : workflow;
    if (typeof workflowType !== 'string' || workflowType.length === 0) {
      throw new AionError(
        'invalid_argument',
        'workflow must be an exported workflow function or its type name',
        { field: 'workflow' },
      );
    }
    if (typeof options !== 'object' || options === null)
      throw new AionError('invalid_argument', 'start options must be an object', {
        field: 'options',
      });
    for (const key of Object.keys(options)) {
      if (!START_OPTION_KEYS.has(key)) {
        throw new AionError(
          'invalid_argument',
          `unknown start option ${JSON.stringify(key)}; known: ${[...START_OPTION_KEYS].join(', ')}`,
          { field: key },
        );
      }
    }
    const args = options.args ?? [];
    if (!Array.isArray(args))
      throw new AionError('invalid_argument', 'args must be an array of workflow arguments', {
        field: 'args',
      });
    const workflowId = validateWorkflowId(options.workflowId ?? randomUUID());
    const taskQueue = options.taskQueue ?? this.taskQueue;
    if (typeof taskQueue !== 'string' || taskQueue.length === 0 || taskQueue.length > 200) {
      throw new AionError(
        'invalid_argument',
        'taskQueue must be a non-empty string of at most 200 characters',
        { field: 'taskQueue' },
      );
    }
    const encodedArgs = this.#encodeArgs(args, 'workflow arguments');
    const headers = validateHeaders(options.headers);
    const memo = options.memo
      ? Object.fromEntries(
          Object.entries(options.memo).map(([k, v]) => [k, this.#converter.encode(v, `memo ${k}`)]),
        )
      : undefined;
    const searchAttributes = options.searchAttributes
      ? (Object.fromEntries(
          Object.entries(
            toTypedSearchAttributes(options.searchAttributes, this.#schemas.get(ns) ?? new Map()),
          ).filter((entry): entry is [string, SearchAttributeValue] => entry[1] !== null),
        ) as SearchAttributes)
      : undefined;
    const executionTimeoutMs = optionalDuration(options.executionTimeout, 'executionTimeout');
    const runTimeoutMs = optionalDuration(options.runTimeout, 'runTimeout');
    const existing = await this.#applyStartPolicies(ns, workflowId, options);
    if (existing) return this.#handle<R>(ns, workflowId, existing);
    const runId = randomUUID();
    await this.#startRun({
      namespace: ns,
      workflowId,
      runId,
      workflowType,
      taskQueue,
      args: encodedArgs,
      firstRunId: runId,
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      ...(initialSignal ? { signals: [initialSignal] } : {}),
      ...(headers ? { headers } : {}),
      ...(searchAttributes ? { searchAttributes } : {}),
      ...(memo ? { memo } : {}),
      ...(executionTimeoutMs !== undefined
        ? { executionTimeoutMs, executionDeadline: this.clock.now() + executionTimeoutMs }
        : {}),
      ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}),
    });
    return this.#handle<R>(ns, workflowId, runId);
  }

  /**
   * Applies the id reuse and conflict policies and the idempotency key. Returns the run id of
   * an existing run to use instead of starting one (idempotent retry, USE_EXISTING).
   */
  async #applyStartPolicies(
    ns: string,
    workflowId: string,
    options: WorkflowStartOptions,
  ): Promise<string | undefined> {
    const reuse = options.workflowIdReusePolicy ?? 'ALLOW_DUPLICATE';
    const conflict = options.workflowIdConflictPolicy ?? 'FAIL';
    if (!['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE'].includes(reuse)) {
      throw new AionError(
        'invalid_argument',
        `workflowIdReusePolicy must be ALLOW_DUPLICATE, ALLOW_DUPLICATE_FAILED_ONLY or REJECT_DUPLICATE, got ${JSON.stringify(reuse)}`,
        { field: 'workflowIdReusePolicy' },
      );
    }
    if (!['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'].includes(conflict)) {
      throw new AionError(
        'invalid_argument',
        `workflowIdConflictPolicy must be FAIL, USE_EXISTING or TERMINATE_EXISTING, got ${JSON.stringify(conflict)}`,
        { field: 'workflowIdConflictPolicy' },
      );
    }
    if (options.requestId !== undefined && !requestIdIsValid(options.requestId)) {
      throw badRequestId();
    }
    const current = await this.store.getCurrentRun(ns, workflowId);
    if (!current) return undefined;
    if (options.requestId !== undefined) {
      const [started] = await this.store.readHistory(current, { toSeq: 1 });
      if (started?.type === 'WorkflowStarted' && started.requestId === options.requestId)
        return current.runId; // a retried call
    }
    if (current.closeTime === undefined) {
      if (conflict === 'USE_EXISTING') return current.runId;
      if (conflict === 'TERMINATE_EXISTING') {
        await this.#handle(ns, workflowId, current.runId).terminate(
          'terminated by a new start (TERMINATE_EXISTING)',
        );
        return undefined;
      }
      throw new WorkflowAlreadyStartedError(ns, workflowId, current.runId);
    }
    const failedLike = ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'].includes(current.status);
    if (reuse === 'REJECT_DUPLICATE' || (reuse === 'ALLOW_DUPLICATE_FAILED_ONLY' && !failedLike)) {
      throw new AionError(
        'workflow_already_started',
        `workflow id ${JSON.stringify(workflowId)} was already used by run ${current.runId} (${current.status}) and the reuse policy ${reuse} forbids a new run`,
        { namespace: ns, workflowId, runId: current.runId, status: current.status },
      );
    }
    return undefined;
  }

  /**
   * Signals the workflow's open run, or starts it and delivers the signal in its first
   * activation (atomically with the start).
   */
  async signalWithStart<R>(
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    return this.#signalWithStart<R>(this.namespace, workflow, options);
  }

  async #signalWithStart<R>(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    if (!this.#clientInterceptors) return this.#signalWithStartNow<R>(ns, workflow, options);
    const { signal, signalArgs = [], headers, ...rest } = options;
    const out = await composeInterceptors(
      this.#clientInterceptors,
      'signalWithStart',
      async (input) => {
        const h = await this.#signalWithStartNow(ns, input.workflowType, {
          ...input.options,
          headers: input.headers,
          signal: input.signalName,
          signalArgs: input.signalArgs,
        });
        return { workflowId: h.workflowId, runId: h.runId! };
      },
    )({
      workflowType: typeNameOf(workflow),
      options: rest,
      headers: headers ?? {},
      signalName: typeof signal === 'string' ? signal : signal.name,
      signalArgs,
    });
    return this.#handle<R>(ns, out.workflowId, out.runId);
  }

  async #signalWithStartNow<R>(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions & { signal: MessageRef; signalArgs?: readonly unknown[] },
  ): Promise<WorkflowHandle<R>> {
    const { signal, signalArgs = [], ...startOptions } = options;
    const headers = validateHeaders(startOptions.headers);
    if (startOptions.workflowId === undefined) {
      throw new AionError('invalid_argument', 'signalWithStart needs a workflowId', {
        field: 'workflowId',
      });
    }
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.getCurrentRun(ns, startOptions.workflowId);
      if (current && current.closeTime === undefined) {
        try {
          await this.#signalNow(
            { namespace: ns, workflowId: startOptions.workflowId, runId: current.runId },
            signal,
            [...signalArgs],
            undefined,
            headers,
          );
          return this.#handle<R>(ns, startOptions.workflowId, current.runId);
        } catch (err) {
          if (!(isAionError(err) && err.code === 'workflow_closed') || attempt >= 3) throw err;
          continue; // closed in between: start a new run
        }
      }
      try {
        return await this.#startNow<R>(
          ns,
          workflow,
          { ...startOptions, workflowIdConflictPolicy: 'FAIL' },
          { signal, args: signalArgs, ...(headers ? { headers } : {}) },
        );
      } catch (err) {
        if (!(isAionError(err) && err.code === 'workflow_already_started') || attempt >= 3)
          throw err;
        // Someone started it concurrently: signal that run instead.
      }
    }
  }

  /**
   * Records a new run (its start and first activation in one commit) on the type's routed
   * version. Workflow timeouts become durable timers written with the start.
   */
  async #startRun(p: StartRunParams): Promise<void> {
    const version = p.version ?? (await this.#registry.routeFor(p.namespace, p.workflowType));
    // Held until committed: unload refuses a version an in-flight start is about to record.
    const release = this.#registry.hold(version);
    try {
      await this.#startRunOn(version, p);
    } finally {
      release();
    }
  }

  async #startRunOn(version: string, p: StartRunParams): Promise<void> {
    await this.#registry.ensureLoaded(p.namespace, version);
    const key = { namespace: p.namespace, workflowId: p.workflowId, runId: p.runId };
    const now = this.clock.now();
    // Package defaults apply where the start did not say (start options win).
    const defaults = this.#registry.defaultsFor(version, p.workflowType);
    if (p.executionTimeoutMs === undefined && defaults?.executionTimeoutMs !== undefined) {
      p = {
        ...p,
        executionTimeoutMs: defaults.executionTimeoutMs,
        executionDeadline: now + defaults.executionTimeoutMs,
      };
    }
    if (p.runTimeoutMs === undefined && defaults?.runTimeoutMs !== undefined)
      p = { ...p, runTimeoutMs: defaults.runTimeoutMs };
    const timers: TimerRow[] = [];
    const timeoutTimer = (
      timerId: string,
      fireAt: number,
      timeoutType: 'EXECUTION' | 'RUN',
    ): TimerRow => ({
      ...key,
      timerId,
      fireAt,
      kind: WORKFLOW_TIMEOUT_KIND,
      data: timeoutType,
    });
    if (p.executionDeadline !== undefined)
      timers.push(timeoutTimer('workflow/execution-timeout', p.executionDeadline, 'EXECUTION'));
    if (p.runTimeoutMs !== undefined)
      timers.push(timeoutTimer('workflow/run-timeout', now + p.runTimeoutMs, 'RUN'));
    const actor = this.#scheduler.actor(key);
    await new Promise<void>((resolve, reject) => {
      actor.pendingStart = {
        started: {
          type: 'WorkflowStarted',
          workflowType: p.workflowType,
          taskQueue: p.taskQueue,
          args: p.args,
          version,
          firstRunId: p.firstRunId,
          identity: this.identity,
          ...(p.continuedFromRunId !== undefined
            ? { continuedFromRunId: p.continuedFromRunId }
            : {}),
          ...(p.searchAttributes ? { searchAttributes: p.searchAttributes } : {}),
          ...(p.memo ? { memo: p.memo } : {}),
          ...(p.executionTimeoutMs !== undefined
            ? { executionTimeoutMs: p.executionTimeoutMs }
            : {}),
          ...(p.executionDeadline !== undefined ? { executionDeadline: p.executionDeadline } : {}),
          ...(p.runTimeoutMs !== undefined ? { runTimeoutMs: p.runTimeoutMs } : {}),
          ...(p.requestId !== undefined ? { requestId: p.requestId } : {}),
          ...(p.parent ? { parent: p.parent } : {}),
          ...(p.headers ? { headers: p.headers } : {}),
        },
        ack: { resolve, reject },
        ...(p.removeOutbox ? { removeOutbox: p.removeOutbox } : {}),
        ...(p.onCommitted ? { onCommitted: p.onCommitted } : {}),
        timers,
      };
      for (const arrival of p.signals ?? []) actor.inbox.push(arrival);
      this.#scheduler.addStart(actor);
    });
    for (const t of timers) this.#timers.add(t);
    this.#metrics.workflowsStarted.inc(1, { workflow_type: p.workflowType });
  }

  /** Starts the successor recorded by a continue-as-new (idempotent by its pre-assigned run id). */
  #dispatchOutbox(row: OutboxRow): void {
    if (this.#shutdown) return;
    if (row.kind === CHILD_START_KIND) return void this.#startChild(row);
    if (row.kind === CHILD_RESULT_KIND) {
      const data = JSON.parse(row.data) as ChildResultData;
      const parent = {
        namespace: data.parent.namespace,
        workflowId: data.parent.workflowId,
        runId: data.parent.runId,
      };
      this.#scheduler.enqueue(parent, { event: data.event, removeOutbox: [row.id] });
      return;
    }
    if (row.kind === CLOSE_POLICY_KIND) return void this.#applyClosePolicy(row);
    if (row.kind === EXTERNAL_KIND) return void this.#deliverExternal(row);
    if (row.kind === RESET_KIND)
      return void this.#applyReset(row).catch((err: unknown) =>
        this.#logger.error('reset could not create the new run', {
          workflowId: row.workflowId,
          error: String(err),
        }),
      );
    if (row.kind !== CONTINUE_AS_NEW_KIND) return;
    const data = JSON.parse(row.data) as ContinueAsNewData;
    void this.#startRun({
      namespace: row.namespace,
      workflowId: row.workflowId,
      runId: data.newRunId,
      workflowType: data.workflowType,
      taskQueue: data.taskQueue,
      args: data.args,
      firstRunId: data.firstRunId,
      continuedFromRunId: row.runId,
      ...(data.searchAttributes ? { searchAttributes: data.searchAttributes } : {}),
      ...(data.memo ? { memo: data.memo } : {}),
      ...(data.executionTimeoutMs !== undefined
        ? { executionTimeoutMs: data.executionTimeoutMs }
        : {}),
      ...(data.executionDeadline !== undefined
        ? { executionDeadline: data.executionDeadline }
        : {}),
      ...(data.runTimeoutMs !== undefined ? { runTimeoutMs: data.runTimeoutMs } : {}),
      removeOutbox: [row.id],
      ...(data.parent ? { parent: data.parent } : {}),
      ...(data.headers ? { headers: data.headers } : {}),
    }).catch(async (err: unknown) => {
      const current = await this.store
        .getCurrentRun(row.namespace, row.workflowId)
        .catch(() => undefined);
      if (current?.runId === data.newRunId) {
        // The successor exists already (a concurrent dispatch won): settle the message.
        await this.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
        return;
      }
      this.#logger.error('continue-as-new successor could not start', {
        workflowId: row.workflowId,
        runId: row.runId,
        error: String(err),
      });
      // Try again later; the message stays in the outbox until a successor exists.
      this.clock.schedule(this.clock.now() + 5000, () => this.#dispatchOutbox(row));
    });
  }

  /** Starts a child recorded by its parent (exactly once: its run id was fixed at initiation). */
  async #startChild(row: OutboxRow): Promise<void> {
    const data = JSON.parse(row.data) as ChildStartData;
    const parentKey = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    const tell = (event: NewEvent): void =>
      this.#scheduler.enqueue(parentKey, { event, removeOutbox: [row.id] });
    const failed = (
      cause: 'already_started' | 'unknown_type' | 'version_missing' | 'invalid',
      message: string,
    ): void =>
      tell({
        type: 'ChildWorkflowStartFailed',
        initiatedSeq: data.initiatedSeq,
        cause,
        failure: { type: 'ChildWorkflowStartFailed', message, retryable: false },
      });
    const started: NewEvent = {
      type: 'ChildWorkflowStarted',
      initiatedSeq: data.initiatedSeq,
      runId: data.runId,
    };
    const parentInfo = await this.store.getRun(parentKey).catch(() => undefined);
    if (parentInfo?.closeTime !== undefined) {
      // The parent closed before its child could start: nothing to start any more.
      await this.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
      return;
    }
    if (data.version === '') {
      failed(
        'unknown_type',
        `no deployed package exports workflow type ${JSON.stringify(data.workflowType)}`,
      );
      return;
    }
    const existing = await this.store.getRun({
      namespace: row.namespace,
      workflowId: data.workflowId,
      runId: data.runId,
    });
    if (existing) {
      // Started before a crash (or by a concurrent dispatch): tell the parent now.
      tell(started);
      return;
    }
    try {
      await this.#startRun({
        namespace: row.namespace,
        workflowId: data.workflowId,
        runId: data.runId,
        workflowType: data.workflowType,
        taskQueue: data.taskQueue,
        args: data.args,
        firstRunId: data.runId,
        version: data.version,
        ...(data.headers ? { headers: data.headers } : {}),
        parent: {
          namespace: row.namespace,
          workflowId: row.workflowId,
          runId: row.runId,
          initiatedSeq: data.initiatedSeq,
        },
        // The parent learns of the start before anything the child's first commit sends it.
        onCommitted: () => tell(started),
        ...(data.executionTimeoutMs !== undefined
          ? {
              executionTimeoutMs: data.executionTimeoutMs,
              executionDeadline: this.clock.now() + data.executionTimeoutMs,
            }
          : {}),
        ...(data.runTimeoutMs !== undefined ? { runTimeoutMs: data.runTimeoutMs } : {}),
      });
    } catch (err) {
      if (isAionError(err) && err.code === 'workflow_already_started') {
        const current = await this.store.getCurrentRun(row.namespace, data.workflowId);
        if (current?.runId === data.runId) tell(started);
        else failed('already_started', err.message);
      } else if (
        isAionError(err) &&
        (err.code === 'package_version_missing' || err.code === 'not_found')
      ) {
        failed('version_missing', err.message);
      } else {
        this.#logger.error('child workflow start failed; will retry', {
          workflowId: data.workflowId,
          error: String(err),
        });
        this.clock.schedule(this.clock.now() + 5000, () => this.#dispatchOutbox(row));
      }
    }
  }

  /**
   * Delivers a signal or cancellation recorded by a workflow to its target, then records the
   * outcome in the sender. A re-dispatch after a crash is deduplicated by the target.
   */
  async #deliverExternal(row: OutboxRow): Promise<void> {
    const data = JSON.parse(row.data) as ExternalData;
    const sender = { namespace: row.namespace, workflowId: row.workflowId, runId: row.runId };
    const ref: RunRef = {
      namespace: row.namespace,
      workflowId: data.workflowId,
      runId: data.runId,
    };
    try {
      if (data.action === 'signal') {
        const payloads = data.args ?? [];
        const info = await this.#resolveRun(ref);
        if (info.closeTime !== undefined) {
          throw new AionError(
            'workflow_closed',
            `workflow ${data.workflowId} run ${info.runId} is ${info.status}`,
            { status: info.status },
          );
        }
        await new Promise<void>((resolve, reject) => {
          this.#scheduler.enqueue(info, {
            event: {
              type: 'SignalReceived',
              signalName: data.signalName ?? '',
              args: payloads,
              identity: `workflow ${row.workflowId}`,
              requestId: `external/${row.runId}/${data.initiatedSeq}`,
            },
            ack: { resolve, reject },
          });
        });
        this.#scheduler.enqueue(sender, {
          event: { type: 'ExternalSignalDelivered', initiatedSeq: data.initiatedSeq },
          removeOutbox: [row.id],
        });
      } else {
        await this.#handle(row.namespace, data.workflowId, data.runId).cancel(
          `requested by workflow ${row.workflowId}`,
        );
        this.#scheduler.enqueue(sender, {
          event: { type: 'ExternalCancelDelivered', initiatedSeq: data.initiatedSeq },
          removeOutbox: [row.id],
        });
      }
    } catch (err) {
      if (
        data.action === 'cancel' &&
        isAionError(err) &&
        err.code === 'not_found' &&
        (await this.#childStartPending(sender, data.workflowId))
      ) {
        // The sender's own child is recorded but not started yet: deliver once it exists.
        this.clock.schedule(this.clock.now() + 100, () => this.#dispatchOutbox(row));
        return;
      }
      if (isAionError(err) && (err.code === 'not_found' || err.code === 'workflow_closed')) {
        const failure = {
          type: 'ExternalWorkflowNotFound',
          message: err.message,
          retryable: false,
        };
        const event: NewEvent =
          data.action === 'signal'
            ? { type: 'ExternalSignalFailed', initiatedSeq: data.initiatedSeq, failure }
            : { type: 'ExternalCancelFailed', initiatedSeq: data.initiatedSeq, failure };
        this.#scheduler.enqueue(sender, { event, removeOutbox: [row.id] });
        return;
      }
      this.clock.schedule(this.clock.now() + 5000, () => this.#dispatchOutbox(row));
    }
  }

  /** Whether `run` recorded a child start of `workflowId` that has not started (or failed) yet. */
  async #childStartPending(run: RunKey, workflowId: string): Promise<boolean> {
    const pending = new Set<number>();
    for (const e of await this.store.readHistory(run)) {
      if (e.type === 'ChildWorkflowInitiated' && e.workflowId === workflowId) pending.add(e.seq);
      else if (e.type === 'ChildWorkflowStarted' || e.type === 'ChildWorkflowStartFailed')
        pending.delete(e.initiatedSeq);
    }
    return pending.size > 0;
  }

  /** Terminates or cancels a child whose parent closed (the child's current run). */
  async #applyClosePolicy(row: OutboxRow): Promise<void> {
    const data = JSON.parse(row.data) as ClosePolicyData;
    const handle = this.#handle(row.namespace, data.workflowId, undefined);
    try {
      if (data.action === 'TERMINATE') await handle.terminate(data.reason);
      else await handle.cancel(data.reason);
    } catch (err) {
      if (!(isAionError(err) && (err.code === 'workflow_closed' || err.code === 'not_found'))) {
        this.clock.schedule(this.clock.now() + 5000, () => this.#dispatchOutbox(row));
        return;
      }
    }
    await this.store.deleteOutbox(row.namespace, [row.id]).catch(() => undefined);
  }

  async execute<R>(workflow: WorkflowTypeRef, options: WorkflowStartOptions = {}): Promise<R> {
    const handle = await this.start<R>(workflow, options);
    return handle.result();
  }

  getHandle<R = unknown>(workflowId: string, runId?: string): WorkflowHandle<R> {
    return this.#handle<R>(this.namespace, workflowId, runId);
  }

  #handle<R = unknown>(
    ns: string,
    workflowId: string,
    runId: string | undefined,
  ): WorkflowHandle<R> {
    validateWorkflowId(workflowId);
    const ref: RunRef = { namespace: ns, workflowId, runId };
    return {
      workflowId,
      runId,
      result: () => this.#result(ref) as Promise<R>,
      signal: (signal, ...args) => this.#signal(ref, signal, args),
      signalWithRequestId: (requestId, signal, ...args) =>
        requestIdIsValid(requestId)
          ? this.#signal(ref, signal, args, requestId)
          : Promise.reject(badRequestId()),
      signalWithOptions: (options, signal, ...args) => {
        const { requestId, headers } = options ?? {};
        if (requestId !== undefined && !requestIdIsValid(requestId)) {
          return Promise.reject(badRequestId());
        }
        return this.#signal(ref, signal, args, requestId, headers);
      },
      query: <T>(query: MessageRef, ...args: unknown[]) =>
        this.#query(ref, query, args) as Promise<T>,
      describe: () => this.#describe(ref),
      fetchHistory: () => this.#history(ref),
      cancel: (reason) =>
        this.#control(ref, 'cancel', {
          type: 'WorkflowCancelRequested',
          identity: this.identity,
          ...(reason !== undefined ? { reason } : {}),
        }),
      terminate: (reason) =>
        this.#control(ref, 'terminate', {
          type: 'WorkflowTerminated',
          reason: reason ?? 'terminated',
          identity: this.identity,
        }),
      pause: (reason) =>
        this.#control(ref, 'pause', {
          type: 'WorkflowPaused',
          identity: this.identity,
          ...(reason !== undefined ? { reason } : {}),
        }),
      resume: () =>
        this.#control(ref, 'resume', { type: 'WorkflowResumed', identity: this.identity }),
      executeUpdate: <T>(
        update: MessageRef,
        options: { args?: readonly unknown[]; updateId?: string; headers?: Headers } = {},
      ) => this.#executeUpdate(ref, update, options) as Promise<T>,
    };
  }

  /**
   * Validates an update against the live run (nothing recorded on rejection), records it,
   * and resolves with the handler's result once its completion is committed.
   */
  async #executeUpdate(
    ref: RunRef,
    update: MessageRef,
    options: { args?: readonly unknown[]; updateId?: string; headers?: Headers },
  ): Promise<unknown> {
    if (!this.#clientInterceptors) return this.#executeUpdateNow(ref, update, options);
    return composeInterceptors(this.#clientInterceptors, 'update', (input) =>
      this.#executeUpdateNow(ref, input.updateName, {
        args: input.args,
        headers: input.headers,
        ...(input.updateId !== undefined ? { updateId: input.updateId } : {}),
      }),
    )({
      workflowId: ref.workflowId,
      runId: ref.runId,
      updateName: typeof update === 'string' ? update : update.name,
      args: options.args ?? [],
      headers: options.headers ?? {},
      ...(options.updateId !== undefined ? { updateId: options.updateId } : {}),
    });
  }

  async #executeUpdateNow(
    ref: RunRef,
    update: MessageRef,
    options: { args?: readonly unknown[]; updateId?: string; headers?: Headers },
  ): Promise<unknown> {
    this.#check();
    const headers = validateHeaders(options.headers);
    const name = typeof update === 'string' ? update : update.name;
    if (typeof name !== 'string' || name.length === 0)
      throw new AionError('invalid_argument', 'update name must be a non-empty string', {
        field: 'update',
      });
    const payloads = this.#encodeArgs([...(options.args ?? [])], `arguments of update ${name}`);
    const info = await this.#resolveRun(ref);
    if (info.closeTime !== undefined) {
      throw new AionError(
        'workflow_closed',
        `cannot update workflow ${info.workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    const updateId = options.updateId ?? randomUUID();
    // A retried call with the same update id gets the recorded outcome.
    const recorded = (await this.store.readHistory(info)).find(
      (e): e is EventOf<'UpdateCompleted'> =>
        e.type === 'UpdateCompleted' && e.updateId === updateId,
    );
    if (recorded) return this.#updateOutcome(info, name, recorded);
    const validation = await this.#scheduler.validateUpdate(info, name, payloads);
    if (!validation.ok) {
      throw new AionError(
        validation.code,
        `update ${JSON.stringify(name)} on workflow ${info.workflowId}: ${validation.failure.message}`,
        { failure: validation.failure },
      );
    }
    const k = actorKey(info.namespace, info.runId);
    const waiters = this.#updateWaiters.get(k) ?? new Map<string, UpdateWaiter[]>();
    this.#updateWaiters.set(k, waiters);
    let waiter: UpdateWaiter | undefined;
    const completed = new Promise<EventOf<'UpdateCompleted'>>((resolve, reject) => {
      waiter = { resolve, reject };
      // Several callers may wait on one update id (a retried call while the first is in flight).
      waiters.set(updateId, [...(waiters.get(updateId) ?? []), waiter]);
    });
    completed.catch(() => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        this.#scheduler.enqueue(info, {
          event: {
            type: 'UpdateAccepted',
            updateId,
            updateName: name,
            args: payloads,
            identity: this.identity,
            ...(headers ? { headers } : {}),
          },
          ack: { resolve, reject },
        });
      });
    } catch (err) {
      const rest = (waiters.get(updateId) ?? []).filter((w) => w !== waiter);
      if (rest.length > 0) waiters.set(updateId, rest);
      else waiters.delete(updateId);
      throw err;
    }
    return this.#updateOutcome(info, name, await completed);
  }

  #updateOutcome(info: RunInfo, name: string, event: EventOf<'UpdateCompleted'>): unknown {
    if (event.failure) {
      throw new AionError(
        'update_failed',
        `update ${JSON.stringify(name)} on workflow ${info.workflowId} failed: ${event.failure.message}`,
        { failure: event.failure },
        { cause: failureToError(event.failure, (p) => this.#converter.decode(p)) },
      );
    }
    return event.result === undefined ? undefined : this.#converter.decode(event.result);
  }

  /** Records a control event on the run (after commit it takes effect; acknowledged then). */
  async #control(
    ref: RunRef,
    action: 'cancel' | 'terminate' | 'pause' | 'resume',
    event: NewEvent,
  ): Promise<void> {
    this.#check();
    if (
      event.type === 'WorkflowTerminated' ||
      event.type === 'WorkflowCancelRequested' ||
      event.type === 'WorkflowPaused'
    ) {
      const reason = (event as { reason?: unknown }).reason;
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 10_000)) {
        throw new AionError(
          'invalid_argument',
          'reason must be a string of at most 10,000 characters',
          { field: 'reason' },
        );
      }
    }
    const info = await this.#resolveRun(ref);
    if (info.closeTime !== undefined) {
      const code = action === 'pause' || action === 'resume' ? 'invalid_state' : 'workflow_closed';
      throw new AionError(
        code,
        `cannot ${action} workflow ${info.workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.#scheduler.enqueue(info, { event, ack: { resolve, reject } });
    });
  }

  async #resolveRun(ref: RunRef): Promise<RunInfo> {
    const info = ref.runId
      ? await this.store.getRun({
          namespace: ref.namespace,
          workflowId: ref.workflowId,
          runId: ref.runId,
        })
      : await this.store.getCurrentRun(ref.namespace, ref.workflowId);
    if (!info) {
      throw new AionError(
        'not_found',
        `workflow ${JSON.stringify(ref.workflowId)}${ref.runId ? ` run ${ref.runId}` : ''} not found in namespace ${ref.namespace}`,
        {
          workflowId: ref.workflowId,
          ...(ref.runId ? { runId: ref.runId } : {}),
        },
      );
    }
    return info;
  }

  async #terminalOf(info: RunInfo): Promise<HistoryEvent> {
    const [last] = await this.store.readHistory(info, { fromSeq: info.headSeq });
    if (!last || !isTerminalEventType(last.type))
      throw new AionError(
        'internal',
        `run ${info.runId} is closed but its last event is not terminal`,
      );
    return last;
  }

  async #result(ref: RunRef): Promise<unknown> {
    let info = await this.#resolveRun(ref);
    for (;;) {
      const k = actorKey(info.namespace, info.runId);
      const terminal = await new Promise<HistoryEvent>((resolve, reject) => {
        const waiters = this.#waiters.get(k) ?? [];
        waiters.push(resolve);
        this.#waiters.set(k, waiters);
        // Re-check after registering: the run may have closed in between.
        this.store.getRun(info).then((fresh) => {
          if (fresh?.closeTime !== undefined) {
            this.#terminalOf(fresh).then(resolve, reject);
          }
        }, reject);
      });
      this.#waiters.delete(k);
      if (terminal.type === 'WorkflowContinuedAsNew') {
        info = await this.#successor(info.namespace, info.workflowId, terminal.newRunId);
        continue;
      }
      return this.#decodeTerminal(info, terminal);
    }
  }

  /** The successor run of a continue-as-new, waiting briefly while it is being started. */
  async #successor(namespace: string, workflowId: string, runId: string): Promise<RunInfo> {
    for (let delay = 5; ; delay = Math.min(500, delay * 2)) {
      const info = await this.store.getRun({ namespace, workflowId, runId });
      if (info) return info;
      if (this.#shutdown) throw new AionError('invalid_state', 'the engine is shut down');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  #decodeTerminal(info: RunInfo, terminal: HistoryEvent): unknown {
    const decode = (p: Payload): unknown => this.#converter.decode(p);
    switch (terminal.type) {
      case 'WorkflowCompleted':
        return decode(terminal.result);
      case 'WorkflowFailed':
        throw new WorkflowFailedError(
          info.workflowId,
          info.runId,
          'FAILED',
          terminal.failure.message,
          failureToError(terminal.failure, decode),
        );
      case 'WorkflowCancelled':
        throw new WorkflowFailedError(
          info.workflowId,
          info.runId,
          'CANCELLED',
          terminal.reason ?? 'cancelled',
          failureToError(
            {
              type: 'CancelledFailure',
              source: 'cancelled',
              message: terminal.reason ?? 'cancelled',
              retryable: false,
            },
            decode,
          ),
        );
      case 'WorkflowTerminated':
        throw new WorkflowFailedError(
          info.workflowId,
          info.runId,
          'TERMINATED',
          terminal.reason,
          failureToError(
            {
              type: 'TerminatedFailure',
              source: 'terminated',
              message: terminal.reason,
              retryable: false,
            },
            decode,
          ),
        );
      case 'WorkflowTimedOut':
        throw new WorkflowFailedError(
          info.workflowId,
          info.runId,
          'TIMED_OUT',
          `${terminal.timeoutType} timeout`,
          failureToError(
            {
              type: 'TimeoutFailure',
              source: 'timeout',
              message: `${terminal.timeoutType} timeout`,
              retryable: false,
            },
            decode,
          ),
        );
      default:
        throw new AionError('internal', `unexpected terminal event ${terminal.type}`);
    }
  }

  async #signal(
    ref: RunRef,
    signal: MessageRef,
    args: unknown[],
    requestId?: string,
    headers?: Headers,
  ): Promise<void> {
    if (!this.#clientInterceptors) return this.#signalNow(ref, signal, args, requestId, headers);
    return composeInterceptors(this.#clientInterceptors, 'signal', (input) =>
      this.#signalNow(ref, input.signalName, [...input.args], input.requestId, input.headers),
    )({
      workflowId: ref.workflowId,
      runId: ref.runId,
      signalName: typeof signal === 'string' ? signal : signal.name,
      args,
      headers: headers ?? {},
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }

  async #signalNow(
    ref: RunRef,
    signal: MessageRef,
    args: unknown[],
    requestId?: string,
    rawHeaders?: Headers,
  ): Promise<void> {
    this.#check();
    const headers = validateHeaders(rawHeaders);
    const signalName = typeof signal === 'string' ? signal : signal.name;
    if (typeof signalName !== 'string' || signalName.length === 0)
      throw new AionError('invalid_argument', 'signal name must be a non-empty string', {
        field: 'signal',
      });
    const payloads = this.#encodeArgs(args, `arguments of signal ${signalName}`);
    const info = await this.#resolveRun(ref);
    if (info.closeTime !== undefined) {
      throw new AionError(
        'workflow_closed',
        `cannot signal workflow ${info.workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.#scheduler.enqueue(info, {
        event: {
          type: 'SignalReceived',
          signalName,
          args: payloads,
          identity: this.identity,
          ...(requestId !== undefined ? { requestId } : {}),
          ...(headers ? { headers } : {}),
        },
        ack: { resolve, reject },
      });
    });
  }

  async #query(ref: RunRef, query: MessageRef, args: unknown[]): Promise<unknown> {
    if (!this.#clientInterceptors) return this.#queryNow(ref, query, args);
    return composeInterceptors(this.#clientInterceptors, 'query', (input) =>
      this.#queryNow(ref, input.queryName, [...input.args]),
    )({
      workflowId: ref.workflowId,
      runId: ref.runId,
      queryName: typeof query === 'string' ? query : query.name,
      args,
    });
  }

  async #queryNow(ref: RunRef, query: MessageRef, args: unknown[]): Promise<unknown> {
    this.#check();
    const name = typeof query === 'string' ? query : query.name;
    const payloads = this.#encodeArgs(args, `arguments of query ${name}`);
    const info = await this.#resolveRun(ref);
    if (info.closeTime !== undefined) {
      throw new AionError(
        'workflow_closed',
        `cannot query workflow ${info.workflowId}: run ${info.runId} is ${info.status}`,
        { status: info.status, runId: info.runId },
      );
    }
    const outcome = await this.#scheduler.query(info, name, payloads);
    if ('stackTrace' in outcome) return outcome.stackTrace;
    if (outcome.ok) return json.fromPayload(outcome.result);
    throw new AionError(
      outcome.code,
      `query ${JSON.stringify(name)} on workflow ${info.workflowId}: ${outcome.failure.message}`,
      { failure: outcome.failure },
    );
  }

  async #describe(ref: RunRef): Promise<WorkflowExecutionDescription> {
    const info = await this.#resolveRun(ref);
    const [tasks, timers] = await Promise.all([
      this.store.listTasks(info),
      this.store.listTimers(info),
    ]);
    const now = this.clock.now();
    const decodeMaybe = (p: Payload | undefined): unknown => {
      if (!p) return undefined;
      try {
        return this.#converter.decode(p);
      } catch {
        return undefined;
      }
    };
    return {
      namespace: info.namespace,
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.workflowType,
      taskQueue: info.taskQueue,
      status: info.status,
      version: info.version,
      startTime: new Date(info.startTime),
      closeTime: info.closeTime === undefined ? undefined : new Date(info.closeTime),
      historyLength: info.headSeq,
      searchAttributes: info.searchAttributes,
      memo: Object.fromEntries(Object.entries(info.memo).map(([k, v]) => [k, decodeMaybe(v)])),
      stuck: info.stuck
        ? { reason: info.stuck.reason, since: new Date(info.stuck.since) }
        : undefined,
      pendingActivities: tasks.map((t) => ({
        activityId: t.activityId,
        activityType: t.activityType,
        state:
          t.leaseUntil !== undefined && t.leaseUntil > now
            ? ('STARTED' as const)
            : t.visibleAt > now
              ? ('BACKING_OFF' as const)
              : ('SCHEDULED' as const),
        attempt: t.attempt,
        nextAttemptAt: t.visibleAt > now ? new Date(t.visibleAt) : undefined,
        lastFailure: t.lastFailure,
        heartbeatDetails: decodeMaybe(t.heartbeatDetails),
        lastHeartbeatAt: t.lastHeartbeatAt === undefined ? undefined : new Date(t.lastHeartbeatAt),
      })),
      pendingTimers: timers
        .filter((t) => t.kind === USER_TIMER_KIND)
        .map((t) => ({ timerId: t.timerId, fireAt: new Date(t.fireAt) })),
    };
  }

  async #history(ref: RunRef): Promise<HistoryExport> {
    const info = await this.#resolveRun(ref);
    return historyExport(info, await this.store.readHistory(info));
  }

  /** Completes an activity that threw CompleteAsyncError, by its task token. */
  async completeActivity(taskToken: string, result: unknown): Promise<void> {
    await this.#completeAsync(taskToken, (scheduledSeq, attempt) => ({
      type: 'ActivityCompleted',
      scheduledSeq,
      result: this.#converter.encode(result, 'activity result'),
      attempt,
    }));
  }

  /** Fails an activity that threw CompleteAsyncError, by its task token (final: no retry). */
  async failActivity(taskToken: string, error: unknown): Promise<void> {
    const failure = errorToFailure(error, (v) => this.#converter.encode(v));
    await this.#completeAsync(taskToken, (scheduledSeq, attempt) =>
      ActivityService.failureEvent(scheduledSeq, attempt, failure),
    );
  }

  async #completeAsync(
    taskToken: string,
    event: (scheduledSeq: number, attempt: number) => NewEvent,
  ): Promise<void> {
    this.#check();
    const t = decodeTaskToken(taskToken);
    const taskId = taskIdFor(t.runId, t.activityId);
    const task = await this.store.getTask(t.namespace, taskId);
    if (!task || task.attempt !== t.attempt) {
      throw new AionError(
        'not_found',
        `no pending activity attempt for this task token (activity ${t.activityId} of run ${t.runId}, attempt ${t.attempt})`,
        { ...t },
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.#scheduler.enqueue(
        { namespace: t.namespace, workflowId: t.workflowId, runId: t.runId },
        {
          event: event(task.scheduledSeq, task.attempt),
          removeTasks: [taskId],
          cancelTimers: activityTimerIds(t.activityId),
          ack: { resolve, reject },
        },
      );
    });
  }

  #workflowClient(ns: string = this.namespace): WorkflowClient {
    return {
      start: (workflow, options) => this.#start(ns, workflow, options),
      signalWithStart: (workflow, options) => this.#signalWithStart(ns, workflow, options),
      execute: async (workflow, options) =>
        (await this.#start(ns, workflow, options ?? {})).result() as never,
      getHandle: (workflowId, runId) => this.#handle(ns, workflowId, runId),
      list: (options) => this.#list(ns, options),
      count: (options) => this.#count(ns, options),
    };
  }

  /**
   * The engine's API in another namespace: workflows, packages and search attributes of
   * `namespace`, isolated from every other namespace (runs of all namespaces are driven by
   * this engine's scheduler, timers and recovery). The namespace name is validated here;
   * whether it is registered is for the caller (the server) to check.
   */
  inNamespace(namespace: string): NamespaceScope {
    const ns = validateNamespace(namespace);
    this.#useNamespace(ns);
    const client = this.#workflowClient(ns);
    return {
      namespace: ns,
      client: { workflow: client },
      start: (workflow, options) => this.#start(ns, workflow, options),
      signalWithStart: (workflow, options) => this.#signalWithStart(ns, workflow, options),
      execute: async <R>(workflow: WorkflowTypeRef, options?: WorkflowStartOptions) =>
        (await this.#start<R>(ns, workflow, options ?? {})).result(),
      getHandle: (workflowId, runId) => this.#handle(ns, workflowId, runId),
      list: (options) => this.#list(ns, options),
      count: (options) => this.#count(ns, options),
      reset: (workflowId, options) => this.#resetOrReopen(ns, 'reset', workflowId, options ?? {}),
      reopen: (workflowId, options) =>
        this.#resetOrReopen(ns, 'reopen', workflowId, { ...options, to: 'lastWorkflowTask' }),
      retry: (workflowId, options) => this.#retry(ns, workflowId, options),
      deploy: (archive) => this.#deploy(ns, archive),
      route: (workflowType, version) => this.#route(ns, workflowType, version),
      unload: (version) => this.#unload(ns, version),
      versions: () => this.#versions(ns),
      registerSearchAttributes: (defs) => this.#registerSearchAttributes(ns, defs),
      searchAttributes: async () => Object.fromEntries(await this.#loadSchema(ns)),
    };
  }

  /** Filter and order from list options: the query language plus the shorthand fields. */
  #parse(
    ns: string,
    options: Omit<WorkflowListOptions, 'pageSize' | 'cursor'> = {},
  ): {
    where?: VisibilityExpr;
    orderBy?: ListRequest['orderBy'];
  } {
    const args: VisibilityExpr[] = [];
    let orderBy: ListRequest['orderBy'];
    if (options.query !== undefined && options.query.trim() !== '') {
      const parsed = parseVisibilityQuery(options.query, this.#schemas.get(ns) ?? new Map());
      if (parsed.where) args.push(parsed.where);
      orderBy = parsed.orderBy;
    }
    if (options.workflowType !== undefined)
      args.push({
        op: 'cmp',
        field: { kind: 'builtin', name: 'WorkflowType' },
        cmp: '=',
        value: options.workflowType,
      });
    if (options.status !== undefined)
      args.push({
        op: 'cmp',
        field: { kind: 'builtin', name: 'ExecutionStatus' },
        cmp: '=',
        value: options.status,
      });
    const where =
      args.length === 0
        ? undefined
        : args.length === 1
          ? args[0]
          : ({ op: 'and', args } as VisibilityExpr);
    return { ...(where ? { where } : {}), ...(orderBy ? { orderBy } : {}) };
  }

  async list(
    options: WorkflowListOptions = {},
  ): Promise<{ items: WorkflowExecutionInfo[]; nextCursor: string | undefined }> {
    return this.#list(this.namespace, options);
  }

  async #list(
    ns: string,
    options: WorkflowListOptions = {},
  ): Promise<{ items: WorkflowExecutionInfo[]; nextCursor: string | undefined }> {
    await this.#schemaOf(ns);
    const { where, orderBy } = this.#parse(ns, options);
    const page = await this.store.listRuns({
      namespace: ns,
      ...(where ? { where } : {}),
      ...(orderBy ? { orderBy } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
    });
    return {
      items: page.items.map((r) => ({
        workflowId: r.workflowId,
        runId: r.runId,
        workflowType: r.workflowType,
        status: r.status,
        startTime: new Date(r.startTime),
        closeTime: r.closeTime === undefined ? undefined : new Date(r.closeTime),
        taskQueue: r.taskQueue,
        version: r.version,
      })),
      nextCursor: page.nextCursor,
    };
  }

  async count(options: Omit<WorkflowListOptions, 'pageSize' | 'cursor'> = {}): Promise<number> {
    return this.#count(this.namespace, options);
  }

  async #count(
    ns: string,
    options: Omit<WorkflowListOptions, 'pageSize' | 'cursor'> = {},
  ): Promise<number> {
    await this.#schemaOf(ns);
    return await this.store.countRuns(ns, this.#parse(ns, options).where);
  }

  /** Resolves when no run has work queued or in flight and no commit is pending. */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.#scheduler.whenIdle();
      await this.#recorder.drained();
      if (this.#scheduler.idle && this.#recorder.idle) return;
    }
  }

  /**
   * Live feed of committed history events (see {@link EngineEvents}): delivered only after
   * the store commit succeeded, in seq order per run. Costs nothing while nobody listens.
   */
  get events(): EngineEvents {
    return this.#feed;
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
    if (this.#shutdown) throw new AionError('unavailable', 'the engine is shutting down');
    const ns = validateNamespace(registration.namespace);
    let remote = this.#remotes.get(ns);
    if (!remote) {
      remote = this.#makeRemote(ns);
      this.#remotes.set(ns, remote);
      this.#useNamespace(ns);
    }
    return remote.connect(registration, sink);
  }

  /** Connected remote workers and the dispatch state of their task queues (of one namespace). */
  async workers(
    namespace: string = this.namespace,
  ): Promise<{ workers: WorkerSnapshot[]; taskQueues: TaskQueueSnapshot[] }> {
    const remote = this.#remotes.get(namespace);
    return remote ? remote.snapshot() : { workers: [], taskQueues: [] };
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
    this.#check();
    const ns = validateNamespace(name);
    const retentionMs = retentionMsOf(settings.retention) ?? null;
    const now = this.clock.now();
    const { created } = await this.store.createNamespace({
      name: ns,
      description: settings.description ?? '',
      retentionMs,
      createdAt: now,
      updatedAt: now,
    });
    return { namespace: await this.describeNamespace(ns), created };
  }

  /** Changes a namespace's description or retention; `not_found` if it is not registered. */
  async updateNamespace(name: string, settings: NamespaceSettings): Promise<NamespaceInfo> {
    this.#check();
    const retentionMs = retentionMsOf(settings.retention);
    const record = await this.store.updateNamespace(
      validateNamespace(name),
      {
        ...(settings.description !== undefined ? { description: settings.description } : {}),
        ...(retentionMs !== undefined ? { retentionMs } : {}),
      },
      this.clock.now(),
    );
    return namespaceInfo(record);
  }

  /** A registered namespace; `not_found` if there is none of that name. */
  async describeNamespace(name: string): Promise<NamespaceInfo> {
    const record = await this.store.getNamespace(validateNamespace(name));
    if (!record) {
      throw new AionError(
        'not_found',
        `namespace ${JSON.stringify(name)} does not exist; create it first`,
        {
          namespace: name,
        },
      );
    }
    return namespaceInfo(record);
  }

  /** Every registered namespace, by name. */
  async listNamespaces(): Promise<NamespaceInfo[]> {
    return (await this.store.listNamespaces()).map(namespaceInfo);
  }

  /** Runs one retention sweep now (closed runs past their namespace's retention are deleted). */
  sweepRetention(): Promise<number> {
    return this.#retention.sweep();
  }

  #useNamespace(ns: string): void {
    if (this.#namespaces.has(ns)) return;
    this.#namespaces.add(ns);
    this.#activities.wake();
  }

  /** Internal counters for tests and the time-skipping environment. */
  get stats(): {
    residentRuns: number;
    runningActivities: number;
    memoryTimers: number;
    idle: boolean;
  } {
    return {
      residentRuns: this.#scheduler.residentCount,
      runningActivities: this.#activities.runningCount,
      memoryTimers: this.#timers.size,
      idle: this.#scheduler.idle && this.#recorder.idle,
    };
  }

  /**
   * Graceful drain: stops accepting work, lets running activities finish (up to
   * `timeoutMs`, then cancels them), commits everything in flight, and closes the store if
   * the engine opened it.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    const timeoutMs = options.timeoutMs ?? 10_000;
    await this.#executor?.shutdown({ graceful: true, timeoutMs });
    await Promise.race([this.whenIdle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.#scheduler.stop();
    this.#timers.stop();
    for (const remote of this.#remotes.values()) remote.stop();
    this.#retention.stop();
    this.#activities.stop();
    await this.#recorder.drained();
    await this.#thread.close();
    if (this.#ownsStore) await this.store.close();
  }
}

/** Creates an engine. See {@link EngineOptions} for defaults. */
/** The type name of a workflow reference (validated where the start is built). */
function typeNameOf(workflow: WorkflowTypeRef): string {
  return typeof workflow === 'function' ? workflow.name : workflow;
}

export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
