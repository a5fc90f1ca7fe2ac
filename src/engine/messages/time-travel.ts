// Time travel: queries answered from a run's state as of an earlier workflow-task boundary.
// Arguments are encoded and results decoded with the engine's converter, as for queries.
import {
  AionError,
  messageName,
  type DataConverter,
  type TimeTravelOptions,
  type TimeTravelQueryResult,
  type TimeTravelResult,
} from '../../core/index.js';
import { decodeResult, encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import type { RunScheduler, TimeTravelAnswer } from '../scheduler/index.js';

/** Most queries one time travel answers. */
export const MAX_TIME_TRAVEL_QUERIES = 20;

export interface TimeTravelServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly converter: DataConverter;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
}

export class TimeTravelService {
  readonly #d: TimeTravelServiceDeps;
  /**
   * Time travels take turns: a replay holds the workflow thread while it runs (about half a
   * second for 50,000 events), so live runs never wait behind more than one of them.
   */
  #turn: Promise<void> = Promise.resolve();

  constructor(deps: TimeTravelServiceDeps) {
    this.#d = deps;
  }

  async timeTravel(ref: RunRef, options: TimeTravelOptions): Promise<TimeTravelResult> {
    this.#d.lifecycle.check();
    const asked = options.queries ?? [];
    if (asked.length > MAX_TIME_TRAVEL_QUERIES) {
      throw new AionError(
        'invalid_argument',
        `a time travel answers at most ${MAX_TIME_TRAVEL_QUERIES} queries (got ${asked.length})`,
        { field: 'queries' },
      );
    }
    const queries = asked.map((q) => {
      const name = messageName(q.name);
      return {
        name,
        args: encodeArgs(this.#d.converter, q.args ?? [], `arguments of query ${name}`),
      };
    });
    const info = await this.#d.resolver.resolve(ref);
    const out = await this.#inTurn(() =>
      this.#d.scheduler.timeTravel(info, options.atSeq, queries),
    );
    return {
      atSeq: out.atSeq,
      boundarySeq: out.boundarySeq,
      stackTrace: out.stackTrace,
      queries: out.queries.map((a) => this.#decoded(a)),
      boundaries: out.boundaries,
    };
  }

  async #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const before = this.#turn;
    let done!: () => void;
    this.#turn = new Promise<void>((resolve) => (done = resolve));
    await before;
    try {
      return await work();
    } finally {
      done();
    }
  }

  #decoded(a: TimeTravelAnswer): TimeTravelQueryResult {
    if ('stackTrace' in a) return { name: a.name, ok: true, result: a.stackTrace };
    if (a.ok) return { name: a.name, ok: true, result: decodeResult(this.#d.converter, a.result) };
    return { name: a.name, ok: false, code: a.code, failure: a.failure };
  }
}
