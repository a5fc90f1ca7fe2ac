import os from 'node:os';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** One benchmark result line. Every line carries the machine note. */
export interface BenchRecord {
  readonly suite: string;
  readonly name: string;
  readonly [key: string]: unknown;
}

export const MACHINE_NOTE =
  'shared, noisy machine: compare ratios measured in the same run, not absolute figures across runs';

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    note: MACHINE_NOTE,
  };
}

export type Emit = (record: BenchRecord) => void;

/** Every record emitted in this process, with its JSON line (for the summary and --save). */
export const emitted: { record: BenchRecord; line: string }[] = [];

export function emitJsonLine(record: BenchRecord): void {
  const line = JSON.stringify({ ...record, machine: machine(), at: new Date().toISOString() });
  emitted.push({ record, line });
  process.stdout.write(`${line}\n`);
}

// Percentiles and rounding as `aion bench` computes them (one definition for both).
export { percentile, round } from '../src/cli/bench/scenarios.js';

/** High-resolution milliseconds. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Time this thread spent in garbage collection while it ran (PerformanceObserver 'gc'), and
 * how much of it went to young-generation collections (scavenges), how many.
 */
export class GcMeter {
  #ms = 0;
  #youngMs = 0;
  #youngCount = 0;
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.#ms += e.duration;
        const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
          this.#youngMs += e.duration;
          this.#youngCount++;
        }
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Young-generation collections so far: their count and milliseconds on this thread. */
  get young(): { readonly count: number; readonly ms: number } {
    return { count: this.#youngCount, ms: this.#youngMs };
  }

  stop(): number {
    this.#observer.disconnect();
    return this.#ms;
  }
}
