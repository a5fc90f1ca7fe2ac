import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../core/index.js';
import { adoptEventTypes } from './event-types.js';

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
