// The engine's machinery below the services: workflow thread, package registry, recorder,
// live feed, activity executor and service, durable timers and the run scheduler.
import { ActivityExecutor } from '../../activity/internal.js';
import { loggerSink } from '../../activity/internal.js';
import type { HeartbeatSink } from '../../activity/internal.js';
import type { Clock } from '../../clock/index.js';
import {
  AionError,
  DataConverter,
  JsonPayloadConverter,
  resolveLimits,
  type Limits,
  type LogLine,
  type PayloadCodec,
  type RunKey,
} from '../../core/index.js';
import {
  DEFAULT_DEADLOCK_TIMEOUT_MS,
  DEFAULT_MAX_RESIDENT_RUNS,
  defaultWorkflowHeapLimitMb,
  WorkflowThread,
} from '../../runtime/index.js';
import type { NewActivityTask, Store } from '../../store/index.js';
import { ActivityService, activityTimerIds } from '../activity-service/index.js';
import { EventFeed } from '../event-feed.js';
import { engineMetrics, noopMetrics, type EngineMetrics } from '../metrics.js';
import { NamespacesInUse, SearchAttributeSchemas } from '../namespaces/index.js';
import { resolveRunLimits, type RunLimits } from '../commands/index.js';
import { defaultLogger, storeLimitsOf, type EngineOptions } from '../options.js';
import { PackageRegistry } from '../package-registry.js';
import { Recorder } from '../recorder.js';
import {
  historyPolicy,
  ReplayThread,
  RunScheduler,
  type EngineLogger,
  type HistoryPolicy,
} from '../scheduler/index.js';
import type { EngineSeams } from '../seams.js';
import { codecStore } from '../codec-store.js';
import { StoreHealth } from '../store-health.js';
import { DEFAULT_STORE_RETRY_DEADLINE_MS, type StoreRetryEnv } from '../store-retry.js';
import { TimerService } from '../timer-service.js';
import { SinkDelivery } from '../sinks.js';
import type { EngineHooks } from './hooks.js';

export interface Infrastructure {
  readonly namespace: string;
  readonly taskQueue: string;
  readonly identity: string;
  /** Who holds this engine's task leases and timer claims (see {@link InfrastructureBase}). */
  readonly leaseOwner: string;
  /** The store as the engine uses it: every call reports to `health`. */
  readonly store: Store;
  readonly health: StoreHealth;
  readonly retry: StoreRetryEnv;
  readonly limits: Limits;
  readonly converter: DataConverter;
  /** The codecs applied at the store boundary (ADR 0011). */
  readonly payloadCodecs: readonly PayloadCodec[];
  readonly metrics: EngineMetrics;
  readonly logger: EngineLogger;
  readonly thread: WorkflowThread;
  /** Replays that answer reads (closed-run queries, time travel), off the live thread. */
  readonly replays: ReplayThread;
  readonly registry: PackageRegistry;
  readonly feed: EventFeed;
  readonly recorder: Recorder;
  readonly executor: ActivityExecutor | undefined;
  readonly activities: ActivityService;
  readonly timers: TimerService;
  readonly scheduler: RunScheduler;
  readonly schemas: SearchAttributeSchemas;
  readonly namespaces: NamespacesInUse;
}

export interface InfrastructureBase {
  readonly namespace: string;
  readonly identity: string;
  /**
   * Who holds this engine's task leases and timer claims: its identity, or in cluster mode its
   * node id (unique per process start, so a dead node's leases are told from a restarted one's).
   */
  readonly leaseOwner: string;
  readonly store: Store;
  readonly seams: EngineSeams;
  readonly hooks: EngineHooks;
  /** True once the engine is shutting down (background retries stop). */
  readonly stopped: () => boolean;
}

export function buildInfrastructure(
  options: EngineOptions,
  base: InfrastructureBase,
): Infrastructure {
  const { seams, hooks, leaseOwner } = base;
  const { clock } = seams;
  const limits = resolveLimits(storeLimitsOf(options.limits));
  const converter = new DataConverter({
    ...(options.payloadConverter ? { payloadConverter: options.payloadConverter } : {}),
    limits,
  });
  const metrics = engineMetrics(options.metrics ?? noopMetrics);
  const logger = options.logger ?? defaultLogger;
  const { health, store, retry } = storeAccess(options, base, logger, metrics);
  const thread = buildThread(options, logger, metrics, () => scheduler.isolateAll());
  const registry = buildRegistry(options, store, thread);
  const replays = new ReplayThread({ ...registry.isolation });
  const feed = new EventFeed((err) =>
    logger.warn('event feed listener threw', { error: String(err) }),
  );
  const recorder = new Recorder(store, metrics, undefined, feed);
  const executor = buildExecutor(options, clock, (info, details) =>
    activities.heartbeat(info, details),
  );
  const namespaces = new NamespacesInUse(base.namespace, () => activities.wake());
  const taskQueue = options.taskQueue ?? 'default';
  const activities: ActivityService = buildActivities(
    options,
    { store, clock, leaseOwner, namespaces, executor, taskQueue, converter, metrics, retry },
    logger,
    () => scheduler,
  );
  const timers = new TimerService({
    store,
    clock,
    owner: leaseOwner,
    onFire: (row) => hooks.onTimer(row),
    shards: () => scheduler.drivenShards(),
    random: seams.random,
  });
  const schemas = new SearchAttributeSchemas(store);
  const common = {
    ...base,
    store,
    health,
    retry,
    taskQueue,
    limits,
    converter,
    payloadCodecs: options.payloadCodecs ?? [],
    metrics,
    logger,
    thread,
    replays,
    registry,
  };
  const scheduler = buildScheduler(options, { ...common, recorder, activities, timers, schemas });
  return {
    ...common,
    feed,
    recorder,
    executor,
    activities,
    timers,
    scheduler,
    schemas,
    namespaces,
  };
}

