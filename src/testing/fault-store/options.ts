// The options and observable state of the fault-injecting store: per-method fault rates, the
// log of injected faults and the counters. Types and option checks only.
import { AionError } from '../../core/index.js';
import type { StoreMethod } from '../../store/index.js';

/** The store methods that do I/O: the ones faults are injected into (`close` is not one). */
export type { StoreMethod };

/** How often each kind of fault hits one method's calls. Probabilities are in [0, 1]. */
export interface FaultRates {
  /** The call fails with `store_unavailable` before it reaches the inner store (nothing applied). */
  readonly before?: number;
  /**
   * The call reaches the inner store and is applied (a commit lands), then the caller gets
   * `store_unavailable` anyway: the ambiguous, in-doubt case. Calls the inner store rejects
   * keep their own error.
   */
  readonly after?: number;
  /** Added latency before the call reaches the store: a fixed delay or a uniform `[min, max]`. */
  readonly latencyMs?: number | readonly [number, number];
  /** A torn connection: the call fails and starts a burst in which the next calls fail too. */
  readonly torn?: number;
  /** Calls a torn-connection burst fails, the one that tore it included (any method). Default 3. */
  readonly tornCalls?: number;
}

export interface FaultStoreOptions {
  /** Seed of the fault decisions: the same seed and the same call sequence inject the same faults. */
  readonly seed: number;
  /** `default` applies to every method; a method's own entry overrides it field by field. */
  readonly rates?: { readonly default?: FaultRates } & {
    readonly [M in StoreMethod]?: FaultRates;
  };
  /** Waits out injected latency. Default: a real `setTimeout`; pass a virtual clock's sleep to drive it. */
  readonly delay?: (ms: number) => Promise<void>;
  /** Inject from the start (default true); see `FaultInjectingStore.enabled`. */
  readonly enabled?: boolean;
}

export type FaultKind = 'before' | 'after' | 'latency' | 'torn' | 'paused';

/** One injected fault, for reproduction: which call (0-based, in call order), which method, what. */
export interface InjectedFault {
  readonly callIndex: number;
  readonly method: StoreMethod;
  readonly kind: FaultKind;
  /** For `latency`: the delay added. */
  readonly delayMs?: number;
}

export interface FaultCounters {
  /** Calls of I/O methods made on the wrapper. */
  readonly calls: number;
  /** Calls that reached the inner store. */
  readonly reached: number;
  readonly before: number;
  readonly after: number;
  readonly latency: number;
  readonly torn: number;
  readonly paused: number;
}

export function checkRates(where: string, rates: FaultRates): void {
  for (const key of ['before', 'after', 'torn'] as const) {
    const p = rates[key];
    if (p !== undefined && !(p >= 0 && p <= 1)) {
      throw new AionError(
        'invalid_argument',
        `fault rate ${where}.${key} must be in [0, 1], got ${p}`,
      );
    }
  }
  const l = rates.latencyMs;
  const [min, max] = typeof l === 'number' ? [l, l] : (l ?? [0, 0]);
  if (!(min >= 0 && max >= min)) {
    throw new AionError(
      'invalid_argument',
      `${where}.latencyMs must be a delay >= 0 or a [min, max] range with 0 <= min <= max`,
    );
  }
  const n = rates.tornCalls;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) {
    throw new AionError('invalid_argument', `${where}.tornCalls must be an integer >= 1, got ${n}`);
  }
}
