/**
 * Trace export for `aion server`: an SDK tracer provider registered globally (so the
 * engine's `aion.store.commit` spans are exported too) with the exporters of a
 * {@link TracingConfig}. The SDK and exporter packages are optional peer dependencies,
 * imported only here and only when export is configured: a server that does not export
 * traces loads none of them, and an application keeps the OpenTelemetry versions it chose.
 */
import { trace } from '@opentelemetry/api';
import { AionError } from '../core/index.js';
import type { TracingConfig } from './env-config.js';
import { OpenTelemetryInterceptors, type OpenTelemetryInterceptorSet } from './opentelemetry.js';

/**
 * The packages (with the versions to install: the SDK 2.x line runs on every Node version
 * Aion supports) that `config` needs.
 */
export function tracingPackages(config: TracingConfig): string[] {
  const packages = ['@opentelemetry/sdk-trace-base@^2.12.1', '@opentelemetry/resources@^2.12.1'];
  if (config.exporters.includes('otlp')) {
    packages.push(
      config.protocol === 'http/json'
        ? '@opentelemetry/exporter-trace-otlp-http@^0.223.1'
        : '@opentelemetry/exporter-trace-otlp-proto@^0.223.1',
    );
  }
  return packages;
}

/** Trace export in progress. */
export interface Tracing {
  /** For the engine: `interceptors: { client: [client], activity: [activity] }`. */
  readonly interceptors: OpenTelemetryInterceptorSet;
  /** The exporters, for a start-up line: `otlp (http/protobuf)`, `console`. */
  readonly description: string;
  /** Exports the spans still queued, then stops. */
  shutdown(): Promise<void>;
}

async function load<T>(
  config: TracingConfig,
  name: string,
  importer: () => Promise<T>,
): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(name)) {
      throw new AionError(
        'invalid_argument',
        `trace export (OTEL_TRACES_EXPORTER) needs ${name}, which is not installed: npm install ${tracingPackages(config).join(' ')}`,
        { package: name },
      );
    }
    throw err;
  }
}

/**
 * Registers a global tracer provider exporting as `config` says (batched; the SDK reads
 * `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER*` and span limits, the exporters `OTEL_EXPORTER_OTLP_*`).
 */
export async function startTracing(config: TracingConfig): Promise<Tracing> {
  const sdk = await load(
    config,
    '@opentelemetry/sdk-trace-base',
    () => import('@opentelemetry/sdk-trace-base'),
  );
  const resources = await load(
    config,
    '@opentelemetry/resources',
    () => import('@opentelemetry/resources'),
  );
  const exporters = [];
  for (const name of config.exporters) {
    if (name === 'console') exporters.push(new sdk.ConsoleSpanExporter());
    else if (config.protocol === 'http/json') {
      const otlp = await load(
        config,
        '@opentelemetry/exporter-trace-otlp-http',
        () => import('@opentelemetry/exporter-trace-otlp-http'),
      );
      exporters.push(new otlp.OTLPTraceExporter());
    } else {
      const otlp = await load(
        config,
        '@opentelemetry/exporter-trace-otlp-proto',
        () => import('@opentelemetry/exporter-trace-otlp-proto'),
      );
      exporters.push(new otlp.OTLPTraceExporter());
    }
  }
  // The environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) wins over Aion's default name.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': config.defaultServiceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.BasicTracerProvider({
    resource,
    spanProcessors: exporters.map((e) => new sdk.BatchSpanProcessor(e)),
  });
  if (!trace.setGlobalTracerProvider(provider)) {
    await provider.shutdown();
    throw new AionError('invalid_state', 'a global OpenTelemetry tracer provider is already set');
  }
  return {
    interceptors: OpenTelemetryInterceptors(),
    description: config.exporters
      .map((name) => (name === 'otlp' ? `otlp (${config.protocol})` : name))
      .join(', '),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}
