// The engine's seams for deterministic tests and simulation: engine time and scheduled
// callbacks (Clock), fresh ids (IdSource) and host-time waits, chosen once by the assembly.
import { randomIds, RealClock, type Clock, type IdSource } from '../clock/index.js';
import type { EngineOptions } from './options.js';

export interface EngineSeams {
  /** Engine time (recorded in history, timeouts, durable timers) and scheduled callbacks. */
  readonly clock: Clock;
  /** Run ids, generated workflow ids, update ids, reset targets, the default identity. */
  readonly ids: IdSource;
  /**
   * A wait in host time where no engine time applies: polling for a continue-as-new
   * successor that is being started, the shutdown grace period.
   */
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  /** Jitter of retry and poll backoff, in [0, 1). */
  readonly random: () => number;
}

/** Waits `ms` on a Node timer (`unref`: one that does not keep the process alive). */
function hostDelay(ms: number, options?: { unref?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options?.unref) timer.unref();
  });
}

export function seamsFrom(options: EngineOptions): EngineSeams {
  return {
    clock: options.clock ?? new RealClock(),
    ids: options.ids ?? randomIds,
    delay: options.delay ?? hostDelay,
    random: options.random ?? Math.random,
  };
}
