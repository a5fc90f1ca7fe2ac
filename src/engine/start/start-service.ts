// Client starts: options validated and encoded, id policies applied, the run recorded; and
// signal-with-start, which signals the open run or starts one with the signal delivered first.
import type { Clock, IdSource } from '../../clock/index.js';
import {
  AionError,
  isAionError,
  validateHeaders,
  type DataConverter,
  type Headers,
  type Limits,
  type MessageRef,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
  messageName,
  type RunKey,
} from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { SignalService } from '../messages/index.js';
import type { NamespacesInUse, SearchAttributeSchemas } from '../namespaces/index.js';
import type { Arrival } from '../run-actor.js';
import type { RunStarter } from './run-starter.js';
import type { StartRunParams } from './start-params.js';
import { nextCronTime } from '../commands/index.js';
import { startAuditWrite } from './start-audit.js';
import { parseStart, type ParsedStart } from './start-options.js';
import {
  applyStartPolicies,
  checkStartPolicies,
  commitDecidesStart,
  badRequestId,
  givenConflictPolicy,
  requestIdIsValid,
  type StartPolicyDeps,
} from './start-policies.js';

export interface StartedRun {
  readonly workflowId: string;
  readonly runId: string;
  /** True when this call started the run (false: the id policies chose an existing one). */
  readonly created?: boolean;
}

export interface InitialSignal {
  signal: MessageRef;
  args: readonly unknown[];
  headers?: Headers;
  /** The call's request id: the run records the signal once however often it is sent. */
  requestId?: string;
}

/** An update recorded with the start (update-with-start): handled in the first activation. */
export interface InitialUpdate {
  update: MessageRef;
  args: readonly unknown[];
  updateId: string;
  headers?: Headers;
}

export type SignalWithStartOptions = WorkflowStartOptions & {
  signal: MessageRef;
  signalArgs?: readonly unknown[];
};

export interface StartServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly identity: string;
  readonly taskQueue: string;
  readonly limits: Limits;
  readonly converter: DataConverter;
  readonly schemas: SearchAttributeSchemas;
  readonly namespaces: NamespacesInUse;
  readonly starter: RunStarter;
  readonly signals: SignalService;
  readonly terminate: StartPolicyDeps['terminate'];
}

export class StartService {
  readonly #d: StartServiceDeps;

  constructor(deps: StartServiceDeps) {
    this.#d = deps;
  }

  /** Starts a workflow (or returns the run the id policies choose); resolves once committed. */
  start(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
    initial?: InitialSignal | InitialUpdate,
  ): Promise<StartedRun> {
    return this.#start(ns, workflow, options, initial, false);
  }

