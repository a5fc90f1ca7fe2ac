// The queues and activity types this engine serves in process, and the poll that claims
// their due tasks from the store (retries, and tasks left by a previous process).
import type { Clock } from '../../clock/index.js';
import type { ActivityTask, Store } from '../../store/index.js';
import { Poller } from '../poller.js';
import { DEFAULT_LEASE_MS } from './lease.js';
import { LOCAL_QUEUE } from './task-ids.js';

/** Claims due tasks of the served queues and hands each to `onClaimed`. */
export class TaskClaims {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #owner: string;
  readonly #served: Set<string>;
  /** Activity types the in-process executor implements (tasks of others wait for a worker). */
  readonly #types: ReadonlySet<string>;
  /** The namespaces whose queues the poller claims from (the engine's, plus any in use). */
  readonly #namespaces: () => Iterable<string>;
  readonly #onClaimed: (task: ActivityTask, mark: number | undefined) => void;
  readonly #mark: () => number | undefined;
  readonly #poller: Poller;

  constructor(options: {
    store: Store;
    clock: Clock;
    owner: string;
    namespaces: () => Iterable<string>;
    /** Whether an in-process executor exists (without one nothing is served here). */
    executor: boolean;
    servedQueues: readonly string[];
    servedTypes: readonly string[];
    /** The lease standing's mark, taken before each claim (see TaskLeaseGuard). */
    mark: () => number | undefined;
    onClaimed: (task: ActivityTask, mark: number | undefined) => void;
    /** Jitter of the poll's backoff while the store fails. Default `Math.random`. */
    random?: () => number;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#owner = options.owner;
    this.#namespaces = options.namespaces;
    this.#served = new Set(options.executor ? [...options.servedQueues, LOCAL_QUEUE] : []);
    this.#types = new Set(options.servedTypes);
    this.#onClaimed = options.onClaimed;
    this.#mark = options.mark;
    this.#poller = new Poller(this.#clock, () => this.#poll(), options.random);
  }

  /** True when the in-process executor runs tasks of this queue and type. */
  serves(taskQueue: string, activityType: string): boolean {
    if (!this.#served.has(taskQueue)) return false;
    // Local activities always run here (an unknown type fails as not registered).
    // An activity named `default` runs every type that has no function of its own.
    return taskQueue === LOCAL_QUEUE || this.#types.has(activityType) || this.#types.has('default');
  }

  /** Claims at `at` (or sooner if a claim is already due). */
  wake(at: number): void {
    if (this.#served.size > 0) this.#poller.wake(at);
  }

  stop(): void {
    this.#poller.stop();
  }

  async #poll(): Promise<number> {
    let next = Infinity;
    for (const namespace of this.#namespaces()) {
      next = Math.min(next, await this.#pollNamespace(namespace));
    }
    const now = this.#clock.now();
    // Tasks still visible now are of types only remote workers serve: no need to spin on them.
    if (next <= now) next = now + 1000;
    return Math.max(now + 10, Math.min(next, now + 60_000));
  }

  async #pollNamespace(namespace: string): Promise<number> {
    let next = Infinity;
    for (const queue of this.#served) {
      for (;;) {
        const now = this.#clock.now();
        const mark = this.#mark();
        const tasks = await this.#store.claimTasks({
          namespace,
          taskQueue: queue,
          owner: this.#owner,
          now,
          leaseMs: DEFAULT_LEASE_MS,
          limit: 200,
          ...(queue === LOCAL_QUEUE || this.#types.has('default')
            ? {}
            : { activityTypes: [...this.#types] }),
        });
        for (const t of tasks) this.#onClaimed(t, mark);
        if (tasks.length < 200) break;
      }
      const at = await this.#store.nextTaskAt(namespace, queue);
      if (at !== undefined) next = Math.min(next, at);
    }
    return next;
  }
}
