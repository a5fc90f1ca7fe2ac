import { setImmediate as nextMacrotask, setTimeout as delay } from 'node:timers/promises';
import type { VirtualClock } from '../clock/index.js';
import { AionError } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { ObservedClock } from './observed-clock.js';

/** The engine's internal task queue of local activities (served by its own executor). */
const ENGINE_LOCAL_QUEUE = '__aion_local';
/** Longest real-time pause between checks while nothing can be skipped to. */
const MAX_BLOCKED_PAUSE_MS = 50;
/** Longest real-time pause between checks while activity attempts run. */
const MAX_ACTIVITY_PAUSE_MS = 16;

/** Default of `maxTimeSkips`. */
export const DEFAULT_MAX_TIME_SKIPS = 1_000_000;

type StepResult = 'jumped' | 'flowed' | 'blocked' | 'stopped';

/**
 * Drives a {@link VirtualClock} for an engine: jumps to the next wake-up whenever the engine is
 * idle, letting it process each wake-up before the next jump. One step at a time (a mutex), so
 * `sleep` and any number of concurrent result waits never race each other's jumps.
 */
export class TimeSkipper {
  readonly #engine: Engine;
  readonly #clock: VirtualClock;
  readonly #observed: ObservedClock;
  readonly #maxJumps: number;
  #lock: Promise<void> = Promise.resolve();
  #closed = false;
  /** While attempts run, virtual time follows wall time from this anchor. */
  #anchor: { wall: number; virtual: number } | undefined;
  #activityPauseMs = 1;

  /** `observed` must be the clock the engine was given, wrapping `clock`. */
  constructor(engine: Engine, clock: VirtualClock, observed: ObservedClock, maxJumps: number) {
    this.#engine = engine;
    this.#clock = clock;
    this.#observed = observed;
    this.#maxJumps = maxJumps;
  }

  /** Stops every skipping loop (they reject with `invalid_state`). */
  close(): void {
    this.#closed = true;
  }

  /**
   * Resolves like `promise`, skipping virtual time while it is pending: whenever the engine is
   * idle and no activity attempt runs, the clock jumps to the next wake-up. While attempts
   * run, virtual time follows wall time (their own timeouts and sleeps still work).
   */
  async until<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const done = promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    let jumps = 0;
    let blockedPauseMs = 1;
    while (!settled) {
      this.#checkOpen('waiting for a workflow result');
      const step = await this.#exclusive(() =>
        this.#step({ limit: Infinity, respectActivities: true, stop: () => settled }),
      );
      if (step === 'jumped') {
        blockedPauseMs = 1;
        if (++jumps > this.#maxJumps)
          this.#tooManyJumps('the awaited workflow result did not settle');
      } else if (step === 'blocked') {
        // Nothing to skip to (the workflow waits for a signal, say): wait for the outside.
        await Promise.race([done, delay(blockedPauseMs)]);
        blockedPauseMs = Math.min(MAX_BLOCKED_PAUSE_MS, blockedPauseMs * 2);
      }
    }
    return promise;
  }

  /**
   * Advances virtual time by `ms`, firing wake-ups in time order and letting the engine
   * process each one before the next (also while activity attempts run: their timeouts fire).
   */
  async sleep(ms: number): Promise<void> {
    this.#checkOpen('sleeping');
    await this.#exclusive(async () => {
      const target = this.#clock.now() + ms;
      for (let jumps = 0; ; jumps++) {
        this.#checkOpen('sleeping');
        if (jumps >= this.#maxJumps) this.#tooManyJumps('the sleep did not reach its end');
        const step = await this.#step({
          limit: target,
          respectActivities: false,
          stop: () => false,
        });
        if (step !== 'jumped') break;
      }
      this.#clock.advanceTo(target);
      await this.#settle();
    });
  }

  /** Waits until the engine is idle, twice in a row across a macrotask (store I/O included). */
  async #settle(): Promise<void> {
    for (let stable = 0; stable < 2 && !this.#closed;) {
      await this.#engine.whenIdle();
      await nextMacrotask();
      stable = this.#engine.stats.idle ? stable + 1 : 0;
    }
  }

  async #step(options: {
    limit: number;
    respectActivities: boolean;
    stop: () => boolean;
  }): Promise<StepResult> {
    await this.#settle();
    if (options.stop() || this.#closed) return 'stopped';
    const running = this.#engine.stats.runningActivities > 0;
    if (running && options.respectActivities) {
      // Never skip while an attempt runs: let virtual time follow wall time instead.
      this.#anchor ??= { wall: performance.now(), virtual: this.#clock.now() };
      await delay(this.#activityPauseMs);
      this.#activityPauseMs = Math.min(MAX_ACTIVITY_PAUSE_MS, this.#activityPauseMs * 2);
      const now = this.#anchor.virtual + Math.floor(performance.now() - this.#anchor.wall);
      if (now > this.#clock.now()) this.#clock.advanceTo(Math.min(now, options.limit));
      return 'flowed';
    }
    this.#anchor = undefined;
    this.#activityPauseMs = 1;
    const target = await this.#nextWakeAt(running);
    if (target === undefined || target > options.limit) return 'blocked';
    this.#clock.advanceTo(target);
    return 'jumped';
  }

  /**
   * The next time something happens: the engine's next wake-up that is not an idle poll, or
   * the next durable timer or task visibility in the store (a lease expiring, say, which the
   * engine only notices by polling).
   */
  async #nextWakeAt(activitiesRunning: boolean): Promise<number | undefined> {
    const now = this.#clock.now();
    const { store, namespace, taskQueue } = this.#engine;
    const durable = await Promise.all([
      store.nextTimerAt(),
      store.nextTaskAt(namespace, taskQueue),
      store.nextTaskAt(namespace, ENGINE_LOCAL_QUEUE),
    ]);
    let target = Infinity;
    // Rows already due are being handled (or belong to nobody here): only the future counts.
    for (const at of durable) if (at !== undefined && at > now) target = Math.min(target, at);
    // While attempts run their own timeouts may look like idle polls: stop at everything.
    const next = this.#observed.nextAt({ skipIdlePolls: !activitiesRunning });
    if (next !== undefined) target = Math.min(target, next);
    return target === Infinity ? undefined : target;
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#lock;
    let release!: () => void;
    this.#lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #tooManyJumps(what: string): never {
    throw new AionError(
      'deadline_exceeded',
      `time skipping gave up after ${this.#maxJumps} jumps (virtual time ${new Date(this.#clock.now()).toISOString()}): ${what}; something keeps scheduling wake-ups (a loop around sleep?) — raise maxTimeSkips if this is intended`,
      { jumps: this.#maxJumps, virtualTime: this.#clock.now() },
    );
  }

  #checkOpen(what: string): void {
    if (this.#closed)
      throw new AionError('invalid_state', `the test environment was torn down while ${what}`, {});
  }
}
