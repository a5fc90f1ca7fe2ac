// Fencing of a crashed engine: the simulator abandons an engine without shutting it down, as
// a killed process would be. Its store wrapper fails every later call and its clock callbacks
// stop (pending ones are cancelled, new ones never fire), so nothing it still holds in memory
// can touch the world again. A crash can also be armed at a given store call: that call is
// applied (or not) and then the engine dies, mid-commit.
import { AionError } from '../src/core/index.js';
import type { Clock, TimerHandle } from '../src/clock/index.js';
import type { Store } from '../src/store/index.js';
import { FAULT_STORE_METHODS } from '../src/testing/index.js';

/** Where an armed crash lands: before the call reaches the store, or after it was applied. */
export type CrashPoint = { readonly call: number; readonly applied: boolean };

/** A store whose every method calls `inner`'s (a base for wrappers that override some). */
export function delegate(inner: Store): Store {
  const out: Record<string, unknown> = {
    kind: inner.kind,
    limits: inner.limits,
    close: () => inner.close(),
  };
  const target = inner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const method of FAULT_STORE_METHODS)
    out[method] = (...args: unknown[]) => target[method]!.apply(inner, args);
  return out as unknown as Store;
}

export class Fence {
  #dead = false;
  #calls = 0;
  readonly #handles = new Set<TimerHandle>();
  readonly #onDeath: () => void;
  #crash: CrashPoint | undefined;

  constructor(onDeath: () => void) {
    this.#onDeath = onDeath;
  }

  /** Arms a crash at the `point.call`-th store call from now. */
  arm(point: CrashPoint): void {
    this.#crash = { call: this.#calls + point.call, applied: point.applied };
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Store calls made through the fence so far. */
  get calls(): number {
    return this.#calls;
  }

  /** Kills the engine now: every later store call fails and its timers never fire. */
  kill(): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const h of this.#handles) h.cancel();
    this.#handles.clear();
    this.#onDeath();
  }

  #deadError(method: string): AionError {
    return new AionError('store_unavailable', `the engine crashed (simulated) before ${method}`, {
      operation: method,
    });
  }

  /** `store` seen through the fence. */
  store(store: Store): Store {
    const fenced = delegate(store) as unknown as Record<string, unknown>;
    const target = store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const method of FAULT_STORE_METHODS) {
      fenced[method] = async (...args: unknown[]): Promise<unknown> => {
        if (this.#dead) throw this.#deadError(method);
        const index = this.#calls++;
        const crash = this.#crash?.call === index ? this.#crash : undefined;
        if (crash && !crash.applied) {
          this.kill();
          throw this.#deadError(method);
        }
        const result = await target[method]!.apply(store, args);
        if (crash) this.kill();
        if (this.#dead) throw this.#deadError(method);
        return result;
      };
    }
    fenced.close = () => Promise.resolve();
    return fenced as unknown as Store;
  }

  /** `clock` seen through the fence. */
  clock(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      schedule: (at, fn) => {
        if (this.#dead) return { cancel: () => undefined };
        const handle = clock.schedule(at, () => {
          this.#handles.delete(handle);
          if (!this.#dead) fn();
        });
        this.#handles.add(handle);
        return {
          cancel: () => {
            this.#handles.delete(handle);
            handle.cancel();
          },
        };
      },
    };
  }
}
