// Resident runs: the actors the scheduler keeps in memory (most recently used last), whether
// a run's instance lives in the current workflow thread, and eviction past the bound.
import type { RunKey } from '../../core/index.js';
import type { WorkflowThread } from '../../runtime/index.js';
import type { EngineMetrics } from '../metrics.js';
import { actorKey, RunActor } from '../run-actor.js';

/** The run actors in memory, as an LRU bounded by `maxResidentRuns`. */
export class ResidentRuns {
  readonly #actors = new Map<string, RunActor>();
  readonly #thread: WorkflowThread;
  readonly #metrics: EngineMetrics;
  readonly #max: number;
  #evictScheduled = false;

  constructor(thread: WorkflowThread, metrics: EngineMetrics, maxResidentRuns: number) {
    this.#thread = thread;
    this.#metrics = metrics;
    this.#max = maxResidentRuns;
  }

  get size(): number {
    return this.#actors.size;
  }

  /** True while an eviction pass is scheduled (see evictSoon). */
  get evicting(): boolean {
    return this.#evictScheduled;
  }

  /**
   * Runs an eviction pass on the next turn of the event loop, once however many ask during
   * this one (a pass walks every run in use: ADR 0019), sparing the runs `ready()` holds
   * then; then calls `done`.
   */
  evictSoon(ready: () => ReadonlySet<RunActor>, done: () => void): void {
    if (this.#evictScheduled || this.#actors.size <= this.#max) return;
    this.#evictScheduled = true;
    setImmediate(() => {
      this.#evictScheduled = false;
      this.evict(ready());
      done();
    });
  }

  /** True when the run's instance lives in the current workflow thread. */
  isResident(a: RunActor): boolean {
    return a.residentIn !== undefined && a.residentIn === this.#thread.generation;
  }

  existing(namespace: string, runId: string): RunActor | undefined {
    return this.#actors.get(actorKey(namespace, runId));
  }

  /** The run's actor (created when not in memory), marked most recently used. */
  actor(key: RunKey): RunActor {
    const k = actorKey(key.namespace, key.runId);
    let a = this.#actors.get(k);
    if (a) {
      // LRU: most recently used last.
      this.#actors.delete(k);
      this.#actors.set(k, a);
    } else {
      a = new RunActor(key);
      this.#actors.set(k, a);
    }
    return a;
  }

  /**
   * Every run in memory activates alone until one activation of it succeeds: after the
   * workflow thread ran out of memory, the run that does it again on its own is the one charged.
   */
  isolateAll(): void {
    for (const a of this.#actors.values()) a.isolate = true;
  }

  /** Every actor in memory (a snapshot). */
  all(): RunActor[] {
    return [...this.#actors.values()];
  }

  /** Drops the run's actor (it closed, was not found, or its start was refused). */
  forget(a: RunActor): void {
    this.#actors.delete(a.mapKey);
  }

  /** Drops the least recently used idle actors past the bound (and their thread instances). */
  evict(ready: ReadonlySet<RunActor>): void {
    const excess = this.#actors.size - this.#max;
    if (excess <= 0) return;
    let removed = 0;
    const evicted: string[] = [];
    for (const [k, a] of this.#actors) {
      if (removed >= excess) break;
      if (!a.idle || ready.has(a) || a.retryTimer) continue;
      this.#actors.delete(k);
      if (a.residentIn !== undefined) evicted.push(k);
      removed++;
    }
    this.#thread.evict(evicted);
    this.#metrics.residentRuns.set(this.#actors.size);
  }
}
