import type { Clock, TimerHandle } from './clock.js';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to (`advance`, `advanceTo`, `runToNext`). Timers due at
 * the new time fire in (time, creation) order. Used by the test environment to skip time.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #entries: Entry[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(at: number, fn: () => void): TimerHandle {
    const entry: Entry = { at, seq: this.#seq++, fn, cancelled: false };
    this.#entries.push(entry);
    this.#entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (at <= this.#now) queueMicrotask(() => this.#fireDue());
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Time of the next pending timer, if any. */
  nextAt(): number | undefined {
    this.#entries = this.#entries.filter((e) => !e.cancelled);
    return this.#entries[0]?.at;
  }

  advanceTo(at: number): void {
    if (at > this.#now) this.#now = at;
    this.#fireDue();
  }

  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Jumps to the next timer and fires it; false when none is pending. */
  runToNext(): boolean {
    const next = this.nextAt();
    if (next === undefined) return false;
    this.advanceTo(next);
    return true;
  }

  #fireDue(): void {
    while (this.#entries.length > 0 && this.#entries[0]!.at <= this.#now) {
      const entry = this.#entries.shift()!;
      if (!entry.cancelled) entry.fn();
    }
  }
}
