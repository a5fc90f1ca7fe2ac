// docs/observability.md's tracing setup in an application that installed Aion and the
// current @opentelemetry/sdk-trace-base (in-memory exporter instead of OTLP); prints the
// names of the spans recorded.
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { createEngine, createMemoryStore, OpenTelemetryInterceptors } from 'aion';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
const otel = OpenTelemetryInterceptors();
const engine = await createEngine({
  store: createMemoryStore(),
  workflowsPath: new URL('./workflows.ts', import.meta.url).pathname,
  activities: { greet: async (name: unknown) => `hello ${String(name)}` },
  interceptors: { client: [otel.client], activity: [otel.activity] },
});
await engine.client.workflow.execute('hello', { workflowId: 'traced', args: ['you'] });
await engine.shutdown();
await provider.forceFlush();
console.log(JSON.stringify(exporter.getFinishedSpans().map((s) => s.name)));
await provider.shutdown();
