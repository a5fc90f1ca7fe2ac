// The fault-injecting store: wraps any `Store` and, driven by a seeded generator, fails calls
// before they reach it, fails them after they were applied (the in-doubt case), delays them,
// tears the connection for a burst of calls, or fails everything while paused (an outage).
import { AionError } from '../../core/index.js';
import { STORE_METHODS, type Store } from '../../store/index.js';
import {
  checkRates,
  type FaultCounters,
  type FaultKind,
  type FaultRates,
  type FaultStoreOptions,
  type InjectedFault,
  type StoreMethod,
} from './options.js';
import { seededRandom } from './prng.js';

/** The store methods faults are injected into, in contract order: every I/O method of `Store`. */
export const FAULT_STORE_METHODS: readonly StoreMethod[] = STORE_METHODS;

const DEFAULT_TORN_CALLS = 3;

/** A `Store` that injects faults into its inner store's calls, with the controls to steer them. */
export interface FaultInjectingStore extends Store {
  /** The wrapped store (calls on it bypass the faults). */
  readonly inner: Store;
  /**
   * Random faults on (default) or off. Off, calls pass straight through (turning it off ends
   * a torn-connection burst under way), except while paused or after a `tear()`. The seeded
   * draws go on either way, so call `n` always gets the same dice.
   */
  enabled: boolean;
  /** True between `pause()` and `resume()`. */
  readonly paused: boolean;
  /** An outage: every call fails with `store_unavailable` until `resume()`. */
  pause(): void;
  resume(): void;
  /** Tears the connection now: the next `calls` calls (any method) fail. */
  tear(calls: number): void;
  /** The faults injected so far, in call order. */
  readonly faults: readonly InjectedFault[];
  readonly counters: FaultCounters;
}

type Counts = { -readonly [K in keyof FaultCounters]: FaultCounters[K] };
type AnyMethod = (...args: unknown[]) => Promise<unknown>;

class FaultInjector {
  readonly inner: Store;
  readonly #random: () => number;
  readonly #rates: Map<StoreMethod, FaultRates>;
  readonly #delay: (ms: number) => Promise<void>;
  readonly #log: InjectedFault[] = [];
  readonly #counts: Counts = {
    calls: 0,
    reached: 0,
    before: 0,
    after: 0,
    latency: 0,
    torn: 0,
    paused: 0,
  };
  #enabled: boolean;
  #paused = false;
  #burst = 0;

  constructor(inner: Store, options: FaultStoreOptions) {
    this.inner = inner;
    this.#random = seededRandom(options.seed);
    this.#delay = options.delay ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#enabled = options.enabled ?? true;
    const rates = options.rates ?? {};
    const fallback = rates.default ?? {};
    checkRates('rates.default', fallback);
    this.#rates = new Map();
    for (const method of FAULT_STORE_METHODS) {
      const own = rates[method];
      if (own !== undefined) checkRates(`rates.${method}`, own);
      this.#rates.set(method, { ...fallback, ...own });
    }
    const target = inner as unknown as Record<StoreMethod, AnyMethod>;
    for (const method of FAULT_STORE_METHODS) {
      const call: AnyMethod = (...args) =>
        this.#call(method, () => target[method].apply(inner, args));
      (this as unknown as Record<StoreMethod, AnyMethod>)[method] = call;
    }
  }

  get kind(): string {
    return this.inner.kind;
  }
  get limits(): Store['limits'] {
    return this.inner.limits;
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  get enabled(): boolean {
    return this.#enabled;
  }
  set enabled(on: boolean) {
    this.#enabled = on;
    if (!on) this.#burst = 0;
  }
  get paused(): boolean {
    return this.#paused;
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
  }
  tear(calls: number): void {
    this.#burst = Math.max(0, Math.floor(calls));
  }
  get faults(): readonly InjectedFault[] {
    // Stable: within one call, latency comes before the failure after it.
    return [...this.#log].sort((a, b) => a.callIndex - b.callIndex);
  }
  get counters(): FaultCounters {
    return { ...this.#counts };
  }

  #call(method: StoreMethod, invoke: () => Promise<unknown>): Promise<unknown> {
    const index = this.#counts.calls++;
    // Four draws per call, whatever happens: call n's decisions depend on the seed and n only.
    const [tornDraw, beforeDraw, latencyDraw, afterDraw] = [1, 2, 3, 4].map(() => this.#random());
    const rates = this.#rates.get(method) ?? {};
    const on = this.#enabled;
    if (this.#paused) return Promise.reject(this.#fault(index, method, 'paused'));
    if (this.#burst > 0) {
      this.#burst--;
      return Promise.reject(this.#fault(index, method, 'torn'));
    }
    if (on && tornDraw! < (rates.torn ?? 0)) {
      this.#burst = (rates.tornCalls ?? DEFAULT_TORN_CALLS) - 1;
      return Promise.reject(this.#fault(index, method, 'torn'));
    }
    if (on && beforeDraw! < (rates.before ?? 0)) {
      return Promise.reject(this.#fault(index, method, 'before'));
    }
    const delayMs = on ? latencyOf(rates, latencyDraw!) : 0;
    const after = on && afterDraw! < (rates.after ?? 0);
    return this.#reach(index, method, invoke, delayMs, after);
  }

  async #reach(
    index: number,
    method: StoreMethod,
    invoke: () => Promise<unknown>,
    delayMs: number,
    after: boolean,
  ): Promise<unknown> {
    if (delayMs > 0) {
      this.#counts.latency++;
      this.#log.push({ callIndex: index, method, kind: 'latency', delayMs });
      await this.#delay(delayMs);
      // The outage began while the call was on its way: it never reaches the store.
      if (this.#paused) throw this.#fault(index, method, 'paused');
    }
    this.#counts.reached++;
    const result = await invoke();
    if (after) throw this.#fault(index, method, 'after');
    return result;
  }

  #fault(index: number, method: StoreMethod, kind: Exclude<FaultKind, 'latency'>): AionError {
    this.#counts[kind]++;
    this.#log.push({ callIndex: index, method, kind });
    const what =
      kind === 'after'
        ? 'the connection was lost after the store received the call; it may have been applied'
        : kind === 'paused'
          ? 'the store is down (paused)'
          : kind === 'torn'
            ? 'the connection was torn; nothing was written'
            : 'the store could not be reached; nothing was written';
    return new AionError(
      'store_unavailable',
      `injected fault during ${method} (call #${index}): ${what}`,
      { operation: method, injected: kind, callIndex: index },
    );
  }
}

function latencyOf(rates: FaultRates, draw: number): number {
  const l = rates.latencyMs;
  if (l === undefined) return 0;
  if (typeof l === 'number') return l;
  const [min, max] = l;
  return Math.round(min + (max - min) * draw);
}

/**
 * Wraps `inner` in a store that injects faults into its I/O calls, at per-method rates, from a
 * seeded generator: the same seed and the same call sequence inject the same faults. Injected
 * failures are retryable `store_unavailable` errors, like a real adapter's when the database
 * is unreachable. `kind`, `limits` and `close()` pass through untouched.
 */
export function createFaultInjectingStore(
  inner: Store,
  options: FaultStoreOptions,
): FaultInjectingStore {
  return new FaultInjector(inner, options) as unknown as FaultInjectingStore;
}
