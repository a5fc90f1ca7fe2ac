import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/activity/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';

const workflowsPath = new URL('../fixtures/workflows/lifecycle.ts', import.meta.url).pathname;

const events: string[] = [];
const activities = {
  block: async (label: string) => {
    const ctx = Context.current();
    events.push(`block:start:${label}`);
    await new Promise<void>((resolve) =>
      ctx.cancellationSignal.addEventListener('abort', () => resolve()),
    );
    events.push(`block:aborted:${label}`);
    throw ctx.cancellationSignal.reason;
  },
  cleanup: async (label: string) => {
    events.push(`cleanup:${label}`);
    return label;
  },
};

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 1000 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  events.length = 0;
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(ENGINE_HARNESSES)('lifecycle on $name', (harness) => {
  async function start(): Promise<Engine> {
    handle = await harness.create();
    engine = await createEngine({
      store: handle.store,
      workflowsPath,
      activities,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return engine;
  }

  it('cancels cooperatively: the activity is aborted, cleanup runs, the run ends CANCELLED', async () => {
    const e = await start();
    const h = await e.start('cancellable', { workflowId: 'c1' });
    await until(() => events.includes('block:start:work'));
    await h.cancel('user asked');
    await expect(h.result()).rejects.toMatchObject({
      code: 'workflow_failed',
      status: 'CANCELLED',
    });
    expect(events).toContain('block:aborted:work');
    expect(events).toContain('cleanup:after-cancel');
    const types = (await h.fetchHistory()).events.map((x) => x.type);
    expect(types).toContain('WorkflowCancelRequested');
    expect(types[types.length - 1]).toBe('WorkflowCancelled');
    await expect(h.cancel()).rejects.toMatchObject({ code: 'workflow_closed' });
  });

  it('terminates at once: no workflow code runs, the activity is aborted', async () => {
    const e = await start();
    const h = await e.start('cancellable', { workflowId: 't1' });
    await until(() => events.includes('block:start:work'));
    await h.terminate('operator');
    await expect(h.result()).rejects.toMatchObject({ status: 'TERMINATED' });
    await until(() => events.includes('block:aborted:work'));
    expect(events).not.toContain('cleanup:after-cancel');
    const history = (await h.fetchHistory()).events;
    expect(history[history.length - 1]).toMatchObject({
      type: 'WorkflowTerminated',
      reason: 'operator',
    });
    expect((await h.describe()).status).toBe('TERMINATED');
  });

  it('continues as new: one terminal per run, the chain is followed by result()', async () => {
    const e = await start();
    const h = await e.start('counter', { workflowId: 'can', args: [0, []] });
    const result = (await h.result()) as { n: number; runs: string[] };
    expect(result.n).toBe(3);
    expect(result.runs).toHaveLength(4);
    expect(new Set(result.runs).size).toBe(4);
    expect(result.runs[0]).toBe(h.runId);
    const latest = e.getHandle('can');
    expect((await latest.describe()).runId).toBe(result.runs[3]);
    for (const [i, runId] of result.runs.entries()) {
      const events = (await e.getHandle('can', runId).fetchHistory()).events;
      const last = events[events.length - 1]!;
      expect(last.type).toBe(i < 3 ? 'WorkflowContinuedAsNew' : 'WorkflowCompleted');
      const started = events[0] as { continuedFromRunId?: string; firstRunId?: string };
      expect(started.firstRunId).toBe(result.runs[0]);
      if (i > 0) expect(started.continuedFromRunId).toBe(result.runs[i - 1]);
    }
    expect(await e.count({ workflowType: 'counter' })).toBe(4);
  });

  it('pauses and resumes: signals are recorded while paused and delivered after resume', async () => {
    const e = await start();
    const h = await e.start('bumps', { workflowId: 'p1' });
    await h.pause('maintenance');
    expect((await h.describe()).status).toBe('PAUSED');
    await h.signal('bump');
    await h.signal('bump');
    await e.whenIdle();
    expect((await h.describe()).status).toBe('PAUSED');
    const history = (await h.fetchHistory()).events.map((x) => x.type);
    expect(history.filter((t) => t === 'SignalReceived')).toHaveLength(2);
    expect(history).not.toContain('WorkflowCompleted');
    await expect(h.pause()).rejects.toMatchObject({ code: 'invalid_state' });
    await h.resume();
    expect(await h.result()).toBe(2);
    await expect(h.resume()).rejects.toMatchObject({
      code: 'invalid_state',
      details: { status: 'COMPLETED' },
    });
  });

  it('applies id reuse / conflict policies and the idempotency key', async () => {
    const e = await start();
    const first = await e.start('bumps', { workflowId: 'pol', requestId: 'req-1' });
    const again = await e.start('bumps', { workflowId: 'pol', requestId: 'req-1' });
    expect(again.runId).toBe(first.runId); // a retried call
    await expect(e.start('bumps', { workflowId: 'pol' })).rejects.toMatchObject({
      code: 'workflow_already_started',
      details: { runId: first.runId },
    });
    const existing = await e.start('bumps', {
      workflowId: 'pol',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    expect(existing.runId).toBe(first.runId);
    const replacement = await e.start('bumps', {
      workflowId: 'pol',
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    });
    expect(replacement.runId).not.toBe(first.runId);
    expect((await e.getHandle('pol', first.runId).describe()).status).toBe('TERMINATED');
    await replacement.signal('bump');
    await replacement.signal('bump');
    expect(await replacement.result()).toBe(2);
    await expect(
      e.start('bumps', { workflowId: 'pol', workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    ).rejects.toMatchObject({ code: 'workflow_already_started' });
    await expect(
      e.start('bumps', { workflowId: 'pol', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }),
    ).rejects.toMatchObject({ code: 'workflow_already_started' });
    const fresh = await e.start('bumps', { workflowId: 'pol' });
    expect(fresh.runId).not.toBe(replacement.runId);
    await expect(
      e.start('bumps', { workflowIdConflictPolicy: 'SOMETIMES' as never }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('deduplicates signals by request id', async () => {
    const e = await start();
    const h = await e.start('bumps', { workflowId: 'dedupe' });
    await h.signalWithRequestId('req-a', 'bump');
    await h.signalWithRequestId('req-a', 'bump'); // a retried call
    expect(await h.query('count')).toBe(1);
    await h.signalWithRequestId('req-b', 'bump');
    expect(await h.result()).toBe(2);
    expect((await h.fetchHistory()).events.filter((x) => x.type === 'SignalReceived')).toHaveLength(
      2,
    );
  });

  it('signal-with-start starts the run with the signal first, or signals the open run', async () => {
    const e = await start();
    const h = await e.signalWithStart('bumps', { workflowId: 'sws', signal: 'bump' });
    const history = (await h.fetchHistory()).events.map((x) => x.type);
    expect(history.slice(0, 2)).toEqual(['WorkflowStarted', 'SignalReceived']);
    const again = await e.client.workflow.signalWithStart('bumps', {
      workflowId: 'sws',
      signal: 'bump',
    });
    expect(again.runId).toBe(h.runId);
    expect(await h.result()).toBe(2);
  });

  it('carries out a signal-with-start sent twice with one requestId once', async () => {
    const e = await start();
    const call = (requestId: string) =>
      e.client.workflow.signalWithStart('bumps', {
        workflowId: 'sws-r',
        signal: 'bump',
        requestId,
      });
    const h = await call('r1'); // started the run with the signal
    expect((await call('r1')).runId).toBe(h.runId); // a retried call: no second signal
    expect(await h.query('count')).toBe(1);
    await call('r2'); // signalled the open run
    await call('r2');
    expect(await h.result()).toBe(2);
    const signals = (await h.fetchHistory()).events.filter((x) => x.type === 'SignalReceived');
    expect(signals.map((x) => (x as { requestId?: string }).requestId)).toEqual(['r1', 'r2']);
    await expect(call('')).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('records continueAsNewSuggested so replay takes the same branch', async () => {
    handle = await harness.create();
    engine = await createEngine({
      store: handle.store,
      workflowsPath,
      activities,
      limits: { maxHistoryLength: 60 }, // 40 for the workflow's own events, 20 kept for its end
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const h = await engine.start('untilSuggested', { workflowId: 'sugg', args: [0] });
    expect(await h.result()).toBe(1);
    const first = await engine.getHandle('sugg', h.runId).fetchHistory();
    expect(first.events.some((x) => x.type === 'MarkerRecorded')).toBe(true);
    const { replayHistory } = await import('../../src/testing/index.js');
    await expect(replayHistory(first, workflowsPath)).resolves.toMatchObject({
      activations: expect.any(Number),
    });
  });

  it('runs updates: validated (rejection records nothing), recorded, answered; idempotent by id', async () => {
    const e = await start();
    const h = await e.start('cart', { workflowId: 'cart' });
    expect(await h.executeUpdate('addItem', { args: ['apple'] })).toBe(1);
    const before = (await h.fetchHistory()).events.length;
    await expect(h.executeUpdate('addItem', { args: [''] })).rejects.toMatchObject({
      code: 'update_rejected',
      message: expect.stringContaining('item name must not be empty'),
    });
    await expect(h.executeUpdate('nope', { args: [] })).rejects.toMatchObject({
      code: 'unknown_update',
    });
    expect((await h.fetchHistory()).events.length).toBe(before);
    expect(await h.executeUpdate('addItem', { args: ['pear'], updateId: 'u-2' })).toBe(2);
    expect(await h.executeUpdate('addItem', { args: ['pear'], updateId: 'u-2' })).toBe(2); // retried call
    await expect(h.executeUpdate('addItem', { args: ['boom'] })).rejects.toMatchObject({
      code: 'update_failed',
    });
    await h.signal('finish');
    expect(await h.result()).toEqual(['apple', 'pear', 'boom']);
    const types = (await h.fetchHistory()).events.map((x) => x.type);
    expect(types.filter((t) => t === 'UpdateAccepted')).toHaveLength(3);
    expect(types.filter((t) => t === 'UpdateCompleted')).toHaveLength(3);
    const { replayHistory } = await import('../../src/testing/index.js');
    await expect(replayHistory(await h.fetchHistory(), workflowsPath)).resolves.toBeDefined();
  });

  it('suggests continue-as-new by history size too, and validates the options', async () => {
    handle = await harness.create();
    engine = await createEngine({
      store: handle.store,
      workflowsPath,
      activities,
      continueAsNew: { historyBytes: 3000 },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const h = await engine.start('untilSuggested', { workflowId: 'sugg-size', args: [0] });
    expect(await h.result()).toBe(1);
    const first = await engine.getHandle('sugg-size', h.runId).fetchHistory();
    expect(first.events.length).toBeLessThan(60); // far below the length limit: size decided
    await expect(
      createEngine({ store: handle.store, continueAsNew: { fraction: 2 } }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('times out a run (run timeout), tearing down its timers', async () => {
    const e = await start();
    const h = await e.start('sleepsLong', { workflowId: 'to1', runTimeout: 200 });
    await expect(h.result()).rejects.toMatchObject({ status: 'TIMED_OUT' });
    const history = (await h.fetchHistory()).events;
    expect(history[history.length - 1]).toMatchObject({
      type: 'WorkflowTimedOut',
      timeoutType: 'RUN',
    });
    expect((await h.describe()).pendingTimers).toEqual([]);
  });

  it('applies package default timeouts unless the start options say otherwise', async () => {
    const e = await start();
    const byDefault = await e.start('sleepsLong', { workflowId: 'def-1' });
    await expect(byDefault.result()).rejects.toMatchObject({ status: 'TIMED_OUT' });
    const overridden = await e.start('sleepsLong', { workflowId: 'def-2', runTimeout: '1 hour' });
    const started = (await overridden.fetchHistory()).events[0] as { runTimeoutMs?: number };
    expect(started.runTimeoutMs).toBe(3_600_000);
    await overridden.terminate('done');
  });

  it('applies the execution timeout across continue-as-new', async () => {
    const e = await start();
    const h = await e.start('forever', { workflowId: 'exec', args: [0], executionTimeout: 500 });
    await expect(h.result()).rejects.toMatchObject({ status: 'TIMED_OUT' });
    const runs = await e.list({ workflowType: 'forever' });
    expect(runs.items.length).toBeGreaterThan(1);
    const current = await e.getHandle('exec').fetchHistory();
    expect(current.events[current.events.length - 1]).toMatchObject({
      type: 'WorkflowTimedOut',
      timeoutType: 'EXECUTION',
    });
  });
});
