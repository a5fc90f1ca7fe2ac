export {
  OpenTelemetryInterceptors,
  TRACER_NAME,
  contextFromHeaders,
  headersWithSpan,
  type OpenTelemetryInterceptorSet,
  type OpenTelemetryOptions,
} from './opentelemetry.js';
