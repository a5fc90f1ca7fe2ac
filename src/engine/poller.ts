import type { Clock, TimerHandle } from '../clock/index.js';

/**
 * Runs a store poll at the earliest requested time, never two at once: a wake-up that
 * arrives while a poll runs makes it run again right after. The poll returns when it wants
 * to run next (undefined: only when woken); failures retry after a second.
 */
export class Poller {
  readonly #clock: Clock;
  readonly #poll: () => Promise<number | undefined>;
  #handle: TimerHandle | undefined;
  #at = Infinity;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(clock: Clock, poll: () => Promise<number | undefined>) {
    this.#clock = clock;
    this.#poll = poll;
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
      if (next !== undefined) this.wake(next);
    } catch {
      this.wake(this.#clock.now() + 1000);
    } finally {
      this.#running = false;
      if (this.#again) this.wake(this.#clock.now());
    }
  }
}
