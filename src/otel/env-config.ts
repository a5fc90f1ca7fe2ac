/**
 * Trace export settings of `aion server` from the standard OpenTelemetry environment
 * variables. Only the choices Aion makes itself are read here; the exporter and the SDK read
 * the rest (`OTEL_EXPORTER_OTLP_ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`, `…_COMPRESSION`,
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`).
 */
import { AionError } from '../core/index.js';

/** Exporters `OTEL_TRACES_EXPORTER` may name. */
export const TRACE_EXPORTERS = ['otlp', 'console'] as const;
export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];

/** OTLP protocols supported (gRPC is not: it would need a gRPC stack in the server). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export interface TracingConfig {
  /** From `OTEL_TRACES_EXPORTER` (comma-separated). */
  readonly exporters: readonly TraceExporterName[];
  /**
   * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`. Default
   * `http/protobuf`, as in the specification.
   */
  readonly protocol: OtlpProtocol;
  /** `service.name` unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` set one. */
  readonly defaultServiceName: string;
}

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

/**
 * The tracing configuration `env` asks for, or undefined when tracing is off. Off unless
 * `OTEL_TRACES_EXPORTER` names an exporter (the specification's default, `otlp`, would make
 * every server without a collector report failed exports), and off with
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. Unsupported values throw.
 *
 * @example
 * tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' });
 * // { exporters: ['otlp'], protocol: 'http/protobuf', defaultServiceName: 'aion-server' }
 */
export function tracingConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaultServiceName = 'aion-server',
): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const names = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  if (names.length === 0 || (names.length === 1 && names[0] === 'none')) return undefined;
  const exporters: TraceExporterName[] = [];
  for (const name of names) {
    if (!isOneOf(TRACE_EXPORTERS, name)) {
      throw new AionError(
        'invalid_argument',
        `OTEL_TRACES_EXPORTER: ${JSON.stringify(name)} is not supported (use ${TRACE_EXPORTERS.join(', ')} or none)`,
        { variable: 'OTEL_TRACES_EXPORTER', value: name },
      );
    }
    if (!exporters.includes(name)) exporters.push(name);
  }
  const variable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[variable] ?? '').trim() || 'http/protobuf';
  if (!isOneOf(OTLP_PROTOCOLS, protocol)) {
    throw new AionError(
      'invalid_argument',
      `${variable}: ${JSON.stringify(protocol)} is not supported (use ${OTLP_PROTOCOLS.join(' or ')})`,
      { variable, value: protocol },
    );
  }
  return { exporters, protocol, defaultServiceName };
}
