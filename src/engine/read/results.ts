// Callers waiting for a workflow's result: registered per run, resolved when the scheduler
// reports the run closed, following continue-as-new and workflow retries to the successor run.
import {
  WorkflowContinuedAsNewError,
  type DataConverter,
  type HistoryEvent,
  type RunKey,
} from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { actorKey } from '../run-actor.js';
import { retryForever, type StoreRetryEnv } from '../store-retry.js';
import { decodeTerminal } from './decode-terminal.js';
import { ResultRechecks } from './result-rechecks.js';
import type { RunRef, RunResolver } from './run-resolver.js';

type Waiter = (terminal: HistoryEvent) => void;

export interface ResultWaitersDeps {
  readonly store: Store;
  readonly converter: DataConverter;
  readonly resolver: RunResolver;
  readonly lifecycle: Lifecycle;
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  readonly retry: StoreRetryEnv;
  /** Cluster mode: true when another node drives the run (its commits are not seen here). */
  readonly isElsewhere?: (run: RunKey) => boolean;
  /**
   * True when this engine drives the run and knows it open with no close in flight: its close
   * is then reported to {@link ResultWaiters.onClosed}, and the store need not be asked.
   */
  readonly knowsOpen?: (run: RunKey) => boolean;
}

export class ResultWaiters {
  readonly #d: ResultWaitersDeps;
  /** Callers per run key: one waiter as itself (the common case), more in an array. */
  readonly #waiters = new Map<string, Waiter | Waiter[]>();
  readonly #rechecks: ResultRechecks;

