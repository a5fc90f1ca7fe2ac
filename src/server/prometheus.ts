import client from 'prom-client';
import type { Counter, Gauge, Histogram, Labels, Metrics } from '../engine/metrics.js';

/**
 * The engine's metrics sink as a Prometheus registry (prom-client). Label names are taken
 * from the first sample of each metric; the engine always uses the same labels per metric.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new client.Registry();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false)
      client.collectDefaultMetrics({ register: this.registry, prefix: 'aion_process_' });
  }

  counter(name: string, help: string): Counter {
    const get = this.#lazy(
      name,
      (labelNames) => new client.Counter({ name, help, labelNames, registers: [this.registry] }),
    );
    return { inc: (value = 1, labels) => void get(labels).inc(labels ?? {}, value) };
  }

  gauge(name: string, help: string): Gauge {
    const get = this.#lazy(
      name,
      (labelNames) => new client.Gauge({ name, help, labelNames, registers: [this.registry] }),
    );
    return { set: (value, labels) => void get(labels).set(labels ?? {}, value) };
  }

  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    const get = this.#lazy(
      name,
      (labelNames) =>
        new client.Histogram({
          name,
          help,
          labelNames,
          registers: [this.registry],
          ...(buckets ? { buckets: [...buckets] } : {}),
        }),
    );
    return { observe: (value, labels) => void get(labels).observe(labels ?? {}, value) };
  }

  #lazy<M>(name: string, make: (labelNames: string[]) => M): (labels: Labels | undefined) => M {
    let metric: M | undefined;
    return (labels) => {
      if (!metric) {
        const existing = this.registry.getSingleMetric(name) as M | undefined;
        metric = existing ?? make(Object.keys(labels ?? {}).sort());
      }
      return metric;
    };
  }

  /** Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
