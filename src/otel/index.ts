export {
  OpenTelemetryInterceptors,
  TRACER_NAME,
  contextFromHeaders,
  headersWithSpan,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from './opentelemetry.js';
export {
  OTLP_PROTOCOLS,
  TRACE_EXPORTERS,
  tracingConfigFromEnv,
  type OtlpProtocol,
  type TraceExporterName,
  type TracingConfig,
} from './env-config.js';
export { startTracing, tracingPackages, type Tracing } from './start-tracing.js';
