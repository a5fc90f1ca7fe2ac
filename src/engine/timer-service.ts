import type { Clock, TimerHandle } from '../clock/index.js';
import { Poller } from './poller.js';
import type { Store, TimerRow } from '../store/index.js';

const runKey = (ns: string, runId: string): string => `${ns}\u0000${runId}`;

/**
 * An armed timer. A run's armed timers form a list from its entry in the service's map: a run
 * has one or a few, and a map per run cost ~0.4 KiB of each of 10,000 sleeping runs.
 */
interface Armed {
  readonly row: TimerRow;
  handle: TimerHandle | undefined;
  next: Armed | undefined;
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
  /** Each run's armed timers (a closing run drops its own, not a scan of all). */
  readonly #memory = new Map<string, Armed>();
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
    this.#unlink(rk, row.timerId)?.handle?.cancel(); // re-armed: replaces the earlier one
    const armed: Armed = { row, handle: undefined, next: this.#memory.get(rk) };
    this.#memory.set(rk, armed);
    this.#size++;
    armed.handle = this.#clock.schedule(row.fireAt, () => {
      // Fires only while armed (a removed, replaced or dropped timer's handle was cancelled).
      if (this.#unlink(rk, row.timerId, armed)) this.#onFire(row);
    });
  }

  remove(namespace: string, runId: string, timerId: string): void {
    this.#unlink(runKey(namespace, runId), timerId)?.handle?.cancel();
  }

  /** Drops every in-memory timer of a run (it closed). */
  removeRun(namespace: string, runId: string): void {
    const rk = runKey(namespace, runId);
    for (let a = this.#memory.get(rk); a !== undefined; a = a.next) {
      a.handle?.cancel();
      this.#size--;
    }
    this.#memory.delete(rk);
  }

  /**
   * Takes the run's armed timer `timerId` out of its list (a run arms one timer per id), and
   * returns it; with `only`, only if it is that very entry (a fire).
   */
  #unlink(rk: string, timerId: string, only?: Armed): Armed | undefined {
    let prev: Armed | undefined;
    for (let a = this.#memory.get(rk); a !== undefined; prev = a, a = a.next) {
      if (a.row.timerId !== timerId) continue;
      if (only !== undefined && a !== only) return undefined;
      if (prev !== undefined) prev.next = a.next;
      else if (a.next !== undefined) this.#memory.set(rk, a.next);
      else this.#memory.delete(rk);
      this.#size--;
      return a;
    }
    return undefined;
  }

  #armed(row: TimerRow): boolean {
    for (let a = this.#memory.get(runKey(row.namespace, row.runId)); a; a = a.next) {
      if (a.row.timerId === row.timerId) return true;
    }
    return false;
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
    for (const head of this.#memory.values()) {
      for (let a: Armed | undefined = head; a !== undefined; a = a.next) a.handle?.cancel();
    }
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
