// The engine's domain services, each owning one concern, built over the infrastructure and
// wired to each other directly (a call never goes back through the facade).
import { isTerminalEventType, statusOfTerminal, type RunKey } from '../../core/index.js';
import { AsyncCompletion, ResetService, RetryService, RunControl } from '../control/index.js';
import { DeployService } from '../deploy/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { noopMetrics } from '../metrics.js';
import { InterceptedCalls, type ScopeDeps } from '../local-client/index.js';
import {
  QueryService,
  SignalService,
  TimeTravelService,
  UpdateService,
} from '../messages/index.js';
import { NamespaceService, RetentionSweeper } from '../namespaces/index.js';
import type { EngineOptions } from '../options.js';
import { OutboxDispatcher } from '../outbox/index.js';
import { ResultWaiters, RunDescriber, RunLister, RunResolver } from '../read/index.js';
import { RemoteActivities } from '../remote-activities/index.js';
import type { EngineSeams } from '../seams.js';
import { RunStarter, StartService } from '../start/index.js';
import {
  ScheduleReads,
  ScheduleRunner,
  ScheduleService,
  scheduleMetrics,
} from '../schedules/index.js';
import { TimerRouter } from '../timers/index.js';
import { routedSchedules } from '../cluster/index.js';
import { evaluateExpr } from '../../store/index.js';
import { parseVisibilityQuery } from '../../visibility/index.js';
import { RemoteWorkers } from '../workers/index.js';
import type { EngineHooks } from './hooks.js';
import type { Infrastructure } from './infrastructure.js';

/** How often a cluster node's dispatcher looks for tasks other nodes scheduled. */
const CLUSTER_TASK_POLL_MS = 1000;

export interface Services {
  readonly scope: ScopeDeps;
  readonly outbox: OutboxDispatcher;
  readonly completion: AsyncCompletion;
  readonly namespaceService: NamespaceService;
  readonly retention: RetentionSweeper;
  readonly remoteWorkers: RemoteWorkers;
  readonly deploys: DeployService;
  readonly schedules: ScheduleService;
}

export interface ServiceBase {
  readonly infra: Infrastructure;
  readonly seams: EngineSeams;
  readonly lifecycle: Lifecycle;
  readonly hooks: EngineHooks;
}

export function buildServices(options: EngineOptions, b: ServiceBase): Services {
  const { infra, seams, lifecycle } = b;
  const base = {
    ...infra,
    ...seams,
    lifecycle,
    isElsewhere: (run: RunKey) => infra.scheduler.isElsewhere(run),
    knowsOpen: (run: RunKey) => infra.scheduler.knowsOpen(run),
  };
  const resolver = new RunResolver(infra.store);
  const reads = {
    resolver,
    results: new ResultWaiters({ ...base, resolver }),
    describer: new RunDescriber({ ...base, resolver }),
    lister: new RunLister(infra.store, infra.schemas),
  };
  const signals = new SignalService({ ...base, resolver });
  const queries = new QueryService({ ...base, resolver });
  const timeTravels = new TimeTravelService({ ...base, resolver });
  const updates = new UpdateService({ ...base, resolver });
  const control = new RunControl({ ...base, resolver });
  const retries = new RetryService({ ...base, resolver });
  const resets = new ResetService({ ...base, resolver });
  const starter = new RunStarter(base);
  const starts = new StartService({
    ...base,
    starter,
    signals,
    terminate: (namespace, workflowId, runId, reason) =>
      control.terminate({ namespace, workflowId, runId }, reason),
  });
  const outbox = new OutboxDispatcher({
    ...base,
    starter,
    resolver,
    control,
    applyReset: (row) => resets.apply(row),
  });
  const deploys = new DeployService({ ...base, retry: retries });
  const calls = new InterceptedCalls({
    interceptors: options.interceptors?.client,
    starts,
    signals,
    queries,
    updates,
  });
  const remoteWorkers = buildRemoteWorkers(options, b);
  const retention = buildRetention(options, b);
  const { schedules, scheduleReads } = buildSchedules(options, b, starter, control);
  const timerRouter = new TimerRouter({ ...infra, schedules });
  wireHooks(b, { updates, results: reads.results, outbox, timerRouter, schedules });
  return {
    scope: {
      ...reads,
      timeTravels,
      retry: infra.retry,
      newId: () => seams.ids.uuid(),
      calls,
      control,
      resets,
      retries,
      deploys,
      schemas: infra.schemas,
      namespaces: infra.namespaces,
      // Cluster mode: a schedule's node carries out its client calls.
      schedules: routedSchedules(schedules, infra.scheduler),
      scheduleReads,
    },
    outbox,
    completion: new AsyncCompletion(base),
    namespaceService: new NamespaceService({ ...base, retention }),
    retention,
    remoteWorkers,
    deploys,
    schedules,
  };
}