  constructor(deps: ResultWaitersDeps) {
    this.#d = deps;
    this.#rechecks = new ResultRechecks({
      delay: deps.delay,
      stopped: () => deps.lifecycle.closed,
      isElsewhere: deps.isElsewhere,
      lookUp: (run) =>
        this.#closedInStore(run).then(
          (terminal) => terminal && this.onClosed(run, terminal),
          () => undefined,
        ),
    });
  }

  /**
   * The workflow's result, or its failure as an error. Follows continue-as-new and workflow
   * retries to the successor run unless `followRuns` is false (then a continued-as-new run
   * throws WorkflowContinuedAsNewError and a retried failure is the failure).
   */
  result(ref: RunRef, followRuns = true): Promise<unknown> {
    const known = ref.runId !== undefined ? { ...ref, runId: ref.runId } : undefined;
    // A run this engine drives and holds open needs no look-up: it exists, and its close will
    // be reported here. Its caller waits without an async frame (a burst's callers all wait
    // until their runs close, long enough for every frame to be promoted).
    if (known && this.#d.knowsOpen?.(known))
      return this.#waitKnownOpen(known).then((terminal) =>
        this.#settled(known, terminal, followRuns),
      );
    return this.#resolveAndFollow(ref, followRuns);
  }

  async #resolveAndFollow(ref: RunRef, followRuns: boolean): Promise<unknown> {
    const info = await retryForever(this.#d.retry, () => this.#d.resolver.resolve(ref));
    return this.#follow(info, followRuns);
  }

  /** Waits for the run to close, then for each successor it names (see {@link result}). */
  async #follow(first: RunKey, followRuns: boolean): Promise<unknown> {
    let info = first;
    for (;;) {
      const k = actorKey(info.namespace, info.runId);
      const current = info;
      let waiter: Waiter | undefined;
      let terminal: HistoryEvent;
      try {
        terminal = await new Promise<HistoryEvent>((resolve, reject) => {
          waiter = resolve;
          this.#register(k, resolve);
          // Re-check after registering: the run may have closed in between (unless this engine
          // knows it open: registered synchronously, its close cannot be missed). A caller
          // waiting for a result waits through a store outage (it is not a client call with a
          // deadline).
          if (!this.#d.knowsOpen?.(current))
            this.#closedInStore(current).then((t) => t && resolve(t), reject);
          this.#rechecks.watch(k, current);
        });
      } finally {
        this.#forget(k, waiter);
      }
      const next = this.#successorOf(info, terminal, followRuns);
      if (next === undefined) return decodeTerminal(this.#d.converter, info, terminal);
      info = await this.#successor(info.namespace, info.workflowId, next);
    }
  }

  /**
   * A run this engine knows open: its close is reported to onClosed, which removes its waiters
   * (nothing else settles this promise, so nothing is left to forget).
   */
  #waitKnownOpen(run: RunKey): Promise<HistoryEvent> {
    const k = actorKey(run.namespace, run.runId);
    return new Promise<HistoryEvent>((resolve) => {
      this.#register(k, resolve);
      this.#rechecks.watch(k, run);
    });
  }

  /** What a caller gets once the run closed with `terminal`: its outcome, or its successor's. */
  #settled(info: RunKey, terminal: HistoryEvent, followRuns: boolean): unknown {
    const next = this.#successorOf(info, terminal, followRuns);
    if (next === undefined) return decodeTerminal(this.#d.converter, info, terminal);
    return this.#successor(info.namespace, info.workflowId, next).then((successor) =>
      this.#follow(successor, followRuns),
    );
  }

  /** The run to follow after `terminal`, if any (a continue-as-new not followed throws). */
  #successorOf(info: RunKey, terminal: HistoryEvent, followRuns: boolean): string | undefined {
    if (!followRuns && terminal.type === 'WorkflowContinuedAsNew')
      throw new WorkflowContinuedAsNewError(info.workflowId, info.runId, terminal.newRunId);
    if (!followRuns) return undefined;
    return terminal.type === 'WorkflowContinuedAsNew' ||
      terminal.type === 'WorkflowFailed' ||
      terminal.type === 'WorkflowCompleted'
      ? terminal.newRunId
      : undefined;
  }

  #register(k: string, resolve: Waiter): void {
    const waiters = this.#waiters.get(k);
    if (waiters === undefined) this.#waiters.set(k, resolve);
    else if (typeof waiters === 'function') this.#waiters.set(k, [waiters, resolve]);
    else waiters.push(resolve);
  }

  /** The run's terminal event when the store has it closed. */
  async #closedInStore(run: RunKey): Promise<HistoryEvent | undefined> {
    const fresh = await retryForever(this.#d.retry, () => this.#d.store.getRun(run));
    if (fresh?.closeTime === undefined) return undefined;
    return retryForever(this.#d.retry, () => this.#d.resolver.terminalOf(fresh));
  }

  /** One caller of the run of key `k` no longer waits (the others, if any, still do). */
  #forget(k: string, waiter: Waiter | undefined): void {
    const waiters = this.#waiters.get(k);
    // No entry: the run's close already let every caller go and stopped its rechecks (a
    // waiter is registered, and the run watched, only while its entry exists).
    if (waiters === undefined) return;
    if (typeof waiters === 'function') {
      if (waiters !== waiter) return;
    } else {
      const at = waiter === undefined ? -1 : waiters.indexOf(waiter);
      if (at >= 0) waiters.splice(at, 1);
      if (waiters.length > 0) return;
    }
    this.#waiters.delete(k);
    this.#rechecks.unwatch(k);
  }

  /** A run closed: every caller waiting for it gets its terminal event. */
  onClosed(run: RunKey, terminal: HistoryEvent): void {
    const k = actorKey(run.namespace, run.runId);
    const waiters = this.#waiters.get(k);
    if (waiters === undefined) return; // nobody waits, so nothing is watched either
    this.#waiters.delete(k);
    this.#rechecks.unwatch(k);
    if (typeof waiters === 'function') waiters(terminal);
    else for (const w of waiters) w(terminal);
  }

  /** The successor run of a continue-as-new, waiting briefly while it is being started. */
  async #successor(namespace: string, workflowId: string, runId: string): Promise<RunKey> {
    for (let delay = 5; ; delay = Math.min(500, delay * 2)) {
      const info = await retryForever(this.#d.retry, () =>
        this.#d.store.getRun({ namespace, workflowId, runId }),
      );
      if (info) return info;
      this.#d.lifecycle.check();
      await this.#d.delay(delay);
    }
  }
}
