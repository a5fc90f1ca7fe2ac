import type { Clock, TimerHandle } from '../clock/index.js';
import { Poller } from './poller.js';
import type { Store, TimerRow } from '../store/index.js';

const runKey = (ns: string, runId: string): string => `${ns}\u0000${runId}`;

interface Armed {
  readonly row: TimerRow;
  readonly handle: TimerHandle;
}

/**
 * Durable timers. Timers created by this engine are also kept in memory for exact wake-ups;
 * the store poller catches every other due row (timers of a previous process, or that came
 * due while the engine was down). Whether a fired timer is still live is decided by the
 * handler against history, so a double fire is harmless.
 */
export class TimerService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #onFire: (timer: TimerRow) => void;
  /** Armed timers per run, then per timer id (a closing run drops its own, not a scan of all). */
  readonly #memory = new Map<string, Map<string, Armed>>();
  #size = 0;
  readonly #poller: Poller;
  #stopped = false;
  readonly #idlePollMs: number;
  readonly #shards: (() => readonly number[] | undefined) | undefined;

  constructor(options: {
    store: Store;
    clock: Clock;
    owner: string;
    onFire: (timer: TimerRow) => void;
    idlePollMs?: number;
    /** Jitter of the poll's backoff while the store fails. Default `Math.random`. */
    random?: () => number;
    /** Cluster mode: only timers of the shards this node drives are claimed. */
    shards?: () => readonly number[] | undefined;
  }) {
    this.#shards = options.shards;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#owner = options.owner;
    this.#onFire = options.onFire;
    this.#idlePollMs = options.idlePollMs ?? 60_000;
    this.#poller = new Poller(this.#clock, () => this.#poll(), options.random);
  }

  get size(): number {
    return this.#size;
  }

  /** Arms an in-memory wake-up for a timer that was just committed. */
  add(row: TimerRow): void {
    if (this.#stopped) return;
    const rk = runKey(row.namespace, row.runId);
    let timers = this.#memory.get(rk);
    if (timers === undefined) this.#memory.set(rk, (timers = new Map<string, Armed>()));
    const previous = timers.get(row.timerId);
    if (previous) {
      previous.handle.cancel();
      this.#size--;
    }
    const runTimers = timers;
    const handle = this.#clock.schedule(row.fireAt, () => {
      if (runTimers.get(row.timerId)?.row === row) this.#forgetIn(runTimers, rk, row.timerId);
      this.#onFire(row);
    });
    timers.set(row.timerId, { row, handle });
    this.#size++;
  }

  remove(namespace: string, runId: string, timerId: string): void {
    const rk = runKey(namespace, runId);
    this.#memory.get(rk)?.get(timerId)?.handle.cancel();
    this.#forget(rk, timerId);
  }

  /** Drops every in-memory timer of a run (it closed). */
  removeRun(namespace: string, runId: string): void {
    const rk = runKey(namespace, runId);
    const timers = this.#memory.get(rk);
    if (timers === undefined) return;
    for (const t of timers.values()) t.handle.cancel();
    this.#size -= timers.size;
    timers.clear(); // a fire holds this map: it must not find the run's timers in it
    this.#memory.delete(rk);
  }

  #forget(rk: string, timerId: string): void {
    const timers = this.#memory.get(rk);
    if (timers !== undefined) this.#forgetIn(timers, rk, timerId);
  }

  /**
   * Drops a timer from its run's map (a fire holds the map it was armed in and checks that it
   * still holds that very timer, so the run's entry is not looked up again).
   */
  #forgetIn(timers: Map<string, Armed>, rk: string, timerId: string): void {
    if (!timers.delete(timerId)) return;
    this.#size--;
    if (timers.size === 0) this.#memory.delete(rk);
  }

  #armed(row: TimerRow): boolean {
    return this.#memory.get(runKey(row.namespace, row.runId))?.has(row.timerId) === true;
  }

  start(): void {
    this.#poller.wake(this.#clock.now());
  }

  /** Polls the store now: timers may have been committed that were not armed in memory. */
  wake(): void {
    if (!this.#stopped) this.#poller.wake(this.#clock.now());
  }

  stop(): void {
    this.#stopped = true;
    this.#poller.stop();
    for (const timers of this.#memory.values()) for (const t of timers.values()) t.handle.cancel();
    this.#memory.clear();
    this.#size = 0;
  }

  async #poll(): Promise<number> {
    for (;;) {
      const now = this.#clock.now();
      const shards = this.#shards?.();
      const due = await this.#store.claimDueTimers({
        owner: this.#owner,
        now,
        leaseMs: 30_000,
        limit: 500,
        ...(shards ? { shards } : {}),
      });
      for (const row of due) {
        if (this.#armed(row)) continue; // fires from memory
        this.#onFire(row);
      }
      if (due.length < 500) break;
    }
    const next = await this.#store.nextTimerAt(this.#shards?.());
    return Math.min(next ?? Infinity, this.#clock.now() + this.#idlePollMs);
  }
}
