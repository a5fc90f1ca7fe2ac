import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, type HistoryExport } from '../../src/index.js';
import {
  DeadlockError,
  loadHistoryFile,
  NonDeterminismError,
  parseHistory,
  replayHistories,
  replayHistory,
  TestWorkflowEnvironment,
  writeHistoryFile,
} from '../../src/testing/index.js';

const original = new URL('../fixtures/testing/workflows.ts', import.meta.url).pathname;
const changed = new URL('../fixtures/testing/workflows-changed.ts', import.meta.url).pathname;
const spinning = new URL('../fixtures/testing/workflows-spinning.ts', import.meta.url).pathname;

const activities = {
  fetchGreeting: async (name: string) => `Hello, ${name}`,
  charge: async (amount: number) => `receipt-${amount}`,
};

let payment: HistoryExport;
let greeting: HistoryExport;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aion-replay-'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath: original,
    activities,
  });
  try {
    const pay = await env.client.workflow.start('payment', { workflowId: 'pay-1', args: [42] });
    expect(await pay.result()).toBe('receipt-42');
    payment = await pay.fetchHistory();
    const greet = await env.client.workflow.start('greetLater', {
      workflowId: 'greet-1',
      args: ['Ada'],
    });
    expect(await greet.result()).toBe('Hello, Ada');
    greeting = await greet.fetchHistory();
  } finally {
    await env.teardown();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('replayHistory', () => {
  it('replays a recorded history against the code that recorded it', async () => {
    expect(payment.events.map((e) => e.type)).toEqual([
      'WorkflowStarted',
      'ActivityScheduled',
      'WorkflowTaskCompleted',
      'ActivityCompleted',
      'TimerStarted',
      'WorkflowTaskCompleted',
      'TimerFired',
      'WorkflowCompleted',
    ]);
    expect(await replayHistory(payment, original)).toEqual({ activations: 3 });
    expect((await replayHistory(greeting, original)).activations).toBeGreaterThanOrEqual(4);
  });

  it('names the seq where code that starts a timer instead of an activity diverges', async () => {
    const err = await rejection(replayHistory(payment, changed));
    expect(err).toBeInstanceOf(NonDeterminismError);
    expect(err).toMatchObject({
      code: 'nondeterminism',
      seq: 2,
      expected: expect.stringContaining('ActivityScheduled(charge') as unknown,
      found: expect.stringContaining('StartTimer') as unknown,
    });
  });

  it('names the seq where code that schedules a different activity diverges', async () => {
    const scheduled = greeting.events.find((e) => e.type === 'ActivityScheduled')!;
    const err = await rejection(replayHistory(greeting, changed));
    expect(err).toMatchObject({
      code: 'nondeterminism',
      seq: scheduled.seq,
      expected: expect.stringContaining('fetchGreeting') as unknown,
      found: expect.stringContaining('ScheduleActivity(charge') as unknown,
    });
  });

  it('accepts a built package and a bare event list', async () => {
    const built = await buildPackage({ workflowsPath: original });
    expect(await replayHistory(payment.events, built, { run: payment })).toEqual({
      activations: 3,
    });
    const changedBuild = await buildPackage({ workflowsPath: changed });
    await expect(replayHistory(payment.events, changedBuild)).rejects.toMatchObject({
      code: 'nondeterminism',
      seq: 2,
    });
  });

  it('round-trips a history through a JSON file and replays it', async () => {
    const file = path.join(dir, 'payment.json');
    await writeHistoryFile(file, payment);
    const loaded = await loadHistoryFile(file);
    expect(loaded).toEqual(payment);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      format: 'aion-history',
      formatVersion: 1,
      workflowId: 'pay-1',
    });
    expect(await replayHistory(loaded, original)).toEqual({ activations: 3 });
    await expect(replayHistory(loaded, changed)).rejects.toMatchObject({ seq: 2 });
  });

  it('fails with DeadlockError when replayed code never yields, without taking the process down', async () => {
    const started = performance.now();
    const err = await rejection(replayHistory(payment, spinning, { deadlockTimeoutMs: 200 }));
    expect(err).toBeInstanceOf(DeadlockError);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The process (and the next replay) carries on.
    expect(await replayHistory(payment, original)).toEqual({ activations: 3 });
  });

  it('refuses malformed histories with invalid_history', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{"format":"something-else"}');
    await expect(loadHistoryFile(file)).rejects.toMatchObject({ code: 'invalid_history' });
    expect(() => parseHistory('not json')).toThrow(/not valid JSON/);
    expect(() => parseHistory({ ...payment, formatVersion: 2 })).toThrow(/format version 2/);
    const gap = { ...payment, events: payment.events.filter((e) => e.seq !== 3) };
    expect(() => parseHistory(gap)).toThrow(/seq/);
    await expect(replayHistory(payment.events.slice(1), original)).rejects.toMatchObject({
      code: 'invalid_history',
    });
  });
});

describe('replayHistories', () => {
  it('reports every history, passing or not, against one build', async () => {
    const results = await replayHistories([payment, greeting], changed);
    expect(results).toHaveLength(2);
    expect(results.map((r) => [r.workflowId, r.ok])).toEqual([
      ['pay-1', false],
      ['greet-1', false],
    ]);
    const ok = await replayHistories([payment, greeting], original);
    expect(ok.every((r) => r.ok)).toBe(true);
  });
});
