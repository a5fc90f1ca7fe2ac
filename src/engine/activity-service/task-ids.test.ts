import { describe, expect, it } from 'vitest';
import {
  activityTimerIds,
  scheduledTimerIds,
  scheduleToCloseTimerId,
  scheduleToStartTimerId,
} from './task-ids.js';

describe('scheduledTimerIds', () => {
  const q = { taskQueue: 'default' };
  it('names only the timers the options made', () => {
    expect(scheduledTimerIds('1', q, false)).toEqual([]);
    expect(scheduledTimerIds('1', { ...q, scheduleToCloseTimeoutMs: 5 }, false)).toEqual([
      scheduleToCloseTimerId('1'),
    ]);
    expect(scheduledTimerIds('1', { ...q, scheduleToStartTimeoutMs: 5 }, false)).toEqual([
      scheduleToStartTimerId('1'),
    ]);
    expect(
      scheduledTimerIds(
        '1',
        { ...q, scheduleToCloseTimeoutMs: 5, scheduleToStartTimeoutMs: 5 },
        false,
      ),
    ).toEqual(activityTimerIds('1'));
  });

  it('gives a local activity no schedule-to-start timer', () => {
    expect(scheduledTimerIds('1', { ...q, scheduleToStartTimeoutMs: 5 }, true)).toEqual([]);
    expect(
      scheduledTimerIds(
        '1',
        { ...q, scheduleToCloseTimeoutMs: 5, scheduleToStartTimeoutMs: 5 },
        true,
      ),
    ).toEqual([scheduleToCloseTimerId('1')]);
  });
});
