/**
 * OpenTelemetry tracing as interceptors. `@opentelemetry/api` is a no-op until the
 * application registers an SDK, so these cost a no-op span per call without one.
 *
 * Trace context travels in headers, recorded in history: the client span's W3C
 * `traceparent` goes under `_traceparent` (and `tracestate` under `_tracestate`) with the
 * start, signal or update; the engine copies it from the start to each `ActivityScheduled`,
 * child start and continue-as-new; each activity attempt's span is its child. So one trace
 * spans client start → activity attempts, across engine restarts.
 */
import {
  context,
  createTraceState,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context as OtelContext,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ActivityInboundCallsInterceptor } from '../activity/internal.js';
import type { WorkflowClientInterceptor } from '../core/index.js';
import {
  ENCODING_JSON,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  type Headers,
  type Payload,
} from '../core/index.js';

/** Name of the tracer Aion's spans come from. */
export const TRACER_NAME = 'aion';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function stringOf(p: Payload | undefined): string | undefined {
  if (!p) return undefined;
  try {
    const v: unknown = JSON.parse(p.data);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const jsonString = (text: string): Payload => ({
  encoding: ENCODING_JSON,
  data: JSON.stringify(text),
});

/** The context whose (remote) parent is the span in `headers`, or `base` if none. */
export function contextFromHeaders(
  headers: Headers | undefined,
  base: OtelContext = context.active(),
): OtelContext {
  const m = TRACEPARENT.exec(stringOf(headers?.[TRACEPARENT_HEADER]) ?? '');
  if (!m) return base;
  const state = stringOf(headers?.[TRACESTATE_HEADER]);
  const spanContext = {
    traceId: m[2]!,
    spanId: m[3]!,
    traceFlags: Number.parseInt(m[4]!, 16),
    isRemote: true,
    ...(state ? { traceState: createTraceState(state) } : {}),
  };
  if (!isSpanContextValid(spanContext)) return base;
  return trace.setSpanContext(base, spanContext);
}

/** `headers` plus the trace context of `span` (unchanged when the span has none). */
export function headersWithSpan(headers: Headers, span: Span): Headers {
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return headers;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const out: Record<string, Payload> = {
    ...headers,
    [TRACEPARENT_HEADER]: jsonString(`00-${sc.traceId}-${sc.spanId}-${flags}`),
  };
  const state = sc.traceState?.serialize();
  if (state) out[TRACESTATE_HEADER] = jsonString(state);
  return out;
}

/** Runs `fn` in a span that ends with its outcome (an exception marks it as an error). */
async function inSpan<T>(
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  parent: OtelContext,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    if (span.isRecording()) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    }
    throw err;
  } finally {
    span.end();
  }
}

export interface OpenTelemetryOptions {
  /** Tracer to use. Default: `trace.getTracer('aion')` (the globally registered provider). */
  readonly tracer?: Tracer;
}

/** Interceptors that trace client calls and activity attempts. */
export interface OpenTelemetryInterceptorSet {
  /** For `createEngine({ interceptors: { client: [...] } })` or `new Client({ interceptors })`. */
  readonly client: WorkflowClientInterceptor;
  /** For `createEngine({ interceptors: { activity: [...] } })` or `Worker.create({ interceptors })`. */
  readonly activity: ActivityInboundCallsInterceptor;
}

/**
 * Tracing interceptors: a CLIENT span per start (`StartWorkflow:<type>`), signal-with-start,
 * signal (`SignalWorkflow:<name>`), update and query, whose context is recorded in the
 * call's headers; a span per activity attempt (`RunActivity:<type>`) parented by the
 * recorded context. A start whose headers already carry a `_traceparent` (a remote client's,
 * seen by the server's engine) continues that trace.
 *
 * @example
 * const otel = OpenTelemetryInterceptors();
 * const engine = await createEngine({ interceptors: { client: [otel.client], activity: [otel.activity] } });
 */
export function OpenTelemetryInterceptors(
  options: OpenTelemetryOptions = {},
): OpenTelemetryInterceptorSet {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  return {
    client: {
      start: (input, next) =>
        inSpan(
          tracer,
          `StartWorkflow:${input.workflowType}`,
          SpanKind.CLIENT,
          contextFromHeaders(input.headers),
          { 'aion.workflow_type': input.workflowType },
          async (span) => {
            const out = await next({ ...input, headers: headersWithSpan(input.headers, span) });
            if (span.isRecording()) {
              span.setAttribute('aion.workflow_id', out.workflowId);
              span.setAttribute('aion.run_id', out.runId);
            }
            return out;
          },
        ),
      signalWithStart: (input, next) =>
        inSpan(
          tracer,
          `SignalWithStartWorkflow:${input.workflowType}`,
          SpanKind.CLIENT,
          contextFromHeaders(input.headers),
          { 'aion.workflow_type': input.workflowType, 'aion.signal_name': input.signalName },
          (span) => next({ ...input, headers: headersWithSpan(input.headers, span) }),
        ),
      signal: (input, next) =>
        inSpan(
          tracer,
          `SignalWorkflow:${input.signalName}`,
          SpanKind.CLIENT,
          contextFromHeaders(input.headers),
          { 'aion.workflow_id': input.workflowId },
          (span) => next({ ...input, headers: headersWithSpan(input.headers, span) }),
        ),
      update: (input, next) =>
        inSpan(
          tracer,
          `UpdateWorkflow:${input.updateName}`,
          SpanKind.CLIENT,
          contextFromHeaders(input.headers),
          { 'aion.workflow_id': input.workflowId },
          (span) => next({ ...input, headers: headersWithSpan(input.headers, span) }),
        ),
      query: (input, next) =>
        inSpan(
          tracer,
          `QueryWorkflow:${input.queryName}`,
          SpanKind.CLIENT,
          context.active(),
          { 'aion.workflow_id': input.workflowId },
          () => next(input),
        ),
    },
    activity: {
      execute: (input, next) =>
        inSpan(
          tracer,
          `RunActivity:${input.info.activityType}`,
          SpanKind.SERVER,
          contextFromHeaders(input.headers),
          {
            'aion.workflow_id': input.info.workflowId,
            'aion.run_id': input.info.runId,
            'aion.activity_id': input.info.activityId,
            'aion.attempt': input.info.attempt,
          },
          () => next(input),
        ),
    },
  };
}
