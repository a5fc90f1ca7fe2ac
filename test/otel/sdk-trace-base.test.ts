/**
 * The tracing setup of docs/observability.md, as written there, with the current
 * `@opentelemetry/sdk-trace-base` (2.x) — only the OTLP exporter is swapped for the SDK's
 * in-memory one. Aion and the SDK must share one `@opentelemetry/api`, which is why it is a
 * peer dependency: with a second copy the SDK's provider is invisible to Aion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, it } from 'vitest';
import { createEngine, OpenTelemetryInterceptors, type Engine } from '../../src/index.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let dir: string | undefined;
let engine: Engine | undefined;
let provider: BasicTracerProvider | undefined;

afterEach(async () => {
  await engine?.shutdown();
  await provider?.shutdown();
  trace.disable();
  context.disable();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('records client, activity and store commit spans in one SDK, parented as documented', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-otel-sdk-'));
  const exporter = new InMemorySpanExporter();

  // docs/observability.md, "Tracing with OpenTelemetry"
  provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const otel = OpenTelemetryInterceptors();
  engine = await createEngine({
    dataDir: dir,
    workflowsPath,
    logger: quiet,
    activities: { activeSpan: async () => trace.getActiveSpan()?.spanContext().spanId },
    interceptors: { client: [otel.client], activity: [otel.activity] },
  });

  const seenInActivity = await engine.client.workflow.execute('traced', { workflowId: 'otel-1' });
  await engine.shutdown();
  engine = undefined;
  await provider.forceFlush();

  const spans = exporter.getFinishedSpans();
  const start = spans.find((s) => s.name === 'StartWorkflow:traced');
  const attempt = spans.find((s) => s.name === 'RunActivity:activeSpan');
  expect(start, spans.map((s) => s.name).join(', ')).toBeDefined();
  expect(attempt).toBeDefined();
  expect(attempt!.spanContext().traceId).toBe(start!.spanContext().traceId);
  expect(attempt!.parentSpanContext?.spanId).toBe(start!.spanContext().spanId);
  expect(attempt!.attributes['aion.workflow_id']).toBe('otel-1');
  // the context manager makes the attempt's span the active one inside the activity
  expect(seenInActivity).toBe(attempt!.spanContext().spanId);

  const commits = spans.filter((s) => s.name === 'aion.store.commit');
  expect(commits.length).toBeGreaterThan(0);
  expect(commits.every((s) => (s.attributes['aion.commit.runs'] as number) >= 1)).toBe(true);
});
