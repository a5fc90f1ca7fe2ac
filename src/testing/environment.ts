import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowClient, WorkflowHandle, WorkflowUpdateHandle } from '../client/index.js';
import { RealClock, VirtualClock, type Clock } from '../clock/index.js';
import { AionError, parseDuration, type Duration, type EngineClient } from '../core/index.js';
import { createEngine, type Engine, type EngineOptions } from '../engine/index.js';
import type { Store } from '../store/index.js';
import { createMemoryStore } from '../store/memory/index.js';
import { ObservedClock } from './observed-clock.js';
import { DEFAULT_MAX_TIME_SKIPS, TimeSkipper } from './time-skipper.js';

/** Options shared by both kinds of test environment: every {@link EngineOptions} but the clock. */
export interface TestEnvironmentOptions extends Omit<EngineOptions, 'clock' | 'store'> {
  /**
   * The store. Default: a fresh in-memory store, closed by `teardown()`. A store passed here
   * is left open (the caller owns it).
   */
  readonly store?: Store;
}

/** Options of {@link TestWorkflowEnvironment.createTimeSkipping}. */
export interface TimeSkippingEnvironmentOptions extends TestEnvironmentOptions {
  /** Virtual time at creation, epoch ms or a Date. Default 2026-01-01T00:00:00Z. */
  readonly start?: number | Date;
  /**
   * Most clock jumps one result wait (or one `sleep`) may make before it fails with
   * `deadline_exceeded` — a guard against workflows that loop around timers. Default 1,000,000.
   */
  readonly maxTimeSkips?: number;
}

/** Default start of virtual time: 2026-01-01T00:00:00Z. */
export const DEFAULT_VIRTUAL_START = Date.UTC(2026, 0, 1);

/**
 * An engine set up for tests. Two kinds:
 *
 * - {@link TestWorkflowEnvironment.createTimeSkipping}: a {@link VirtualClock}; while a test
 *   awaits a workflow result through `env.client`, time jumps to the next timer whenever the
 *   engine is idle and no activity attempt runs, so a workflow that sleeps for 30 days
 *   completes at once. `env.sleep()` advances time explicitly.
 * - {@link TestWorkflowEnvironment.createLocal}: the wall clock (for tests that want real time).
 *
 * Both default to a fresh in-memory store. Always call `teardown()` (e.g. in `afterEach`).
 *
 * @example
 * const env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, activities });
 * try {
 *   const result = await env.client.workflow.execute('monthlyReport', { args: ['acme'] });
 * } finally {
 *   await env.teardown();
 * }
 */
export class TestWorkflowEnvironment<C extends Clock = Clock> {
  /** The engine (its own `start`/`execute` do not skip time; use `env.client`). */
  readonly engine: Engine;
  /**
   * The engine's client (`client.activity` completes async activities by task token). In a
   * time-skipping environment, time skips while any of its waits on a workflow is pending:
   * results, queries, updates (`executeUpdate`, an update handle's `result()`).
   */
  readonly client: EngineClient;
  /** The engine's clock: a VirtualClock when time skips, the RealClock otherwise. */
  readonly clock: C;
  readonly #skipper: TimeSkipper | undefined;
  readonly #ownedStore: Store | undefined;
  #torndown = false;

  private constructor(
    engine: Engine,
    clock: C,
    skipper: TimeSkipper | undefined,
    ownedStore: Store | undefined,
  ) {
    this.engine = engine;
    this.clock = clock;
    this.#skipper = skipper;
    this.#ownedStore = ownedStore;
    this.client = skipper ? skippingClient(engine.client, skipper) : engine.client;
  }

  /** Creates an environment whose clock is virtual and skips ahead while results are awaited. */
  static async createTimeSkipping(
    options: TimeSkippingEnvironmentOptions = {},
  ): Promise<TestWorkflowEnvironment<VirtualClock>> {
    const { start, maxTimeSkips, ...rest } = options;
    const startMs = start instanceof Date ? start.getTime() : (start ?? DEFAULT_VIRTUAL_START);
    if (!Number.isSafeInteger(startMs) || startMs < 0)
      throw new AionError('invalid_argument', 'start must be a non-negative epoch ms or a Date', {
        field: 'start',
      });
    const maxJumps = maxTimeSkips ?? DEFAULT_MAX_TIME_SKIPS;
    if (!Number.isSafeInteger(maxJumps) || maxJumps < 1)
      throw new AionError('invalid_argument', 'maxTimeSkips must be an integer >= 1', {
        field: 'maxTimeSkips',
      });
    const clock = new VirtualClock(startMs);
    const observed = new ObservedClock(clock);
    const { engine, ownedStore } = await openEngine(rest, observed);
    return new TestWorkflowEnvironment(
      engine,
      clock,
      new TimeSkipper(engine, clock, observed, maxJumps),
      ownedStore,
    );
  }

  /** Creates an environment on the wall clock: timers take real time, nothing skips. */
  static async createLocal(
    options: TestEnvironmentOptions = {},
  ): Promise<TestWorkflowEnvironment<RealClock>> {
    const clock = new RealClock();
    const { engine, ownedStore } = await openEngine(options, clock);
    return new TestWorkflowEnvironment(engine, clock, undefined, ownedStore);
  }

