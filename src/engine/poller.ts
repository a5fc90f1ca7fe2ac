import type { Clock, TimerHandle } from '../clock/index.js';
import { backoffDelay, STORE_RETRY_BACKOFF } from '../core/index.js';

/**
 * Runs a store poll at the earliest requested time, never two at once: a wake-up that
 * arrives while a poll runs makes it run again right after. The poll returns when it wants
 * to run next (undefined: only when woken); failures (the store is away) retry with capped,
 * jittered backoff — 100 ms doubling up to 5 s — until a poll succeeds.
 */
export class Poller {
  readonly #clock: Clock;
  readonly #poll: () => Promise<number | undefined>;
  #handle: TimerHandle | undefined;
  #at = Infinity;
  #running = false;
  #again = false;
  #stopped = false;
  #failures = 0;
  readonly #random: () => number;

  constructor(
    clock: Clock,
    poll: () => Promise<number | undefined>,
    random: () => number = Math.random,
  ) {
    this.#clock = clock;
    this.#poll = poll;
    this.#random = random;
  }

  /** Asks for a poll at `at` (or earlier if one is already due sooner). */
  wake(at: number): void {
    if (this.#stopped || at >= this.#at) return;
    this.#handle?.cancel();
    this.#at = at;
    this.#handle = this.#clock.schedule(at, () => {
      this.#at = Infinity;
      void this.#run();
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#handle?.cancel();
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#again = false;
    try {
      const next = await this.#poll();
      this.#failures = 0;
      if (next !== undefined) this.wake(next);
    } catch {
      const wait = backoffDelay(++this.#failures, STORE_RETRY_BACKOFF, this.#random);
      this.wake(this.#clock.now() + wait);
    } finally {
      this.#running = false;
      // After a failure the backoff wake-up stands: a wake-up meanwhile does not hasten it.
      if (this.#again && this.#failures === 0) this.wake(this.#clock.now());
    }
  }
}
