import { describe, expect, it } from 'vitest';
import { stampEvent, type HistoryEvent, type NewEvent } from './events.js';
import { projectStatus, validateAppend } from './status.js';
import { isAionError } from './errors.js';
import { decodeEvent, encodeEvent } from './event-codec.js';

const started: NewEvent = {
  type: 'WorkflowStarted',
  workflowType: 't',
  taskQueue: 'q',
  args: [],
  version: 'v1',
};
const history = (types: NewEvent[]): HistoryEvent[] =>
  types.map((e, i) => stampEvent(e, i + 1, 1000 + i));

describe('status projection', () => {
  it('follows pause/resume and ends at exactly one terminal', () => {
    expect(projectStatus([])).toBeUndefined();
    expect(projectStatus(history([started]))).toBe('RUNNING');
    expect(projectStatus(history([started, { type: 'WorkflowPaused' }]))).toBe('PAUSED');
    expect(
      projectStatus(history([started, { type: 'WorkflowPaused' }, { type: 'WorkflowResumed' }])),
    ).toBe('RUNNING');
    expect(
      projectStatus(history([started, { type: 'WorkflowTimedOut', timeoutType: 'RUN' }])),
    ).toBe('TIMED_OUT');
    expect(
      projectStatus(
        history([
          started,
          {
            type: 'WorkflowContinuedAsNew',
            newRunId: 'r2',
            workflowType: 't',
            args: [],
            taskQueue: 'q',
          },
        ]),
      ),
    ).toBe('CONTINUED_AS_NEW');
  });
});

describe('validateAppend', () => {
  const code = (fn: () => void): string | undefined => {
    try {
      fn();
    } catch (e) {
      return isAionError(e) ? e.code : 'x';
    }
    return undefined;
  };

  it('accepts a contiguous batch starting with WorkflowStarted', () => {
    expect(
      code(() =>
        validateAppend('r', history([started, { type: 'WorkflowTaskCompleted' }]), 0, false),
      ),
    ).toBeUndefined();
  });

  it('rejects gaps, a missing start, a second start, and events after a terminal', () => {
    const h = history([started, { type: 'WorkflowTaskCompleted' }]);
    expect(code(() => validateAppend('r', [h[1]!], 0, false))).toBe('invalid_history');
    expect(code(() => validateAppend('r', [h[0]!, { ...h[1]!, seq: 3 }], 0, false))).toBe(
      'invalid_history',
    );
    expect(code(() => validateAppend('r', [stampEvent(started, 2, 1)], 1, false))).toBe(
      'invalid_history',
    );
    expect(
      code(() =>
        validateAppend('r', [stampEvent({ type: 'WorkflowTaskCompleted' }, 3, 1)], 2, true),
      ),
    ).toBe('invalid_history');
    const closing = history([
      started,
      { type: 'WorkflowCompleted', result: { encoding: 'json/plain', data: '1' } },
      { type: 'WorkflowTaskCompleted' },
    ]);
    expect(code(() => validateAppend('r', closing, 0, false))).toBe('invalid_history');
    expect(code(() => validateAppend('r', [], 0, false))).toBe('invalid_history');
  });
});

describe('event codec', () => {
  it('round-trips and refuses unknown types and newer schema versions', () => {
    const e = stampEvent(started, 1, 5);
    expect(decodeEvent(encodeEvent(e), { runId: 'r', seq: 1 })).toEqual(e);
    const code = (text: string): string | undefined => {
      try {
        decodeEvent(text, { runId: 'r', seq: 1 });
      } catch (err) {
        return isAionError(err) ? err.code : 'x';
      }
      return undefined;
    };
    expect(code('{"seq":1,"type":"WorkflowExploded","v":1}')).toBe('unknown_event_type');
    expect(code('{"seq":1,"type":"WorkflowStarted","v":99}')).toBe('unknown_event_type');
    expect(code('not json')).toBe('unknown_event_type');
    expect(code('{"seq":2,"type":"WorkflowStarted","v":1}')).toBe('unknown_event_type');
  });
});
