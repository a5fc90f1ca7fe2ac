import client from 'prom-client';
import type { Counter, Gauge, Histogram, Labels, Metrics } from '../engine/index.js';

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

  counter(name: string, help: string, labelNames?: readonly string[]): Counter {
    const get = this.#lazy(
      name,
      labelNames,
      (names) => new client.Counter({ name, help, labelNames: names, registers: [this.registry] }),
    );
    return { inc: (value = 1, labels) => void get(labels).inc(labels ?? {}, value) };
  }

  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge {
    const get = this.#lazy(
      name,
      labelNames,
      (names) => new client.Gauge({ name, help, labelNames: names, registers: [this.registry] }),
    );
    return { set: (value, labels) => void get(labels).set(labels ?? {}, value) };
  }

  histogram(
    name: string,
    help: string,
    buckets?: readonly number[],
    labelNames?: readonly string[],
  ): Histogram {
    const get = this.#lazy(
      name,
      labelNames,
      (names) =>
        new client.Histogram({
          name,
          help,
          labelNames: names,
          registers: [this.registry],
          ...(buckets ? { buckets: [...buckets] } : {}),
        }),
    );
    return { observe: (value, labels) => void get(labels).observe(labels ?? {}, value) };
  }

  /**
   * The metric, created now when its label names are declared (so it is exported before its
   * first sample), else on first use with the labels of that sample.
   */
  #lazy<M>(
    name: string,
    declared: readonly string[] | undefined,
    make: (labelNames: string[]) => M,
  ): (labels: Labels | undefined) => M {
    let metric: M | undefined;
    if (declared) {
      metric = (this.registry.getSingleMetric(name) as M | undefined) ?? make([...declared].sort());
    }
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
