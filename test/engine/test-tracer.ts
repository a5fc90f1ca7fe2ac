/**
 * A minimal OpenTelemetry TracerProvider for tests: records ended spans in memory. (The
 * SDK's in-memory exporter would do the same; this keeps the tests free of SDK versions.)
 */
import { randomBytes } from 'node:crypto';
import {
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

export interface RecordedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly error: boolean;
}

export class TestTracerProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];

  getTracer(): Tracer {
    const spans = this.spans;
    const startSpan = (name: string, options: SpanOptions = {}, ctx?: Context): Span => {
      const parent = ctx ? trace.getSpanContext(ctx) : undefined;
      const sc: SpanContext = {
        traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: TraceFlags.SAMPLED,
      };
      const attributes: Record<string, unknown> = { ...options.attributes };
      let error = false;
      const span: Span = {
        spanContext: () => sc,
        setAttribute: (k, v) => ((attributes[k] = v), span),
        setAttributes: (a) => (Object.assign(attributes, a), span),
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus: (s) => ((error = s.code === SpanStatusCode.ERROR), span),
        updateName: () => span,
        end: () => {
          spans.push({
            name,
            traceId: sc.traceId,
            spanId: sc.spanId,
            parentSpanId: parent?.spanId,
            attributes,
            error,
          });
        },
        isRecording: () => true,
        recordException: () => undefined,
      };
      return span;
    };
    return {
      startSpan,
      startActiveSpan: () => {
        throw new Error('not used');
      },
    };
  }
}
