// Whether the engine still accepts work, and the keep-alive handle that holds the process
// open while it runs (durable timers may be months away).
import { AionError } from '../core/index.js';

export class Lifecycle {
  #closed = false;
  #halted = false;
  #keepAlive: NodeJS.Timeout | undefined;

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * True once a shutdown stopped waiting for in-flight work (its drain is over): background
   * retries through a store outage give up then, not at the start of the drain.
   */
  get halted(): boolean {
    return this.#halted;
  }

  halt(): void {
    this.#halted = true;
  }

  /** Throws `invalid_state` once the engine is shut down. */
  check(): void {
    if (this.#closed) throw new AionError('invalid_state', 'the engine is shut down');
  }

  keepProcessAlive(): void {
    this.#keepAlive ??= setInterval(() => undefined, 2 ** 30);
  }

  /** Marks the engine closed; false if it already was. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    return true;
  }
}