  /**
   * A start of a given workflow id whose policies the commit alone can apply
   * (commitDecidesStart) reads nothing first; should an open run hold the id, the commit
   * fails, and the start is made again reading the id's current run (`readFirst`).
   */
  async #start(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions,
    initial: InitialSignal | InitialUpdate | undefined,
    readFirst: boolean,
  ): Promise<StartedRun> {
    const d = this.#d;
    d.lifecycle.check();
    d.namespaces.use(ns);
    if (!d.schemas.has(ns)) await d.schemas.load(ns);
    const arrival = initial ? this.#initialArrival(initial) : undefined;
    const parsed = parseStart(
      {
        limits: d.limits,
        converter: d.converter,
        defaultTaskQueue: d.taskQueue,
        schema: d.schemas.cached(ns),
        newId: () => d.ids.uuid(),
      },
      workflow,
      options,
    );
    const { workflowId, executionTimeoutMs, runTimeoutMs } = parsed;
    let optimistic = false;
    if (options.workflowId === undefined) checkStartPolicies(options);
    else if (!readFirst && commitDecidesStart(options)) optimistic = true;
    else {
      const existing = await applyStartPolicies(d, ns, workflowId, options);
      if (existing) return { workflowId, runId: existing, created: false };
    }
    const runId = d.ids.uuid();
    const params: StartRunParams = {
      namespace: ns,
      workflowId,
      runId,
      workflowType: parsed.workflowType,
      taskQueue: parsed.taskQueue,
      args: parsed.args,
      firstRunId: runId,
    };
    // Optional fields by assignment: a spread of each (`...(x ? { x } : {})`) allocates and
    // copies an object per field, which a burst of starts pays thousands of times.
    if (options.requestId !== undefined) params.requestId = options.requestId;
    if (arrival) params.signals = [arrival];
    if (parsed.headers) params.headers = parsed.headers;
    if (parsed.searchAttributes) params.searchAttributes = parsed.searchAttributes;
    if (parsed.memo) params.memo = parsed.memo;
    if (executionTimeoutMs !== undefined) {
      params.executionTimeoutMs = executionTimeoutMs;
      params.executionDeadline = d.clock.now() + executionTimeoutMs;
    }
    if (runTimeoutMs !== undefined) params.runTimeoutMs = runTimeoutMs;
    if (parsed.retryPolicy) params.retryPolicy = parsed.retryPolicy;
    if (parsed.priority) params.priority = parsed.priority;
    const first = firstTask(parsed, d.clock.now());
    if (first.cronSchedule !== undefined) params.cronSchedule = first.cronSchedule;
    if (first.firstTaskAt !== undefined) params.firstTaskAt = first.firstTaskAt;
    // A server's audit entry of this call, written with the run's start commit.
    const audit = startAuditWrite(options, workflowId);
    if (audit) params.audit = audit;
    // Returned, not awaited: this frame is not kept while the start waits for its commit.
    const started = d.starter
      .startRun(params)
      .then((): StartedRun => ({ workflowId, runId, created: true }));
    if (!optimistic) return started;
    return started.catch((err: unknown) => {
      if (!isAionError(err) || err.code !== 'workflow_already_started') throw err;
      // An open run holds the id: its policies decide, read from the store.
      return this.#start(ns, workflow, options, initial, true);
    });
  }

  /**
   * Signals the workflow's open run, or starts it and delivers the signal in its first
   * activation (atomically with the start). Races with concurrent starts and closes retry.
   */
  async signalWithStart(
    ns: string,
    workflow: WorkflowTypeRef,
    options: SignalWithStartOptions,
  ): Promise<StartedRun> {
    const { signal, signalArgs = [], ...startOptions } = options;
    const headers = validateHeaders(startOptions.headers);
    const workflowId = startOptions.workflowId;
    if (workflowId === undefined) {
      throw new AionError('invalid_argument', 'signalWithStart needs a workflowId', {
        field: 'workflowId',
      });
    }
    // The start's request id also identifies the signal, so a retried call signals once.
    const { requestId } = startOptions;
    if (requestId !== undefined && !requestIdIsValid(requestId)) throw badRequestId();
    const initial = {
      signal,
      args: signalArgs,
      ...(headers ? { headers } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    };
    const conflict = givenConflictPolicy(startOptions);
    // FAIL and TERMINATE_EXISTING apply as for a start (the new run gets the signal first);
    // unset or USE_EXISTING signals the open run.
    if (conflict === 'FAIL' || conflict === 'TERMINATE_EXISTING')
      return this.start(ns, workflow, startOptions, initial);
    for (let attempt = 0; ; attempt++) {
      const current = await this.#d.store.getCurrentRun(ns, workflowId);
      if (current && current.closeTime === undefined) {
        try {
          const ref = { namespace: ns, workflowId, runId: current.runId };
          await this.#d.signals.signal(ref, signal, [...signalArgs], requestId, headers);
          return { workflowId, runId: current.runId };
        } catch (err) {
          if (!(isAionError(err) && err.code === 'workflow_closed') || attempt >= 3) throw err;
          continue; // closed in between: start a new run
        }
      }
      // A retried call whose signal the run recorded before it closed: that run, not a new one.
      if (current && requestId !== undefined && (await this.#signalled(current, requestId)))
        return { workflowId, runId: current.runId };
      try {
        return await this.start(
          ns,
          workflow,
          { ...startOptions, workflowIdConflictPolicy: 'FAIL' },
          initial,
        );
      } catch (err) {
        if (!(isAionError(err) && err.code === 'workflow_already_started') || attempt >= 3)
          throw err;
        // Someone started it concurrently: signal that run instead.
      }
    }
  }

  async #signalled(run: RunKey, requestId: string): Promise<boolean> {
    const history = await this.#d.store.readHistory(run);
    return history.some((e) => e.type === 'SignalReceived' && e.requestId === requestId);
  }

  #initialArrival(initial: InitialSignal | InitialUpdate): Arrival {
    if ('update' in initial) return this.#initialUpdate(initial);
    const withSignal = initial;
    const signalName = messageName(withSignal.signal);
    return {
      event: {
        type: 'SignalReceived',
        signalName,
        args: encodeArgs(
          this.#d.converter,
          [...withSignal.args],
          `arguments of signal ${signalName}`,
        ),
        identity: this.#d.identity,
        ...(withSignal.headers ? { headers: withSignal.headers } : {}),
        ...(withSignal.requestId !== undefined ? { requestId: withSignal.requestId } : {}),
      },
    };
  }

  /**
   * Recorded with the start, before any handler exists to validate it: its validator runs when
   * the first activation dispatches it (as Temporal's update-with-start does).
   */
  #initialUpdate(initial: InitialUpdate): Arrival {
    const updateName = messageName(initial.update);
    if (typeof updateName !== 'string' || updateName.length === 0)
      throw new AionError('invalid_argument', 'update name must be a non-empty string', {
        field: 'update',
      });
    const headers = validateHeaders(initial.headers);
    return {
      event: {
        type: 'UpdateAccepted',
        updateId: initial.updateId,
        updateName,
        args: encodeArgs(this.#d.converter, [...initial.args], `arguments of update ${updateName}`),
        identity: this.#d.identity,
        ...(headers ? { headers } : {}),
        unvalidated: true,
      },
    };
  }
}

/** A cron workflow's first task waits for the first cron time; `startDelay` holds it too. */
function firstTask(
  parsed: ParsedStart,
  now: number,
): { cronSchedule?: string; firstTaskAt?: number } {
  if (parsed.cronSchedule !== undefined && parsed.startDelayMs !== undefined)
    throw new AionError('invalid_argument', 'startDelay cannot be combined with cronSchedule', {
      field: 'startDelay',
    });
  if (parsed.cronSchedule !== undefined) {
    const at = nextCronTime(parsed.cronSchedule, now);
    if (at === undefined)
      throw new AionError('invalid_argument', 'cronSchedule never fires', {
        field: 'cronSchedule',
      });
    return { cronSchedule: parsed.cronSchedule, firstTaskAt: at };
  }
  return parsed.startDelayMs ? { firstTaskAt: now + parsed.startDelayMs } : {};
}
