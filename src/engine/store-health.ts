// Whether the store answers: every store call of the engine reports its outcome here. Drives
// readiness, the `aion_store_available` gauge, the error counter, and the log lines that say
// when the store went away and came back — once per outage, not once per attempt.
import { isTransientStoreError, storeErrorCode } from '../core/index.js';
import type { Clock } from '../clock/index.js';
import { isStoreMethod, type Store } from '../store/index.js';
import type { EngineMetrics } from './metrics.js';

/** The slice of the engine logger used here. */
interface HealthLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** A failure not repeated for this long is considered over (background retries repeat within 5 s). */
const FAILURE_MEMORY_MS = 30_000;
/** While the store stays unavailable, a reminder line at most this often. */
const REMINDER_MS = 60_000;
/** Outages that follow each other closely (a flapping connection) share one line. */
const QUIET_MS = 10_000;
/** Codes of a store that answers but cannot write (out of space). */
const FULL_CODES = new Set(['SQLITE_FULL', '53100']);
/** Operations whose success proves the store can write history again. */
const WRITES = new Set(['commit', 'append']);

/** What the engine knows about the store's health. */
export interface StoreStatus {
  /** False while a store operation keeps failing with a transient error. */
  readonly available: boolean;
  /** When the current outage began (engine clock), if the store is unavailable. */
  readonly since?: number;
  /** The last transient error (code and message), if the store is unavailable. */
  readonly lastError?: { readonly code: string; readonly message: string };
}

export class StoreHealth {
  readonly #clock: Clock;
  readonly #logger: HealthLogger;
  readonly #metrics: EngineMetrics;
  /**
   * Operations whose last outcome was a transient failure, with its time and kind: a store
   * that could not be reached is back once anything answers; a full store only once a write
   * (or that same operation) succeeds — reads keep answering while the disk is full.
   */
  readonly #failing = new Map<string, { at: number; full: boolean }>();
  #since: number | undefined;
  #lastError: { code: string; message: string } | undefined;
  #errorsInOutage = 0;
  #lastWarnAt = -Infinity;
  /** Whether the current outage was logged (then its end is logged too). */
  #announced = false;

  constructor(clock: Clock, logger: HealthLogger, metrics: EngineMetrics) {
    this.#clock = clock;
    this.#logger = logger;
    this.#metrics = metrics;
    metrics.storeAvailable.set(1);
  }

  get available(): boolean {
    this.#expire();
    return this.#failing.size === 0;
  }

  status(): StoreStatus {
    if (this.available) return { available: true };
    return {
      available: false,
      ...(this.#since !== undefined ? { since: this.#since } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** A store operation answered (a refusal such as not_found is an answer too). */
  succeeded(operation: string): void {
    if (this.#failing.size === 0) return;
    const wrote = WRITES.has(operation);
    for (const [op, f] of this.#failing) {
      if (op === operation || !f.full || wrote) this.#failing.delete(op);
    }
    this.#expire();
    if (this.#failing.size === 0) this.#recovered();
  }

  /** A store operation failed; transient failures make the store unavailable until it answers. */
  failed(operation: string, err: unknown): void {
    const code = storeErrorCode(err);
    this.#metrics.storeErrors.inc(1, { code });
    if (!isTransientStoreError(err)) {
      this.succeeded(operation);
      return;
    }
    const now = this.#clock.now();
    const wasAvailable = this.available;
    this.#failing.set(operation, { at: now, full: FULL_CODES.has(code) });
    this.#lastError = { code, message: err instanceof Error ? err.message : String(err) };
    this.#errorsInOutage++;
    if (wasAvailable) {
      this.#since = now;
      this.#metrics.storeAvailable.set(0);
    }
    if (now - this.#lastWarnAt < (this.#announced ? REMINDER_MS : QUIET_MS)) return;
    this.#lastWarnAt = now;
    const first = !this.#announced;
    this.#announced = true;
    this.#logger.warn(
      first
        ? 'store unavailable; work is retried in the background until it answers'
        : 'store still unavailable; work is retried in the background',
      {
        code,
        operation,
        error: this.#lastError.message,
        errors: this.#errorsInOutage,
        unavailableMs: now - (this.#since ?? now),
      },
    );
  }

  /** Reports every call of `store` here (the store itself is untouched). */
  observe(store: Store): Store {
    return observedStore(store, this);
  }

  #expire(): void {
    if (this.#failing.size === 0) return;
    const horizon = this.#clock.now() - FAILURE_MEMORY_MS;
    for (const [op, f] of this.#failing) if (f.at < horizon) this.#failing.delete(op);
    if (this.#failing.size === 0) this.#recovered();
  }

  #recovered(): void {
    const now = this.#clock.now();
    this.#metrics.storeAvailable.set(1);
    if (this.#announced) {
      this.#logger.info('store available again', {
        unavailableMs: now - (this.#since ?? now),
        errors: this.#errorsInOutage,
      });
    }
    this.#announced = false;
    this.#since = undefined;
    this.#lastError = undefined;
    this.#errorsInOutage = 0;
  }
}

/**
 * A view of `store` whose every I/O method (`STORE_METHODS`) reports to `health`: a call that
 * settles reports success, a call that throws reports its error. Methods run on the store
 * itself (its private state is untouched); other properties read through.
 */
function observedStore(store: Store, health: StoreHealth): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || prop === 'close' || prop === 'constructor') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        // An adapter's own methods (a SQLite backup) are no store calls of the engine.
        fn = isStoreMethod(prop) ? reporting(target, prop, method, health) : method.bind(target);
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

/** `method` of `target`, reporting each call's outcome to `health` as operation `op`. */
function reporting(
  target: Store,
  op: string,
  method: (...args: unknown[]) => unknown,
  health: StoreHealth,
): (...args: unknown[]) => unknown {
  return (...args) => {
    let result: unknown;
    try {
      result = method.apply(target, args);
    } catch (err) {
      health.failed(op, err);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (v: unknown) => {
          health.succeeded(op);
          return v;
        },
        (err: unknown) => {
          health.failed(op, err);
          throw err;
        },
      );
    }
    health.succeeded(op);
    return result;
  };
}

/**
 * Readiness: true when the engine knows of no outage and a cheap read answers within
 * `timeoutMs` (the read's outcome also feeds `health`).
 */
export async function probeStore(
  parts: { readonly store: Store; readonly health: StoreHealth; readonly namespace: string },
  timeoutMs: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  const read = parts.store.getCurrentRun(parts.namespace, '__readyz__').then(
    () => true,
    () => false,
  );
  try {
    return (await Promise.race([read, timeout])) && parts.health.available;
  } finally {
    clearTimeout(timer);
  }
}
