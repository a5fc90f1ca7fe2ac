// Callers waiting for a result also look in the store now and then: a run can close by a commit
// this engine is not told of (one the store applied late, after its process died, or one made
// by another cluster node). Runs first waited on close together share one timer: a cohort takes
// runs until its first wait ends, then looks each of its runs up at growing intervals until
// none is left — one timer per burst of callers rather than one per caller, and nothing left
// behind once a run's callers have their result.
import type { RunKey } from '../../core/index.js';

/** First and longest interval between looks at a run this engine drives... */
const LOCAL = { first: 10_000, max: 120_000 } as const;
/** ...and at a run another cluster node drives (its close is not seen here). */
const REMOTE = { first: 50, max: 1_000 } as const;
/** Store look-ups of one cohort in flight at once. */
const LOOKUPS_AT_ONCE = 16;

export interface ResultRechecksDeps {
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  /** True once the engine is shutting down: no more looks. */
  readonly stopped: () => boolean;
  /** Cluster mode: true when another node drives the run. */
  readonly isElsewhere?: ((run: RunKey) => boolean) | undefined;
  /** Looks for the run's close in the store and reports it when found; never rejects. */
  readonly lookUp: (run: RunKey) => Promise<void>;
}

interface Cohort {
  readonly runs: Map<string, RunKey>;
  joinable: boolean;
}

export class ResultRechecks {
  readonly #d: ResultRechecksDeps;
  readonly #joinable = new Map<'local' | 'remote', Cohort>();
  readonly #cohortOf = new Map<string, Cohort>();

  constructor(deps: ResultRechecksDeps) {
    this.#d = deps;
  }

  /** Starts looking at `run` (key `k`) now and then, unless it is already looked at. */
  watch(k: string, run: RunKey): void {
    if (this.#cohortOf.has(k)) return;
    const kind = this.#remote(run) ? 'remote' : 'local';
    let cohort = this.#joinable.get(kind);
    if (cohort === undefined || !cohort.joinable) {
      cohort = { runs: new Map(), joinable: true };
      this.#joinable.set(kind, cohort);
      void this.#run(cohort, kind === 'remote' ? REMOTE.first : LOCAL.first);
    }
    cohort.runs.set(k, run);
    this.#cohortOf.set(k, cohort);
  }

  /** Stops looking at the run of key `k` (its callers have their result). */
  unwatch(k: string): void {
    this.#cohortOf.get(k)?.runs.delete(k);
    this.#cohortOf.delete(k);
  }

  /** Runs being looked at (for tests and stats). */
  get watched(): number {
    return this.#cohortOf.size;
  }

  #remote(run: RunKey): boolean {
    return this.#d.isElsewhere?.(run) === true;
  }

  async #run(cohort: Cohort, first: number): Promise<void> {
    for (let ms = first; ;) {
      await this.#d.delay(ms, { unref: true });
      cohort.joinable = false;
      if (this.#d.stopped() || cohort.runs.size === 0) return;
      const runs = [...cohort.runs.values()];
      for (let i = 0; i < runs.length; i += LOOKUPS_AT_ONCE) {
        await Promise.all(runs.slice(i, i + LOOKUPS_AT_ONCE).map((r) => this.#d.lookUp(r)));
        if (this.#d.stopped()) return;
      }
      const remote = [...cohort.runs.values()].some((r) => this.#remote(r));
      ms = Math.min(ms * 2, remote ? REMOTE.max : LOCAL.max);
    }
  }
}
