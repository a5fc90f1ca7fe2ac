/**
 * Headers and interceptors end to end on a real engine (SQLite): client → history →
 * workflow → activity, across an engine restart; and OpenTelemetry tracing through them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/activity/index.js';
import {
  createEngine,
  OpenTelemetryInterceptors,
  type ActivityInboundCallsInterceptor,
  type Engine,
  type EngineOptions,
  type WorkflowClientInterceptor,
} from '../../src/index.js';
import { TestTracerProvider } from './test-tracer.js';

const workflowsPath = new URL('./fixtures/headers-workflows.ts', import.meta.url).pathname;
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const json = (v: unknown) => ({ encoding: 'json/plain', data: JSON.stringify(v) });

const echoHeaders = () =>
  Object.fromEntries(
    Object.entries(Context.current().info.headers).map(([k, p]) => [k, JSON.parse(p.data)]),
  );

/** Adds `tenant` to every start and signal. */
const tenant: WorkflowClientInterceptor = {
  start: (input, next) => next({ ...input, headers: { ...input.headers, tenant: json('acme') } }),
  signal: (input, next) =>
    next({ ...input, headers: { ...input.headers, tenant: json('acme-signal') } }),
};

let dir: string;
const engines: Engine[] = [];

async function engine(options: EngineOptions = {}): Promise<Engine> {
  const e = await createEngine({ dataDir: dir, workflowsPath, logger: quiet, ...options });
  engines.push(e);
  return e;
}

afterEach(async () => {
  for (const e of engines.splice(0)) await e.shutdown();
  trace.disable();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fresh(): void {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-headers-'));
}

describe('headers and interceptors', () => {
  it('carry client headers to the workflow, the history and the activity', async () => {
    fresh();
    const seen: string[][] = [];
    const activity: ActivityInboundCallsInterceptor = {
      execute: (input, next) => {
        seen.push(Object.keys(input.headers).sort());
        return next(input);
      },
    };
    const e = await engine({
      activities: { echoHeaders },
      interceptors: { client: [tenant], activity: [activity] },
    });
    const handle = await e.client.workflow.start('viaActivity', { workflowId: 'h-1' });
    const result = await handle.result();
    expect(result).toEqual({
      start: { tenant: 'acme' },
      // the workflow's outbound interceptor added `fromWorkflow`; the start's are not copied
      activity: { fromWorkflow: 'viaActivity' },
    });
    expect(seen).toEqual([['fromWorkflow']]);
    const { events } = await handle.fetchHistory();
    const started = events.find((ev) => ev.type === 'WorkflowStarted');
    const scheduled = events.find((ev) => ev.type === 'ActivityScheduled');
    expect(started && 'headers' in started && started.headers).toEqual({ tenant: json('acme') });
    expect(scheduled && 'headers' in scheduled && scheduled.headers).toEqual({
      fromWorkflow: json('viaActivity'),
    });
  });

  it('keeps activity headers across an engine restart (read from the recorded schedule)', async () => {
    fresh();
    // First engine: no activity implementations, so the task waits in the store.
    const first = await engine({ interceptors: { client: [tenant] } });
    const handle = await first.client.workflow.start('viaActivity', {
      workflowId: 'h-restart',
      headers: { direct: json(42) },
    });
    for (;;) {
      const { events } = await handle.fetchHistory();
      if (events.some((ev) => ev.type === 'ActivityScheduled')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.shutdown();
    engines.splice(engines.indexOf(first), 1);
    const second = await engine({ activities: { echoHeaders } });
    const result = await second.getHandle('h-restart').result();
    expect(result).toEqual({
      start: { direct: 42, tenant: 'acme' },
      activity: { fromWorkflow: 'viaActivity' },
    });
  });

  it('records signal headers; the workflow inbound interceptor sees them', async () => {
    fresh();
    const e = await engine({ interceptors: { client: [tenant] } });
    const handle = await e.client.workflow.start('waitForSignal', { workflowId: 'h-signal' });
    await handle.signalWithOptions({ headers: { extra: json(true) } }, 'go', 'now');
    expect(await handle.result()).toEqual({
      arg: 'now',
      headers: { extra: true, tenant: 'acme-signal' },
    });
    const { events } = await handle.fetchHistory();
    const signal = events.find((ev) => ev.type === 'SignalReceived');
    expect(signal && 'headers' in signal && Object.keys(signal.headers ?? {}).sort()).toEqual([
      'extra',
      'tenant',
    ]);
  });

  it('refuses malformed headers', async () => {
    fresh();
    const e = await engine();
    await expect(
      e.client.workflow.start('viaActivity', {
        headers: { bad: 'not a payload' } as never,
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('OpenTelemetry', () => {
  it('one trace spans the client start and the activity attempt; commits are spans', async () => {
    fresh();
    const provider = new TestTracerProvider();
    trace.setGlobalTracerProvider(provider);
    const otel = OpenTelemetryInterceptors();
    const e = await engine({
      activities: { echoHeaders },
      interceptors: { client: [otel.client], activity: [otel.activity] },
    });
    const result = (await e.client.workflow.execute('viaActivity', { workflowId: 't-1' })) as {
      activity: Record<string, unknown>;
    };
    const start = provider.spans.find((s) => s.name === 'StartWorkflow:viaActivity');
    const attempt = provider.spans.find((s) => s.name === 'RunActivity:echoHeaders');
    expect(start).toBeDefined();
    expect(attempt).toBeDefined();
    expect(attempt!.traceId).toBe(start!.traceId);
    expect(attempt!.parentSpanId).toBe(start!.spanId);
    expect(attempt!.attributes['aion.workflow_id']).toBe('t-1');
    // the engine carried the start's trace context to the activity's recorded headers
    expect(result.activity._traceparent).toBe(`00-${start!.traceId}-${start!.spanId}-01`);
    const commits = provider.spans.filter((s) => s.name === 'aion.store.commit');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.every((s) => (s.attributes['aion.commit.runs'] as number) >= 1)).toBe(true);
  });

  it('costs nothing and breaks nothing without an SDK', async () => {
    fresh();
    const otel = OpenTelemetryInterceptors();
    const e = await engine({
      activities: { echoHeaders },
      interceptors: { client: [otel.client], activity: [otel.activity] },
    });
    const result = await e.client.workflow.execute('viaActivity', { workflowId: 't-none' });
    // no SDK: no valid span context, so no trace header is recorded
    expect(result).toEqual({ start: {}, activity: { fromWorkflow: 'viaActivity' } });
  });
});
