// A timer cancelled in the same activation that started it records nothing (Temporal sends
// no command for it); one cancelled later records TimerStarted and TimerCancelled. Histories
// of earlier versions, which recorded both events in the first case too, still replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createMemoryStore,
  type Engine,
  type HistoryEvent,
} from '../../src/index.js';
import { replayHistory } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/cancelled-timers.ts', import.meta.url).pathname;
const TIMER_EVENTS = new Set(['TimerStarted', 'TimerFired', 'TimerCancelled']);

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
});

afterAll(() => engine.shutdown());

const timerEvents = (events: readonly HistoryEvent[]): string[] =>
  events.filter((e) => TIMER_EVENTS.has(e.type)).map((e) => e.type);

describe('timers cancelled before they leave the activation', () => {
  it('record nothing', async () => {
    const h = await engine.start('cancelTimerImmediately', { workflowId: 'timer-elided' });
    expect(await h.result()).toBe('cancelled');
    expect(timerEvents((await h.fetchHistory()).events)).toEqual([]);
  });

  it('a timer cancelled in a later activation is recorded started and cancelled', async () => {
    const h = await engine.start('cancelTimerLater', { workflowId: 'timer-cancelled-later' });
    expect(await h.result()).toBe('cancelled');
    const events = timerEvents((await h.fetchHistory()).events);
    expect(events.filter((t) => t === 'TimerCancelled')).toHaveLength(1);
    expect(events.filter((t) => t === 'TimerStarted')).toHaveLength(2);
    await replayHistory(await h.fetchHistory(), workflowsPath);
  });

  it('a history that recorded such a timer (earlier versions) still replays', async () => {
    const h = await engine.start('cancelTimerImmediately', { workflowId: 'timer-old-history' });
    await h.result();
    const history = await h.fetchHistory();
    const { events } = history;
    const at = events.findIndex((e) => e.type === 'WorkflowStarted') + 1;
    const base = events[at - 1]!;
    const old: HistoryEvent[] = [
      ...events.slice(0, at),
      { ...base, type: 'TimerStarted', seq: 0, timerId: '1', durationMs: 1000, fireAt: 0 },
      { ...base, type: 'TimerCancelled', seq: 0, timerId: '1', startedSeq: at + 1 },
      ...events.slice(at),
    ].map((e, i) => ({ ...e, seq: i + 1 }) as HistoryEvent);
    const replayed = await replayHistory({ ...history, events: old }, workflowsPath);
    expect(replayed.activations).toBeGreaterThan(0);
  });
});