/** The activity service: this engine's in-process attempts, task claims and outcomes. */
function buildActivities(
  options: EngineOptions,
  p: {
    readonly store: Store;
    readonly clock: Clock;
    readonly leaseOwner: string;
    readonly namespaces: NamespacesInUse;
    readonly executor: ActivityExecutor | undefined;
    readonly taskQueue: string;
    readonly converter: DataConverter;
    readonly metrics: EngineMetrics;
    readonly retry: StoreRetryEnv;
  },
  logger: EngineLogger,
  scheduler: () => RunScheduler,
): ActivityService {
  return new ActivityService({
    store: p.store,
    clock: p.clock,
    owner: p.leaseOwner,
    namespaces: () => p.namespaces.names,
    executor: p.executor,
    servedQueues: [p.taskQueue],
    servedTypes: Object.keys(options.activities ?? {}),
    converter: p.converter,
    metrics: p.metrics,
    retry: p.retry,
    onUnserved: warnOnce(logger),
    elsewhere: (run) => scheduler().isElsewhere(run),
    ...(p.store.membership ? { standing: p.store.membership.standing } : {}),
    onArrival: (a) =>
      scheduler().enqueue(a.run, {
        event: a.event,
        removeTasks: [a.taskId],
        cancelTimers: a.timerIds ?? activityTimerIds(a.activityId),
        ...(a.ack ? { ack: a.ack } : {}),
      }),
  });
}

/**
 * The per-run limits and the history policy: the hard cap on history length is the lower of
 * the engine's and the store's (the store refuses anything past its own).
 */
function runLimitsOf(
  options: EngineOptions,
  limits: Limits,
  store: Store,
): { runLimits: RunLimits; history: HistoryPolicy } {
  const formerBytes = options.continueAsNew?.historyBytes;
  const runLimits = resolveRunLimits({
    ...(formerBytes !== undefined ? { maxHistoryBytes: formerBytes } : {}),
    ...options.limits,
  });
  const history = historyPolicy(
    Math.min(limits.maxHistoryLength, store.limits.maxHistoryLength),
    runLimits.maxHistoryBytes,
    options.continueAsNew?.fraction ?? 0.8,
  );
  return { runLimits, history };
}

/** The workflow thread's heap cap: the option, or the default for the residency bound. */
function workflowHeapLimitMb(options: EngineOptions, logger: EngineLogger): number {
  const maxResidentRuns = options.maxResidentRuns ?? DEFAULT_MAX_RESIDENT_RUNS;
  const fitting = defaultWorkflowHeapLimitMb(maxResidentRuns);
  const limit = options.workflowHeapLimitMb;
  if (limit === undefined) return fitting;
  if (!Number.isInteger(limit) || limit < 32) {
    throw new AionError(
      'invalid_argument',
      `workflowHeapLimitMb must be an integer of at least 32 (MiB), got ${String(limit)}`,
      { field: 'workflowHeapLimitMb' },
    );
  }
  if (limit < fitting)
    logger.warn(
      `workflowHeapLimitMb is ${limit} MiB, below the ${fitting} MiB that ${maxResidentRuns} resident runs get by default: many resident runs may exhaust it (and be parked); lower maxResidentRuns too`,
      { workflowHeapLimitMb: limit, maxResidentRuns },
    );
  return limit;
}

/** Packages and routes; a deploy loads the package in isolation under the thread's limits. */
function buildRegistry(
  options: EngineOptions,
  store: Store,
  thread: WorkflowThread,
): PackageRegistry {
  return new PackageRegistry(store, thread, {
    deadlockTimeoutMs: options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
    inline: options.workflowRuntime === 'inline',
  });
}

