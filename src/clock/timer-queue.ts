/** Node caps one timer's delay at 2^31 − 1 ms (~24.8 days): longer waits are re-armed. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A scheduled callback: its own handle (cancel), and its place in the queue's heap. */
export class QueuedTimer {
  /** Index in the heap; −1 once fired or cancelled. */
  index = -1;
  constructor(
    readonly at: number,
    readonly seq: number,
    public fn: (() => void) | undefined,
    readonly queue: TimerQueue,
  ) {}

  cancel(): void {
    if (this.index >= 0) this.queue.remove(this);
    this.fn = undefined;
  }
}

/** Whether `a` is due before `b` (same instant: scheduled first, as Node timers fire). */
const before = (a: QueuedTimer, b: QueuedTimer): boolean =>
  a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * Callbacks due at epoch-millisecond instants, in a binary heap behind one unref'd Node timer
 * armed for the earliest. A callback fires on a later turn than the one that scheduled it,
 * even when already due (as `setTimeout` does); an instant that the wall clock has not reached
 * when the timer wakes (the clock was set back) is waited for again. A callback that throws
 * does not stop the others due with it: its error is thrown on the next tick, where an
 * uncaught timer error would have surfaced.
 */
export class TimerQueue {
  readonly #now: () => number;
  readonly #heap: QueuedTimer[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  /**
   * When the Node timer wakes, on the monotonic clock (Infinity: not armed): a wall-clock
   * instant would go stale when the wall clock is set.
   */
  #wakeAt = Infinity;
  #firing = false;

  constructor(now: () => number) {
    this.#now = now;
  }

  get size(): number {
    return this.#heap.length;
  }

  add(at: number, fn: () => void): QueuedTimer {
    const e = new QueuedTimer(at, this.#seq++, fn, this);
    const heap = this.#heap;
    e.index = heap.length;
    heap.push(e);
    this.#up(e.index);
    if (!this.#firing && performance.now() + (at - this.#now()) < this.#wakeAt) this.#arm();
    return e;
  }

  remove(e: QueuedTimer): void {
    const heap = this.#heap;
    const i = e.index;
    e.index = -1;
    const last = heap.pop()!;
    if (last !== e) {
      heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    // A timer armed for an earlier head stays: it wakes, finds nothing due, and re-arms.
    if (heap.length === 0) this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    const head = this.#heap[0];
    if (head === undefined) return;
    const delay = Math.max(0, Math.min(head.at - this.#now(), MAX_DELAY_MS));
    this.#wakeAt = performance.now() + delay;
    this.#timer = setTimeout(() => this.#fire(), delay);
    this.#timer.unref?.();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#wakeAt = Infinity;
    const now = this.#now();
    // Only what was scheduled before this wake fires now: a callback's own schedules wait for
    // a later turn.
    const last = this.#seq;
    const heap = this.#heap;
    this.#firing = true;
    try {
      while (heap.length > 0 && heap[0]!.at <= now && heap[0]!.seq < last) {
        const e = heap[0]!;
        this.remove(e);
        const fn = e.fn;
        e.fn = undefined;
        try {
          fn?.();
        } catch (err) {
          process.nextTick(() => {
            throw err;
          });
        }
      }
    } finally {
      this.#firing = false;
    }
    this.#arm();
  }

  #up(i: number): void {
    const heap = this.#heap;
    const e = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(e, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = e;
    e.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const e = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!before(child, e)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = e;
    e.index = i;
  }
}
