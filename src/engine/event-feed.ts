import type { HistoryEvent, RunKey } from '../core/index.js';

/** Events of one run that the store has durably committed, in seq order. */
export interface CommittedEvents {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  /** Workflow type of the run ('' only if the engine could not tell). */
  readonly workflowType: string;
  /** Contiguous: the first event's seq is one past the last one published for this run. */
  readonly events: readonly HistoryEvent[];
}

/** Called synchronously after each commit; must be cheap and must not throw (errors are logged). */
export type CommittedEventsListener = (batch: CommittedEvents) => void;

export interface EventSubscribeOptions {
  /** Only this namespace. Default: every namespace of the engine. */
  readonly namespace?: string;
  /**
   * Only this workflow id (every run of it, so a subscriber sees a continue-as-new successor).
   * Requires `namespace`. Keyed subscriptions cost nothing for commits of other workflows.
   */
  readonly workflowId?: string;
}

/** The public face of the feed: `engine.events`. */
export interface EngineEvents {
  /**
   * Observes committed history events. Delivery happens strictly after the store commit
   * succeeded (a listener never sees an event that could still be lost), per run in seq order,
   * with no gaps for as long as the listener stays subscribed. Events committed before
   * `subscribe` returns are not replayed: read them from the store (`readHistory`) after
   * subscribing and de-duplicate by seq.
   *
   * @returns a function that unsubscribes (idempotent).
   * @example
   * const off = engine.events.subscribe((b) => console.log(b.runId, b.events.map((e) => e.seq)));
   */
  subscribe(listener: CommittedEventsListener, options?: EventSubscribeOptions): () => void;
  /** Number of current subscriptions. */
  readonly listenerCount: number;
}

/**
 * Fan-out of committed events to in-process listeners (the server's WebSocket stream, tests).
 * The recorder calls {@link EventFeed.publish} after each successful store commit; when nobody
 * listens `active` is false and the recorder skips the call entirely.
 */
export class EventFeed implements EngineEvents {
  readonly #all = new Set<Entry>();
  readonly #byWorkflow = new Map<string, Set<Entry>>();
  readonly #onError: (error: unknown) => void;
  #count = 0;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get active(): boolean {
    return this.#count > 0;
  }

  get listenerCount(): number {
    return this.#count;
  }

  subscribe(listener: CommittedEventsListener, options: EventSubscribeOptions = {}): () => void {
    const { namespace, workflowId } = options;
    if (workflowId !== undefined && namespace === undefined) {
      throw new TypeError('events.subscribe: workflowId requires namespace');
    }
    const entry: Entry = { listener, namespace };
    let set = this.#all;
    if (workflowId !== undefined && namespace !== undefined) {
      const key = workflowKey(namespace, workflowId);
      let keyed = this.#byWorkflow.get(key);
      if (!keyed) this.#byWorkflow.set(key, (keyed = new Set()));
      set = keyed;
    }
    set.add(entry);
    this.#count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      set.delete(entry);
      this.#count--;
      if (set !== this.#all && set.size === 0 && namespace !== undefined && workflowId) {
        this.#byWorkflow.delete(workflowKey(namespace, workflowId));
      }
    };
  }

  /** Called by the recorder once `events` of `run` are committed. Not part of the public API. */
  publish(run: RunKey, workflowType: string | undefined, events: readonly HistoryEvent[]): void {
    if (events.length === 0) return;
    const first = events[0]!;
    const batch: CommittedEvents = {
      namespace: run.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      workflowType:
        workflowType ?? (first.type === 'WorkflowStarted' ? first.workflowType : undefined) ?? '',
      events,
    };
    const keyed = this.#byWorkflow.get(workflowKey(run.namespace, run.workflowId));
    if (keyed) for (const entry of keyed) this.#deliver(entry, batch);
    for (const entry of this.#all) {
      if (entry.namespace === undefined || entry.namespace === run.namespace) {
        this.#deliver(entry, batch);
      }
    }
  }

  #deliver(entry: Entry, batch: CommittedEvents): void {
    try {
      entry.listener(batch);
    } catch (err) {
      this.#onError(err);
    }
  }
}

interface Entry {
  readonly listener: CommittedEventsListener;
  readonly namespace: string | undefined;
}

const workflowKey = (namespace: string, workflowId: string): string =>
  `${namespace}\u0000${workflowId}`;
