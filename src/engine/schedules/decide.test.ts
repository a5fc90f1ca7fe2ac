import { describe, expect, it } from 'vitest';
import { compileScheduleSpec } from '../../schedules/index.js';
import { nextStep, type DecideInput } from './decide.js';
import type { StoredDefinition, StoredState } from './definition.js';

const SECOND = Date.parse('2026-01-01T12:00:00.000Z');

const definition = {
  spec: { intervals: [{ every: '1 second' }] },
  action: {},
  policies: { overlap: 'ALLOW_ALL', catchupWindowMs: 60_000, pauseOnFailure: false },
} as unknown as StoredDefinition;

const state: StoredState = {
  paused: false,
  running: [],
  buffer: [],
  processedThrough: SECOND,
  counts: { taken: 0, missed: 0, skipped: 0, dropped: 0, failed: 0 },
};

function input(over: Partial<DecideInput>): DecideInput {
  return {
    scheduleId: 's',
    definition,
    compiled: compileScheduleSpec({ intervals: [{ every: '1 second' }] }),
    state,
    extras: [],
    now: SECOND,
    ...over,
  };
}

describe('a trigger’s nominal time', () => {
  it('is when it was asked for', () => {
    const step = nextStep(input({ extras: [{ kind: 'trigger', nominalAt: SECOND + 250 }] }));
    expect(step?.fire).toMatchObject({ kind: 'trigger', nominalAt: SECOND + 250 });
    expect(step?.state.lastTriggerAt).toBe(SECOND + 250);
  });

  it('never is a time the spec fires at (the scheduled fire’s workflow id derives from it)', () => {
    const at = SECOND + 1000; // a whole second: the schedule fires at it too
    const step = nextStep(input({ extras: [{ kind: 'trigger', nominalAt: at }] }));
    expect(step?.fire.nominalAt).toBe(at + 1);
  });

  it('is later than the last trigger’s, and still off the spec’s times', () => {
    const after = nextStep(
      input({
        state: { ...state, lastTriggerAt: SECOND + 1999 },
        extras: [{ kind: 'trigger', nominalAt: SECOND + 1500 }],
      }),
    );
    expect(after?.fire.nominalAt).toBe(SECOND + 2001);
  });

  it('leaves a backfill on the spec’s own times', () => {
    const step = nextStep(input({ extras: [{ kind: 'backfill', nominalAt: SECOND + 1000 }] }));
    expect(step?.fire).toMatchObject({ kind: 'backfill', nominalAt: SECOND + 1000 });
  });
});
