import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../core/index.js';
import { adoptEventTypes, historyForThread, historyOf } from './event-types.js';

describe('adoptEventTypes', () => {
  it('keeps every field and type name as it was, and leaves unknown types alone', () => {
    const events = structuredClone([
      { seq: 1, type: 'WorkflowStarted', recordedAt: 1 },
      { seq: 2, type: 'ActivityScheduled', recordedAt: 2, activityId: '1' },
      { seq: 3, type: 'SomethingNewer', recordedAt: 3 },
    ]) as unknown as HistoryEvent[];
    const before = structuredClone(events);
    adoptEventTypes(events);
    expect(events).toEqual(before);
  });
});

describe('historyOf', () => {
  const events = [
    { seq: 1, type: 'WorkflowStarted', recordedAt: 1, workflowType: 'w' },
    { seq: 2, type: 'WorkflowTaskCompleted', recordedAt: 2 },
  ] as unknown as HistoryEvent[];

  it('parses a request carried as JSON text back into the same events', () => {
    expect(historyOf(JSON.stringify(events))).toEqual(events);
  });

  it("hands the inline runtime's events on as they are, untouched", () => {
    const frozen = Object.freeze(events.map((e) => Object.freeze({ ...e })));
    expect(historyOf(frozen)).toBe(frozen);
  });
});

describe('historyForThread', () => {
  it('sends the JSON text of a history, and the events themselves when they have none', () => {
    const events = [
      { seq: 1, type: 'WorkflowStarted', recordedAt: 1 },
    ] as unknown as HistoryEvent[];
    expect(historyForThread(events)).toBe(JSON.stringify(events));
    // A value JSON cannot write (as a history longer than a string can be has no text).
    const odd = [{ seq: 1, type: 'WorkflowStarted', recordedAt: 1n }] as unknown as HistoryEvent[];
    expect(historyForThread(odd)).toBe(odd);
  });
});
