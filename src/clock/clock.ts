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

/** Wall-clock time with Node timers (long delays are chained: Node caps one timer at ~24.8 days). */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(at: number, fn: () => void): TimerHandle {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      if (cancelled) return;
      const delay = at - Date.now();
      if (delay <= 0) {
        handle = undefined;
        fn();
        return;
      }
      handle = setTimeout(arm, Math.min(delay, 2 ** 31 - 1));
      handle.unref?.();
    };
    // Fire on a later turn even when already due, like a timer would.
    handle = setTimeout(arm, Math.max(0, Math.min(at - Date.now(), 2 ** 31 - 1)));
    handle.unref?.();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}

/** Promise that resolves at `at` on `clock`. */
export function sleepUntil(clock: Clock, at: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(at, resolve));
}
