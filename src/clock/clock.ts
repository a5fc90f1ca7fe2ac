import { TimerQueue } from './timer-queue.js';

/** A cancellable scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The engine's source of time. Everything that replay can observe, and every timeout, reads
 * this clock — so a virtual clock can skip time in tests.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once `now() >= at`. */
  schedule(at: number, fn: () => void): TimerHandle;
}

/**
 * Wall-clock time. Scheduled callbacks wait in one queue behind a single Node timer (see
 * timer-queue.ts): an engine holds a timer per sleeping run and per running activity attempt,
 * and a Node `Timeout` with its closures cost ~0.4 KiB each.
 */
export class RealClock implements Clock {
  readonly #queue = new TimerQueue(() => Date.now());

  now(): number {
    return Date.now();
  }

  schedule(at: number, fn: () => void): TimerHandle {
    return this.#queue.add(at, fn);
  }
}

/** Promise that resolves at `at` on `clock`. */
export function sleepUntil(clock: Clock, at: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(at, resolve));
}