/** The workflow thread, under its heap cap; an out-of-memory restart isolates every run. */
function buildThread(
  options: EngineOptions,
  logger: EngineLogger,
  metrics: EngineMetrics,
  isolateAll: () => void,
): WorkflowThread {
  return new WorkflowThread({
    deadlockTimeoutMs: options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
    heapLimitMb: workflowHeapLimitMb(options, logger),
    inline: options.workflowRuntime === 'inline',
    onRestart: (reason, kind) => {
      metrics.threadRestarts.inc(1, { reason: kind });
      logger.warn('workflow thread restarted; resident runs will be rebuilt by replay', {
        reason,
        cause: kind,
      });
      // Out of memory: every run is tried alone, so the one that runs out alone is charged.
      if (kind === 'memory') isolateAll();
    },
  });
}

/** The store as the engine uses it (every call observed by `health`) and its retry settings. */
function storeAccess(
  options: EngineOptions,
  base: InfrastructureBase,
  logger: EngineLogger,
  metrics: EngineMetrics,
): { health: StoreHealth; store: Store; retry: StoreRetryEnv } {
  const { seams } = base;
  const health = new StoreHealth(seams.clock, logger, metrics);
  const retry: StoreRetryEnv = {
    clock: seams.clock,
    delay: seams.delay,
    random: seams.random,
    stopped: base.stopped,
    deadlineMs: options.storeRetryDeadlineMs ?? DEFAULT_STORE_RETRY_DEADLINE_MS,
  };
  // Codecs encode what reaches the store and decode what comes back (ADR 0011).
  const store = codecStore(health.observe(base.store), options.payloadCodecs ?? [], {
    failureAttributes: options.encodeFailureAttributes === true,
  });
  return { health, store, retry };
}

/** Warns once per namespace, queue and type about scheduled activities nothing serves. */
function warnOnce(logger: EngineLogger): (task: NewActivityTask) => void {
  const warned = new Set<string>();
  return (task) => {
    const key = `${task.namespace}\u0000${task.taskQueue}\u0000${task.activityType}`;
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(
      `no worker serves activity type ${JSON.stringify(task.activityType)} on task queue ${JSON.stringify(task.taskQueue)}: nothing in this engine implements it and no connected worker registered it; it waits until one does`,
      {
        namespace: task.namespace,
        taskQueue: task.taskQueue,
        activityType: task.activityType,
        workflowId: task.workflowId,
        runId: task.runId,
      },
    );
  };
}

/** The in-process activity executor, when the engine has activities of its own. */
function buildExecutor(
  options: EngineOptions,
  clock: Clock,
  onHeartbeat: HeartbeatSink,
): ActivityExecutor | undefined {
  const activities = options.activities ?? {};
  if (Object.keys(activities).length === 0) return undefined;
  return new ActivityExecutor({
    activities,
    clock,
    maxConcurrent: options.maxConcurrentActivities ?? 200,
    // Activity and executor lines go to the engine's logger when one is given.
    ...(options.logger ? { logger: loggerSink(options.logger) } : {}),
    onHeartbeat,
    ...(options.interceptors?.activity ? { interceptors: options.interceptors.activity } : {}),
  });
}

function buildScheduler(
  options: EngineOptions,
  p: Omit<Infrastructure, 'feed' | 'executor' | 'scheduler' | 'namespaces'> & InfrastructureBase,
): RunScheduler {
  const workflowLogger = options.workflowLogger;
  const onWorkflowLog = (run: RunKey, line: LogLine): void => {
    if (workflowLogger)
      workflowLogger({
        workflowId: run.workflowId,
        runId: run.runId,
        level: line.level,
        message: line.message,
        at: line.at,
      });
    else p.logger[line.level](line.message, { workflowId: run.workflowId, runId: run.runId });
  };
  const sinks = new SinkDelivery(
    options.sinks,
    options.payloadConverter ?? new JsonPayloadConverter(),
    p.logger,
    onWorkflowLog,
  );
  return new RunScheduler({
    store: p.store,
    clock: p.seams.clock,
    ids: p.seams.ids,
    recorder: p.recorder,
    registry: p.registry,
    thread: p.thread,
    replays: p.replays,
    activities: p.activities,
    timers: p.timers,
    metrics: p.metrics,
    limits: p.limits,
    logger: p.logger,
    health: p.health,
    retry: p.retry,
    maxResidentRuns: options.maxResidentRuns ?? DEFAULT_MAX_RESIDENT_RUNS,
    ...runLimitsOf(options, p.limits, p.store),
    supervision: {
      maxRestarts: options.supervision?.maxRestarts ?? 5,
      withinMs: options.supervision?.withinMs ?? 10 * 60_000,
      failTypes: new Set(options.supervision?.failTypes ?? []),
    },
    onClosed: (run, terminal, workflowType, found, scheduleId) =>
      p.hooks.onClosed(run, terminal, workflowType, found, scheduleId),
    onOutbox: (row) => p.hooks.onOutbox(row),
    onUpdateCompleted: (run, event) => p.hooks.onUpdateCompleted(run, event),
    routeFor: (namespace, workflowType) => p.registry.cachedRoute(namespace, workflowType),
    schemaFor: (namespace) => p.schemas.cached(namespace),
    onWorkflowLog,
    onSinkCalls: (run, calls) => sinks.deliver(run, calls),
  });
}
