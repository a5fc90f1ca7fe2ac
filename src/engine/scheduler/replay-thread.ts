// A workflow thread of its own for replays that answer reads — queries on closed runs and
// time travel. A long history replayed there never holds up live runs' activations, and a
// replay that overruns the deadlock timeout (or the heap cap) restarts only this thread, not
// the one every live run is resident in. Started on first use, closed after a quiet minute.
import { WorkflowThread } from '../../runtime/index.js';

const IDLE_CLOSE_MS = 60_000;

export interface ReplayThreadOptions {
  readonly deadlockTimeoutMs: number;
  readonly heapLimitMb: number;
  /** The deterministic simulator's inline runtime (no thread). */
  readonly inline: boolean;
  /** Closes the thread after this long without a replay. Default 60 s. */
  readonly idleCloseMs?: number;
}

export class ReplayThread {
  readonly #options: ReplayThreadOptions;
  #thread: WorkflowThread | undefined;
  #users = 0;
  #idle: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ReplayThreadOptions) {
    this.#options = options;
  }

  /** Runs `fn` on the thread with package `version` (whose bundle is `bundle`) loaded. */
  async use<T>(
    version: string,
    bundle: () => string,
    fn: (thread: WorkflowThread) => Promise<T>,
  ): Promise<T> {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = undefined;
    this.#users++;
    try {
      const thread = (this.#thread ??= this.#spawn());
      if (!thread.hasPackage(version)) await thread.loadPackage(version, bundle());
      return await fn(thread);
    } finally {
      if (--this.#users === 0 && !this.#closed) {
        this.#idle = setTimeout(
          () => void this.#retire(),
          this.#options.idleCloseMs ?? IDLE_CLOSE_MS,
        );
        this.#idle.unref();
      }
    }
  }

  /** Stops the thread (engine shutdown); replays in flight fail. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    await this.#retire();
  }

  #spawn(): WorkflowThread {
    if (this.#closed) throw new Error('the replay thread is closed');
    const { deadlockTimeoutMs, heapLimitMb, inline } = this.#options;
    return new WorkflowThread({ deadlockTimeoutMs, heapLimitMb, inline, onRestart: () => {} });
  }

  async #retire(): Promise<void> {
    const thread = this.#thread;
    if (thread === undefined || this.#users > 0) return;
    this.#thread = undefined;
    await thread.close();
  }
}
