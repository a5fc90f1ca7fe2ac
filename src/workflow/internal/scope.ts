import { CancelledFailure, parseDuration, type Duration } from '../../core/index.js';
import { getState } from './run-state.js';

/** Minimal AsyncLocalStorage shape (the host injects Node's into the sandbox). */
interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

type AlsConstructor = new <T>() => AsyncLocalStorageLike<T>;

const AlsCtor = (globalThis as { __aionAsyncLocalStorage?: AlsConstructor })
  .__aionAsyncLocalStorage;

/** Fallback when no AsyncLocalStorage is available: scopes hold only for synchronous code. */
class SyncStorage<T> implements AsyncLocalStorageLike<T> {
  #stack: T[] = [];
  run<R>(store: T, fn: () => R): R {
    this.#stack.push(store);
    try {
      return fn();
    } finally {
      this.#stack.pop();
    }
  }
  getStore(): T | undefined {
    return this.#stack[this.#stack.length - 1];
  }
}

// Shared by every run of the package: a store only ever flows through the continuations of
// the run that set it; code entering a run without one sees that run's root scope.
const storage: AsyncLocalStorageLike<CancellationScope> = AlsCtor
  ? new AlsCtor<CancellationScope>()
  : new SyncStorage();

type Listener = (reason: string) => void;

/** The message of a scope cancelled without a reason (Temporal's). */
const SCOPE_CANCELLED = 'Cancellation scope cancelled';

/**
 * Cancellation scopes, as in Temporal: operations started inside a scope are cancelled with
 * it; a non-cancellable scope shields its operations from outer cancellation.
 */
export class CancellationScope {
  readonly cancellable: boolean;
  readonly parent: CancellationScope | undefined;
  #cancelRequested = false;
  #reason = SCOPE_CANCELLED;
  #listeners = new Set<Listener>();

  /** Without `parent`, the scope's parent is the current scope (as in Temporal). */
  constructor(options: { cancellable?: boolean; parent?: CancellationScope | undefined } = {}) {
    this.cancellable = options.cancellable ?? true;
    this.parent = 'parent' in options ? options.parent : CancellationScope.current();
    if (this.parent && this.cancellable) {
      this.parent.onCancel((reason) => this.cancel(reason));
    }
  }

  /** True when this scope (or a cancellable ancestor chain) was cancelled. */
  get consideredCancelled(): boolean {
    if (this.#cancelRequested) return true;
    return this.cancellable && (this.parent?.consideredCancelled ?? false);
  }

  get reason(): string {
    return this.#reason;
  }

  /** Registers a listener called once on cancellation; returns an unsubscribe function. */
  onCancel(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Requests cancellation of everything started in this scope. A no-op on a non-cancellable
   * scope (as in Temporal): what runs in it is shielded from cancellation, its own included.
   */
  cancel(reason = SCOPE_CANCELLED): void {
    if (this.#cancelRequested || !this.cancellable) return;
    this.#cancelRequested = true;
    this.#reason = reason;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l(reason);
  }

  /** Runs `fn` inside this scope. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return storage.run(this, fn);
  }

  /** A rejected-on-cancel promise, handy for racing. */
  get cancelRequested(): Promise<never> {
    const p = new Promise<never>((_, reject) => {
      if (this.consideredCancelled) reject(new CancelledFailure(this.#reason));
      else this.onCancel((reason) => reject(new CancelledFailure(reason)));
    });
    // Not reading it is no unhandled rejection (it would fail the workflow task), as in Temporal.
    p.catch(() => undefined);
    return p;
  }

  static current(): CancellationScope {
    return storage.getStore() ?? CancellationScope.root();
  }

  /** The run's root scope; cancelling the workflow cancels it. */
  static root(): CancellationScope {
    return getState().rootScope as CancellationScope; // the activator sets a CancellationScope
  }

  static cancellable<T>(fn: () => Promise<T>): Promise<T> {
    return new CancellationScope({ cancellable: true, parent: CancellationScope.current() }).run(
      fn,
    );
  }

  static nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return new CancellationScope({ cancellable: false, parent: CancellationScope.current() }).run(
      fn,
    );
  }

  /** Runs `fn` in a cancellable scope that is cancelled after `timeout` (a durable timer). */
  static withTimeout<T>(timeout: Duration, fn: () => Promise<T>): Promise<T> {
    const ms = parseDuration(timeout, 'scope timeout');
    const scope = new CancellationScope({ cancellable: true, parent: CancellationScope.current() });
    return scope.run(async () => {
      const timer = timerHook?.(ms, scope);
      try {
        return await fn();
      } finally {
        timer?.();
      }
    });
  }
}

/** Installed by the timer module: starts a timer that cancels `scope`; returns a disposer. */
let timerHook: ((ms: number, scope: CancellationScope) => () => void) | undefined;

export function installScopeTimer(
  hook: (ms: number, scope: CancellationScope) => () => void,
): void {
  timerHook = hook;
}
