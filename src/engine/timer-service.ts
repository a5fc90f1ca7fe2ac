import type { Clock, TimerHandle } from '../clock/index.js';
import { Poller } from './poller.js';
import type { Store, TimerRow } from '../store/index.js';

const key = (ns: string, runId: string, timerId: string): string =>
  `${ns}\u0000${runId}\u0000${timerId}`;

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
  readonly #memory = new Map<string, { row: TimerRow; handle: TimerHandle }>();
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
    return this.#memory.size;
  }

  /** Arms an in-memory wake-up for a timer that was just committed. */
  add(row: TimerRow): void {
    if (this.#stopped) return;
    const k = key(row.namespace, row.runId, row.timerId);
    this.#memory.get(k)?.handle.cancel();
    const handle = this.#clock.schedule(row.fireAt, () => {
      this.#memory.delete(k);
      this.#onFire(row);
    });
    this.#memory.set(k, { row, handle });
  }

  remove(namespace: string, runId: string, timerId: string): void {
    const k = key(namespace, runId, timerId);
    this.#memory.get(k)?.handle.cancel();
    this.#memory.delete(k);
  }

  /** Drops every in-memory timer of a run (it closed). */
  removeRun(namespace: string, runId: string): void {
    const prefix = `${namespace}\u0000${runId}\u0000`;
    for (const [k, v] of this.#memory) {
      if (k.startsWith(prefix)) {
        v.handle.cancel();
        this.#memory.delete(k);
      }
    }
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
    for (const v of this.#memory.values()) v.handle.cancel();
    this.#memory.clear();
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
        if (this.#memory.has(key(row.namespace, row.runId, row.timerId))) continue; // fires from memory
        this.#onFire(row);
      }
      if (due.length < 500) break;
    }
    const next = await this.#store.nextTimerAt(this.#shards?.());
    return Math.min(next ?? Infinity, this.#clock.now() + this.#idlePollMs);
  }
}
