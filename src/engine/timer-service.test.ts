import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/index.js';
import type { TimerRow } from '../store/index.js';
import { createMemoryStore } from '../store/memory/index.js';
import { TimerService } from './timer-service.js';

const row = (runId: string, timerId: string, fireAt: number): TimerRow => ({
  namespace: 'default',
  workflowId: `wf-${runId}`,
  runId,
  timerId,
  fireAt,
  kind: 'user',
});

/** A timer service on a memory store and a virtual clock, telling `onFire` each fire. */
const service = (clock: VirtualClock, onFire: (t: TimerRow) => void): TimerService =>
  new TimerService({ store: createMemoryStore(), clock, owner: 'test', onFire });

describe('TimerService (in-memory wake-ups)', () => {
  it('fires armed timers when due and drops a closed run’s timers only', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    const timers = service(clock, (t) => fired.push(`${t.runId}/${t.timerId}`));
    timers.add(row('a', 't1', 2_000));
    timers.add(row('a', 't2', 3_000));
    timers.add(row('b', 't1', 2_000));
    timers.add(row('b', 't1', 2_500)); // re-armed: replaces the first
    timers.add(row('c', 't1', 2_000));
    expect(timers.size).toBe(4);
    timers.removeRun('default', 'a');
    timers.remove('default', 'c', 't1');
    expect(timers.size).toBe(1);
    clock.advanceTo(2_000);
    expect(fired).toEqual([]);
    clock.advanceTo(3_000);
    expect(fired).toEqual(['b/t1']);
    expect(timers.size).toBe(0);
    timers.removeRun('default', 'b'); // nothing left: no effect
    timers.stop();
  });

  it('keeps its count and each run’s timers exact as timers fire, are re-armed and come back', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    const timers = service(clock, (t) => fired.push(`${t.runId}/${t.timerId}@${t.fireAt}`));
    timers.add(row('a', 't1', 2_000));
    timers.add(row('a', 't2', 2_500));
    clock.advanceTo(2_000);
    expect(fired).toEqual(['a/t1@2000']);
    expect(timers.size).toBe(1);
    // The same timer id armed again after its fire: a timer of its own.
    timers.add(row('a', 't1', 3_000));
    expect(timers.size).toBe(2);
    clock.advanceTo(2_500);
    expect(timers.size).toBe(1);
    clock.advanceTo(3_000);
    expect(fired).toEqual(['a/t1@2000', 'a/t2@2500', 'a/t1@3000']);
    expect(timers.size).toBe(0);
    // Every timer of the run fired: a new one is armed and fires as any other.
    timers.add(row('a', 't3', 4_000));
    // A run dropped (closed) and armed again (its id reused by a test, a reset).
    timers.add(row('b', 't1', 4_000));
    timers.removeRun('default', 'b');
    timers.add(row('b', 't1', 4_000));
    expect(timers.size).toBe(2);
    clock.advanceTo(4_000);
    expect(fired.slice(3)).toEqual(['a/t3@4000', 'b/t1@4000']);
    expect(timers.size).toBe(0);
    timers.remove('default', 'a', 't3'); // fired already: no effect
    expect(timers.size).toBe(0);
    timers.stop();
  });

  it('keeps a run with several timers exact when one in the middle is removed or re-armed', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    const timers = service(clock, (t) => fired.push(`${t.timerId}@${t.fireAt}`));
    for (const [id, at] of [
      ['t1', 2_000],
      ['t2', 2_100],
      ['t3', 2_200],
      ['t4', 2_300],
    ] as const) {
      timers.add(row('a', id, at));
    }
    timers.remove('default', 'a', 't2'); // in the middle of the run's list
    timers.add(row('a', 't3', 2_400)); // re-armed later: replaces its first arming
    timers.add(row('a', 't1', 2_050)); // the first one armed, re-armed
    expect(timers.size).toBe(3);
    clock.advanceTo(2_300);
    expect(fired).toEqual(['t1@2050', 't4@2300']);
    expect(timers.size).toBe(1);
    clock.advanceTo(2_400);
    expect(fired).toEqual(['t1@2050', 't4@2300', 't3@2400']);
    expect(timers.size).toBe(0);
    timers.stop();
  });
});
