import type { Metrics } from '../../src/index.js';

/**
 * Metrics that sum counter samples by name and labels, e.g.
 * `aion_workflow_thread_restarts_total{"reason":"memory"}`; gauges and histograms are dropped.
 */
export function countingMetrics(): { metrics: Metrics; counted: Map<string, number> } {
  const counted = new Map<string, number>();
  const metrics: Metrics = {
    counter: (name) => ({
      inc: (value = 1, labels = {}) => {
        const key = `${name}${JSON.stringify(labels)}`;
        counted.set(key, (counted.get(key) ?? 0) + value);
      },
    }),
    gauge: () => ({ set: () => undefined }),
    histogram: () => ({ observe: () => undefined }),
  };
  return { metrics, counted };
}
