// Unhandled promise rejections of workflow code, attributed to the run whose activation left
// them unhandled. V8 reports them for the whole thread and Node emits them only after the
// current task, so the thread rejects a marker promise of its own after each run's
// activation: Node emits in rejection order, and the rejections before a run's marker are
// that run's. Installed on the workflow thread only (never on the host process).
import { errorToFailure, JsonPayloadConverter, type Failure } from '../core/index.js';

const json = new JsonPayloadConverter();

/** Ends one run's share of the rejections (a run key), or a request's (`undefined`: ignored). */
class Marker extends Error {
  constructor(readonly key: string | undefined) {
    super('unhandled-rejection marker');
  }
}

/** A marker without a stack trace: one is made per activation, and capturing one costs. */
function marker(key: string | undefined): Marker {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Marker(key);
  } finally {
    Error.stackTraceLimit = limit;
  }
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

export class RejectionTracker {
  /** Rejection reasons and markers, in the order Node emitted them. */
  #seen: unknown[] = [];

  /** Listens on this thread's process (the workflow thread's own). */
  install(): void {
    process.on('unhandledRejection', (reason) => this.#seen.push(reason));
  }

  /** The rejections so far (not claimed by an earlier mark) are the run's. */
  markRun(key: string): void {
    void Promise.reject(marker(key));
  }

  /** The end of a request: rejections not claimed by a run are dropped (replays, queries). */
  markEnd(): void {
    void Promise.reject(marker(undefined));
  }

  /**
   * Once Node emitted what the marks cover (after the current task): the first unhandled
   * rejection of each run, as its task failure.
   */
  take(): Map<string, Failure> {
    const out = new Map<string, Failure>();
    let pending: unknown[] = [];
    let consumed = 0;
    this.#seen.forEach((entry, i) => {
      if (!(entry instanceof Marker)) {
        pending.push(entry);
        return;
      }
      if (entry.key !== undefined && pending.length > 0 && !out.has(entry.key)) {
        out.set(entry.key, toFailure(pending[0]));
      }
      pending = [];
      consumed = i + 1;
    });
    this.#seen = this.#seen.slice(consumed);
    return out;
  }
}
