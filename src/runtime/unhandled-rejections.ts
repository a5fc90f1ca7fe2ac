// Unhandled promise rejections of workflow code, attributed to the run whose activation left
// them unhandled. V8 reports them for the whole thread and Node emits them only after the
// current task, so the thread rejects a marker promise of its own after each run's
// activation: Node emits in rejection order, and the rejections before a run's marker are
// that run's. Installed on the workflow thread only (never on the host process).
import { errorToFailure, JsonPayloadConverter, type Failure } from '../core/index.js';

const json = new JsonPayloadConverter();

/**
 * Ends one run's share of the rejections (a run key), or a request's (`undefined`: ignored).
 * Not an `Error`: one is made per activation, and an error object cost ~1 µs more to make,
 * even without its stack trace. Node reports a rejection reason of any kind.
 */
class Marker {
  constructor(readonly key: string | undefined) {}
}

/** Thrown value of a workflow's unhandled rejection, recorded as the task's failure. */
export class UnhandledRejectionError extends Error {
  constructor(reason: unknown) {
    super(`Unhandled Promise rejection: ${describe(reason)}`, { cause: reason });
    this.name = 'UnhandledRejectionError';
  }
}

/** Temporal's `${err}`: `Name: message` for an error, the value as text otherwise. */
function describe(reason: unknown): string {
  try {
    if (typeof reason === 'object' && reason !== null && 'message' in reason) {
      const { name, message } = reason as { name?: unknown; message?: unknown };
      return `${typeof name === 'string' ? name : 'Error'}: ${String(message)}`;
    }
    return String(reason);
  } catch {
    return 'unprintable value';
  }
}

function toFailure(reason: unknown): Failure {
  try {
    return errorToFailure(new UnhandledRejectionError(reason), (v) => json.toPayload(v));
  } catch {
    // A reason whose properties throw when read: the message alone.
    return {
      type: 'UnhandledRejectionError',
      message: 'Unhandled Promise rejection: unprintable value',
      retryable: true,
    };
  }
}

/** What most requests' {@link RejectionTracker.take} returns. */
const NO_FAILURES: ReadonlyMap<string, Failure> = new Map();

export class RejectionTracker {
  /** Rejection reasons and markers, in the order Node emitted them. */
  #seen: unknown[] = [];

  /** Listens on this thread's process (the workflow thread's own). */
  install(): void {
    process.on('unhandledRejection', (reason) => this.#seen.push(reason));
  }

  /** The rejections so far (not claimed by an earlier mark) are the run's. */
  markRun(key: string): void {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a marker, see Marker
    void Promise.reject(new Marker(key));
  }

  /** The end of a request: rejections not claimed by a run are dropped (replays, queries). */
  markEnd(): void {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a marker, see Marker
    void Promise.reject(new Marker(undefined));
  }

  /**
   * Once Node emitted what the marks cover (after the current task): the first unhandled
   * rejection of each run, as its task failure. Most requests have none: one pass over the
   * markers, nothing allocated.
   */
  take(): ReadonlyMap<string, Failure> {
    const seen = this.#seen;
    let out: Map<string, Failure> | undefined;
    let first = -1; // the first rejection since the last marker
    let consumed = 0;
    for (let i = 0; i < seen.length; i++) {
      const entry = seen[i];
      if (!(entry instanceof Marker)) {
        if (first < 0) first = i;
        continue;
      }
      if (entry.key !== undefined && first >= 0 && !out?.has(entry.key)) {
        out ??= new Map();
        out.set(entry.key, toFailure(seen[first]));
      }
      first = -1;
      consumed = i + 1;
    }
    this.#seen = seen.slice(consumed);
    return out ?? NO_FAILURES;
  }
}
