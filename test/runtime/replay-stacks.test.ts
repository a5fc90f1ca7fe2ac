import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/index.js';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { PackageSandbox, replayHistory, type ReplayOptions } from '../../src/runtime/index.js';
import { activationsWithPendingOps } from '../../src/runtime/replay-stacks.js';

const workflowsPath = new URL('../fixtures/workflows/replay-stacks.ts', import.meta.url).pathname;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  engine = undefined;
});

async function startEngine(): Promise<Engine> {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    activities: { step: async (n: number) => n },
  });
  return engine;
}

async function recordedHistory(): Promise<{ events: readonly HistoryEvent[]; runId: string }> {
  const h = await (await startEngine()).start('stepsThenSleep', { workflowId: 'stacks-1' });
  for (;;) {
    const history = await h.fetchHistory();
    if (history.events.some((e) => e.type === 'TimerStarted')) {
      return { events: history.events, runId: history.runId };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Replays `events` of run `runId` in a fresh sandbox; the replay's activations and its `__stack_trace` lines. */
async function replayedStackTrace(
  workflowId: string,
  runId: string,
  events: readonly HistoryEvent[],
  options?: ReplayOptions,
): Promise<{ activations: number; lines: string[] }> {
  const pkg = await buildPackage({ workflowsPath });
  const sandbox = PackageSandbox.create(pkg.bundle, pkg.version);
  const run = { namespace: 'default', workflowId, runId };
  const replayed = replayHistory(sandbox, run, events, options);
  const answer = sandbox.query(replayed.run, '__stack_trace', []) as { stackTrace: string };
  return { activations: replayed.activations, lines: answer.stackTrace.split('\n') };
}

describe('replay and operation stacks', () => {
  it('marks only the activations whose operations are still pending at the end', async () => {
    const { events } = await recordedHistory();
    // Activations 0–2 start activities that complete later; activation 3 starts the timer.
    expect(activationsWithPendingOps(events).slice(0, 4)).toEqual([false, false, false, true]);
    // Cut before the first activity completed: its activation now holds a pending operation.
    const cut = events.findIndex((e) => e.type === 'ActivityCompleted');
    expect(activationsWithPendingOps(events.slice(0, cut))[0]).toBe(true);
    // Closed by a terminal event, nothing is pending any more, whatever the history holds.
    const closed = [
      ...events,
      { type: 'WorkflowTerminated', seq: events.length + 1, recordedAt: 0 } as HistoryEvent,
    ];
    expect(activationsWithPendingOps(closed).some((pending) => pending)).toBe(false);
  });

  it('a replayed run still tells where its pending timer was started', async () => {
    const { events, runId } = await recordedHistory();
    const { activations, lines } = await replayedStackTrace('stacks-1', runId, events);
    expect(activations).toBe(4);
    expect(lines[0]).toMatch(/^waiting on timer 1 /);
    expect(lines.slice(1).join('\n')).toContain('stepsThenSleep');
    // Nothing else is pending: the activities settled during the replay.
    expect(lines.filter((l) => l.startsWith('waiting on'))).toHaveLength(1);
  });

  it('a replay that only rebuilds the run captures no stacks', async () => {
    const { events, runId } = await recordedHistory();
    const { lines } = await replayedStackTrace('stacks-1', runId, events, { stacks: false });
    expect(lines[0]).toMatch(/^waiting on timer 1 /);
    expect(lines[1]).toMatch(/operation\(s\) without a stack/);
  });

  it('an engine answers __stack_trace on a live run, whose activations captured no stacks', async () => {
    await recordedHistory();
    const h = engine!.getHandle('stacks-1');
    // The answer comes from a replay of the run's history that captures them.
    const text = await h.query<string>('__stack_trace');
    expect(text).toMatch(/^waiting on timer 1 /);
    expect(text).toContain('stepsThenSleep');
  });

  it('locates a condition a live run waits on; a rebuilding replay records none', async () => {
    const h = await (await startEngine()).start('stepsThenCondition', { workflowId: 'stacks-2' });
    let text = '';
    for (let i = 0; i < 200 && !text.startsWith('waiting on condition'); i++) {
      text = await h.query<string>('__stack_trace');
      if (!text.startsWith('waiting on condition')) await new Promise((r) => setTimeout(r, 20));
    }
    const lines = text.split('\n');
    expect(lines[0]).toBe('waiting on condition');
    expect(lines[1]).toMatch(/^ {2}at /);
    expect(text).toContain('stepsThenCondition');

    const { events, runId } = await h.fetchHistory();
    const rebuilt = await replayedStackTrace('stacks-2', runId, events, { stacks: false });
    expect(rebuilt.lines[1]).toMatch(/operation\(s\) without a stack/);
  });
});
