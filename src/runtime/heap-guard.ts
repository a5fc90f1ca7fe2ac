// Inside the workflow thread: the check, after each run's activation or replay step, that
// workflow code keeps no more heap alive than its budget. V8 stops a thread at its heap cap
// cleanly only when the last allocation is small; one large allocation past the cap aborts
// the whole process. So the thread gives up well before the cap, at a budget that leaves
// room for the largest growth steps (a doubling array or map).
import v8 from 'node:v8';
import vm from 'node:vm';

/** Workflow code keeps more heap alive than the budget: the thread must be replaced. */
export class HeapBudgetExceeded extends Error {
  constructor(
    readonly liveBytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `workflow code keeps ${mib(liveBytes)} MiB alive in the workflow thread, over its budget of ${mib(budgetBytes)} MiB`,
    );
    this.name = 'HeapBudgetExceeded';
  }
}

const mib = (bytes: number): number => Math.round(bytes / (1024 * 1024));

/**
 * A full garbage collection on demand, to tell live memory from garbage. `gc` is exposed only
 * to a throwaway context created while the flag is on (the flag is off again before any
 * sandbox context exists), unless the process already exposes it.
 */
function fullGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

export class HeapGuard {
  readonly #capBytes: number;
  readonly #budgetBytes: number;
  readonly #gc: (() => void) | undefined;
  /** Heap in use (garbage included) above which the next check collects and measures. */
  #measureAbove: number;

  constructor(capBytes: number, fraction: number) {
    this.#capBytes = capBytes;
    this.#budgetBytes = capBytes * fraction;
    this.#measureAbove = this.#budgetBytes;
    this.#gc = fullGc();
  }

  /** Throws HeapBudgetExceeded when the live heap is over the budget. Cheap below it. */
  check(): void {
    if (this.#gc === undefined) return; // only V8's own cap applies
    if (v8.getHeapStatistics().used_heap_size <= this.#measureAbove) return;
    this.#gc();
    const live = v8.getHeapStatistics().used_heap_size;
    if (live > this.#budgetBytes) throw new HeapBudgetExceeded(live, this.#budgetBytes);
    // Live memory is under the budget but garbage pushed the heap up: measure again only after
    // a quarter of the remaining headroom is used, so a busy heap near the budget is not
    // collected on every activation.
    this.#measureAbove = Math.max(this.#budgetBytes, live + (this.#capBytes - live) / 4);
  }
}