  /** Whether this environment skips time (it was made by `createTimeSkipping`). */
  get supportsTimeSkipping(): boolean {
    return this.#skipper !== undefined;
  }

  /** The engine's current time, epoch ms (virtual time in a time-skipping environment). */
  get currentTimeMs(): number {
    return this.clock.now();
  }

  /**
   * Lets `duration` pass (milliseconds or a string such as `'2 days'`). With time skipping,
   * virtual time advances at once, firing due timers in time order and letting the engine
   * process each wake-up before the next — also while activity attempts run, so their
   * timeouts can be tested. On the wall clock it simply waits.
   */
  async sleep(duration: Duration): Promise<void> {
    this.#check();
    const ms = parseDuration(duration, 'sleep duration');
    if (this.#skipper) await this.#skipper.sleep(ms);
    else await delay(ms);
  }

  /**
   * Shuts the engine down (see `Engine.shutdown`) and closes the store if it made it. Activity
   * attempts still running are cancelled at once; `timeoutMs` (default 0) gives them that long
   * to finish first, in wall-clock time also when time skips (virtual time stands still here).
   */
  async teardown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#torndown) return;
    this.#torndown = true;
    this.#skipper?.close();
    try {
      await this.engine.shutdown({ timeoutMs: options.timeoutMs ?? 0 });
    } finally {
      await this.#ownedStore?.close();
    }
  }

  #check(): void {
    if (this.#torndown) throw new AionError('invalid_state', 'the test environment is torn down');
  }
}

async function openEngine(
  options: TestEnvironmentOptions,
  clock: Clock,
): Promise<{ engine: Engine; ownedStore: Store | undefined }> {
  const { store: given, ...rest } = options;
  const store = given ?? createMemoryStore();
  try {
    const engine = await createEngine({ ...rest, store, clock });
    return { engine, ownedStore: given ? undefined : store };
  } catch (err) {
    if (!given) await store.close();
    throw err;
  }
}

/**
 * The engine's client with every wait on a workflow (`execute`, `result()`, queries,
 * updates) skipping time, as Temporal's time-skipping environment does.
 */
function skippingClient(inner: EngineClient, skipper: TimeSkipper): EngineClient {
  const skipUpdate = <T>(u: WorkflowUpdateHandle<T>): WorkflowUpdateHandle<T> => ({
    ...u,
    result: () => skipper.until(u.result()),
  });
  // A handle's methods live on its prototype (a spread copies only its ids): each is delegated.
  const wrap = <R>(handle: WorkflowHandle<R>): WorkflowHandle<R> => ({
    workflowId: handle.workflowId,
    runId: handle.runId,
    ...(handle.firstExecutionRunId !== undefined
      ? { firstExecutionRunId: handle.firstExecutionRunId }
      : {}),
    signal: (signal, ...args) => handle.signal(signal, ...args),
    signalWithRequestId: (requestId, signal, ...args) =>
      handle.signalWithRequestId(requestId, signal, ...args),
    signalWithOptions: (options, signal, ...args) =>
      handle.signalWithOptions(options, signal, ...args),
    describe: () => handle.describe(),
    fetchHistory: () => handle.fetchHistory(),
    cancel: (reason) => handle.cancel(reason),
    terminate: (reason) => handle.terminate(reason),
    pause: (reason) => handle.pause(reason),
    resume: () => handle.resume(),
    timeTravel: (options) => handle.timeTravel(options),
    result: () => skipper.until(handle.result()),
    query: (query, ...args) => skipper.until(handle.query(query, ...args)),
    executeUpdate: (update, options) => skipper.until(handle.executeUpdate(update, options)),
    startUpdate: async (update, options) =>
      skipUpdate(await skipper.until(handle.startUpdate(update, options))),
    getUpdateHandle: (updateId) => skipUpdate(handle.getUpdateHandle(updateId)),
  });
  const workflow: WorkflowClient = {
    start: async (type, options) => wrap(await inner.workflow.start(type, options)),
    signalWithStart: async (type, options) =>
      wrap(await inner.workflow.signalWithStart(type, options)),
    execute: async (type, options) => wrap(await inner.workflow.start(type, options)).result(),
    getHandle: (workflowId, runId, options) =>
      wrap(inner.workflow.getHandle(workflowId, runId, options)),
    executeUpdateWithStart: (update, options) =>
      skipper.until(inner.workflow.executeUpdateWithStart(update, options)),
    startUpdateWithStart: async <T>(
      update: Parameters<WorkflowClient['startUpdateWithStart']>[0],
      options: Parameters<WorkflowClient['startUpdateWithStart']>[1],
    ) => skipUpdate(await inner.workflow.startUpdateWithStart<T>(update, options)),
    list: (options) => inner.workflow.list(options),
    count: (options) => inner.workflow.count(options),
    countGroups: (options) => inner.workflow.countGroups(options),
  };
  return { workflow, activity: inner.activity, schedule: inner.schedule };
}