function buildRetention(options: EngineOptions, b: ServiceBase): RetentionSweeper {
  return new RetentionSweeper({
    store: b.infra.store,
    clock: b.seams.clock,
    logger: b.infra.logger,
    ...(options.retentionIntervalMs !== undefined
      ? { intervalMs: options.retentionIntervalMs }
      : {}),
  });
}

function buildSchedules(
  options: EngineOptions,
  b: ServiceBase,
  starter: RunStarter,
  control: RunControl,
): { schedules: ScheduleService; scheduleReads: ScheduleReads } {
  const { infra, seams } = b;
  const runner = new ScheduleRunner({
    store: infra.store,
    clock: seams.clock,
    ids: seams.ids,
    starter,
    control,
    timers: infra.timers,
    logger: infra.logger,
    metrics: scheduleMetrics(options.metrics ?? noopMetrics),
  });
  const schedules = new ScheduleService({
    elsewhere: (key) => infra.scheduler.isElsewhere(key),
    forward: (key, op, args) => infra.scheduler.forward(key, op, args),
    store: infra.store,
    clock: seams.clock,
    runner,
    startContext: async (namespace) => {
      infra.namespaces.use(namespace);
      return {
        limits: infra.limits,
        converter: infra.converter,
        defaultTaskQueue: infra.taskQueue,
        schema: await infra.schemas.of(namespace),
        newId: () => seams.ids.uuid(),
      };
    },
  });
  const scheduleReads = new ScheduleReads({
    store: infra.store,
    clock: seams.clock,
    converter: infra.converter,
    compileQuery: async (namespace, query) => {
      const parsed = parseVisibilityQuery(query, await infra.schemas.of(namespace));
      return parsed.where ?? { op: 'and', args: [] };
    },
    matches: evaluateExpr,
  });
  return { schedules, scheduleReads };
}

function buildRemoteWorkers(options: EngineOptions, b: ServiceBase): RemoteWorkers {
  const { infra, seams, lifecycle } = b;
  const remoteWorkers = new RemoteWorkers(
    (namespace) =>
      new RemoteActivities({
        store: infra.store,
        clock: seams.clock,
        // A cluster node's claims name the node, so they are voided when a survivor adopts
        // its shards after its death (a claim named after the engine would wait out its lease).
        owner: infra.leaseOwner,
        namespace,
        activities: infra.activities,
        random: seams.random,
        // Other nodes schedule tasks without waking this node's dispatcher: it looks itself.
        ...(options.cluster === true ? { idlePollMs: CLUSTER_TASK_POLL_MS } : {}),
        ...(options.taskQueues ? { taskQueues: options.taskQueues } : {}),
      }),
    lifecycle,
    infra.namespaces,
  );
  infra.activities.attachRemote({
    wake: (namespace, queue, at) => remoteWorkers.of(namespace)?.wake(queue, at),
    reserve: (namespace, queue, type, taskId) =>
      remoteWorkers.of(namespace)?.reserve(queue, type, taskId) ?? false,
    take: (task, mark) => remoteWorkers.of(task.namespace)?.take(task, mark),
    serves: (namespace, queue, type) => remoteWorkers.of(namespace)?.serves(queue, type) ?? false,
  });
  return remoteWorkers;
}

function wireHooks(
  b: ServiceBase,
  s: {
    updates: UpdateService;
    results: ResultWaiters;
    outbox: OutboxDispatcher;
    timerRouter: TimerRouter;
    schedules: ScheduleService;
  },
): void {
  const { hooks, infra } = b;
  hooks.onClosed = (run, terminal, workflowType, found, scheduleId) => {
    const status = isTerminalEventType(terminal.type) ? statusOfTerminal(terminal.type) : 'UNKNOWN';
    if (!found) infra.metrics.workflowsClosed.inc(1, { status, workflow_type: workflowType });
    s.updates.onClosed(run, terminal);
    s.results.onClosed(run, terminal);
    s.schedules.onRunClosed(run.namespace, run.workflowId, scheduleId);
  };
  hooks.onOutbox = (row) => s.outbox.dispatch(row);
  hooks.onUpdateCompleted = (run, event) => s.updates.onCompleted(run, event);
  hooks.onTimer = (row) => s.timerRouter.onFire(row);
}
