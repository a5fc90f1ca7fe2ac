import type { Clock, TimerHandle, VirtualClock } from '../clock/index.js';

/**
 * The engine's idle poll period: its timer and activity pollers re-arm themselves this far
 * ahead when nothing is due. Such polls are safety nets (for rows another process left) and
 * time skipping does not stop at them: a month would otherwise cost 43,200 jumps.
 */
export const ENGINE_IDLE_POLL_MS = 60_000;

interface Entry {
  readonly at: number;
  /** Virtual time when the wake-up was scheduled. */
  readonly scheduledAt: number;
}

/**
 * The clock the engine of a time-skipping environment sees: a view of a {@link VirtualClock}
 * that also keeps track of every pending wake-up, so time skipping can jump to the next one
 * that matters (a VirtualClock only tells the earliest).
 */
export class ObservedClock implements Clock {
  readonly #inner: VirtualClock;
  readonly #pending = new Set<Entry>();

  constructor(inner: VirtualClock) {
    this.#inner = inner;
  }

  now(): number {
    return this.#inner.now();
  }

  schedule(at: number, fn: () => void): TimerHandle {
    const entry: Entry = { at, scheduledAt: this.#inner.now() };
    this.#pending.add(entry);
    const handle = this.#inner.schedule(at, () => {
      this.#pending.delete(entry);
      fn();
    });
    return {
      cancel: () => {
        this.#pending.delete(entry);
        handle.cancel();
      },
    };
  }

  /**
   * Time of the earliest pending wake-up. With `skipIdlePolls`, wake-ups scheduled exactly
   * one idle poll period ahead are left out: they are the engine's safety-net polls (they
   * still fire, when time passes them on the way to the next real wake-up).
   */
  nextAt(options: { skipIdlePolls: boolean }): number | undefined {
    let min: number | undefined;
    for (const e of this.#pending) {
      if (options.skipIdlePolls && e.at - e.scheduledAt === ENGINE_IDLE_POLL_MS) continue;
      if (min === undefined || e.at < min) min = e.at;
    }
    return min;
  }
}
