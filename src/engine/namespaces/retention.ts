// The retention sweeper: deletes closed runs past their namespace's retention, on an interval.
import type { Clock } from '../../clock/index.js';
import type { Store } from '../../store/index.js';
import type { EngineLogger } from '../scheduler/index.js';

/** Default interval of the retention sweep. */
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
const PURGE_BATCH = 500;

/**
 * Deletes closed runs past their namespace's retention, in batches, on an interval. Any
 * engine may sweep: purging is idempotent and only touches closed runs.
 */
export class RetentionSweeper {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: EngineLogger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<number> | undefined;

  constructor(options: { store: Store; clock: Clock; logger: EngineLogger; intervalMs?: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    // Wall-clock interval (never a workflow timer: time-skipping tests must not see it);
    // the cutoff itself comes from the engine clock.
    this.#timer = setTimeout(() => {
      void this.sweep().finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One sweep over every namespace with a retention; returns how many runs were deleted. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<number> {
    let deleted = 0;
    try {
      for (const ns of await this.#store.listNamespaces()) {
        if (ns.retentionMs === null) continue;
        const closedBefore = this.#clock.now() - ns.retentionMs;
        for (;;) {
          const n = await this.#store.purgeClosedRuns({
            namespace: ns.name,
            closedBefore,
            limit: PURGE_BATCH,
          });
          deleted += n;
          if (n < PURGE_BATCH || this.#stopped) break;
        }
      }
    } catch (err) {
      this.#logger.warn('retention sweep failed; it runs again at the next interval', {
        error: String(err),
      });
    }
    return deleted;
  }
}
