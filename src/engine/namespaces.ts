import { AionError, parseDuration, type Duration } from '../core/index.js';
import type { Clock } from '../clock/index.js';
import type { NamespaceRecord, Store } from '../store/index.js';
import type { EngineLogger } from './scheduler.js';

/** A namespace as the engine API reports it. */
export interface NamespaceInfo {
  readonly name: string;
  readonly description: string;
  /** Closed runs older than this are deleted with their history; undefined keeps them. */
  readonly retentionMs: number | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NamespaceSettings {
  readonly description?: string;
  /** `'30 days'`, milliseconds, or `null` to keep closed runs forever. */
  readonly retention?: Duration | null;
}

export function namespaceInfo(r: NamespaceRecord): NamespaceInfo {
  return {
    name: r.name,
    description: r.description,
    retentionMs: r.retentionMs ?? undefined,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
  };
}

export function retentionMsOf(retention: Duration | null | undefined): number | null | undefined {
  if (retention === undefined) return undefined;
  if (retention === null) return null;
  const ms = parseDuration(retention, 'retention');
  if (ms < 60_000) {
    throw new AionError(
      'invalid_argument',
      'retention must be at least 1 minute (or null to keep closed runs)',
      {
        field: 'retention',
      },
    );
  }
  return ms;
}

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
