import { describe, expect, it } from 'vitest';
import { isAionError } from '../core/index.js';
import { tracingConfigFromEnv } from './env-config.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isAionError(err) ? err.code : 'not an AionError';
  }
  return undefined;
};

describe('tracingConfigFromEnv', () => {
  it('is off unless an exporter is named, and with none or OTEL_SDK_DISABLED', () => {
    expect(tracingConfigFromEnv({})).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: ' ' })).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(
      tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }),
    ).toBeUndefined();
  });

  it('defaults to OTLP over HTTP/protobuf', () => {
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({
      exporters: ['otlp'],
      protocol: 'http/protobuf',
      defaultServiceName: 'aion-server',
    });
  });

  it('reads the exporter list and the trace-specific protocol first', () => {
    expect(
      tracingConfigFromEnv({
        OTEL_TRACES_EXPORTER: 'otlp, console,otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ exporters: ['otlp', 'console'], protocol: 'http/json' });
    expect(
      tracingConfigFromEnv({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ protocol: 'http/json' });
  });

  it('refuses exporters and protocols it cannot honour', () => {
    expect(codeOf(() => tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }))).toBe(
      'invalid_argument',
    );
    expect(codeOf(() => tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'none,otlp' }))).toBe(
      'invalid_argument',
    );
    expect(
      codeOf(() =>
        tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
      ),
    ).toBe('invalid_argument');
  });
});
