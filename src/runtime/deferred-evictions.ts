// Evictions of closed runs' instances made while the workflow thread is idle. Sent on their
// own, each would wake the thread (and its answer the engine's thread) right as a run closes:
// on a virtual machine a wake-up of a sleeping thread costs tens of microseconds on the
// sender's side, on the closing run's path to its caller. Held instead, they ride on the next
// request the thread gets (dropped before it is handled), or go alone once the thread has
// stayed idle for a while.

/** How long held evictions wait for a request to ride on before they go alone. */
export const EVICTION_HOLD_MS = 100;

export class DeferredEvictions {
  #keys: string[] = [];
  readonly #flush: (keys: string[]) => void;
  readonly #holdMs: number;
  /** One timer, re-armed (refresh) as keys are held: no timer object per closed run. */
  #timer: NodeJS.Timeout | undefined;

  /** `flush` sends keys that waited {@link EVICTION_HOLD_MS} without a request to ride on. */
  constructor(flush: (keys: string[]) => void, holdMs = EVICTION_HOLD_MS) {
    this.#flush = flush;
    this.#holdMs = holdMs;
  }

  /** Holds keys until the next request (or the hold time). */
  hold(keys: readonly string[]): void {
    if (this.#keys.length === 0) {
      if (this.#timer === undefined) {
        this.#timer = setTimeout(this.#expire, this.#holdMs);
        this.#timer.unref();
      } else {
        this.#timer.refresh();
      }
    }
    for (const k of keys) this.#keys.push(k);
  }

  /** The held keys (to send with the next request), or undefined when none are held. */
  take(): string[] | undefined {
    if (this.#keys.length === 0) return undefined;
    const keys = this.#keys;
    this.#keys = [];
    return keys;
  }

  /** Forgets the held keys: their instances went with a replaced (or closed) thread. */
  clear(): void {
    this.#keys = [];
  }

  /** The hold time passed: what is still held goes alone (a timer with nothing held is idle). */
  readonly #expire = (): void => {
    const keys = this.take();
    if (keys !== undefined) this.#flush(keys);
  };
}
