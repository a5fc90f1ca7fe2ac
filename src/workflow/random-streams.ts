// Named deterministic random streams, as `@temporalio/workflow` has them: each is seeded from
// the run's seed and its name, so drawing from one never shifts `Math.random()` or another
// stream, and replay draws the same values.
import { getState, type RunState } from './internal/run-state.js';
import { seededRandom, uuidFrom } from './internal/random.js';

/** A deterministic pseudo-random stream of the current run. */
export interface WorkflowRandomStream {
  /** The next number in [0, 1) of this stream. */
  random(): number;
  /** A version-4 UUID drawn from this stream. */
  uuid4(): string;
  /** `bytes` filled from this stream (and returned). */
  fill(bytes: Uint8Array): Uint8Array;
  /**
   * Runs `fn` with `Math.random()`, `random()` and `uuid4()` drawing from this stream. The
   * override covers the synchronous part of `fn`: code after its first `await` draws from the
   * run's default stream again.
   */
  with<T>(fn: () => T): T;
}

abstract class Stream implements WorkflowRandomStream {
  protected abstract source(s: RunState): () => number;

  random(): number {
    return this.source(getState())();
  }

  uuid4(): string {
    return uuidFrom(this.source(getState()));
  }

  fill(bytes: Uint8Array): Uint8Array {
    const next = this.source(getState());
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
    return bytes;
  }

  with<T>(fn: () => T): T {
    const s = getState();
    const previous = s.randomOverride;
    s.randomOverride = this.source(s);
    try {
      return fn();
    } finally {
      s.randomOverride = previous;
    }
  }
}

class NamedStream extends Stream {
  readonly #name: string;

  constructor(name: string) {
    super();
    this.#name = name;
  }

  protected source(s: RunState): () => number {
    let next = s.randomStreams.get(this.#name);
    if (next === undefined) {
      next = seededRandom(`${s.info.randomSeed}\u0000${this.#name}`);
      s.randomStreams.set(this.#name, next);
    }
    return next;
  }
}

class DefaultStream extends Stream {
  protected source(s: RunState): () => number {
    return s.random;
  }
}

/**
 * The run's default stream (the one `Math.random()` draws from), as an object: useful inside
 * another stream's `with` to reach the default one.
 */
export const workflowRandom: WorkflowRandomStream = new DefaultStream();

/**
 * The named stream `name` of the current run: the same logical stream on every call with the
 * same name, across activations and on replay. Throws outside workflow code.
 */
export function getRandomStream(name: string): WorkflowRandomStream {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('getRandomStream(name): name must be a non-empty string');
  }
  getState(); // outside workflow code: IllegalStateError now, not at the first draw
  return new NamedStream(name);
}
