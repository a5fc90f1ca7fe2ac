// The history budget is checked from commands before they are applied: what commandsBytes
// predicts must be what the run book counts once the events are recorded, and the per-run
// limits refuse a task before any of its effects exist.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  stampEvent,
  type Payload,
  type WorkflowCommand,
} from '../../core/index.js';
import { RunBook } from '../../runtime/index.js';
import type { ActivityService } from '../activity-service/index.js';
import { commandsBytes, endsRun } from './command-bytes.js';
import { emptyEffects } from './effects.js';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './run-limits.js';
import { commandsToEvents } from './to-events.js';

const run = { namespace: 'default', workflowId: 'wf', runId: 'r1' };
const json = (v: unknown): Payload => ({ encoding: 'json/plain', data: JSON.stringify(v) });
const activities = { newTask: () => ({}) } as unknown as ActivityService;
const ids = { uuid: () => 'id' };

function startedBook(): RunBook {
  const book = new RunBook();
  book.apply(
    stampEvent(
      { type: 'WorkflowStarted', workflowType: 't', taskQueue: 'q', args: [], version: 'v1' },
      1,
      1000,
    ),
  );
  return book;
}

function apply(commands: WorkflowCommand[], runLimits: RunLimits = DEFAULT_RUN_LIMITS) {
  const book = startedBook();
  const effects = emptyEffects();
  const env = { limits: DEFAULT_LIMITS, runLimits, activities, ids };
  return { book, effects, run: () => commandsToEvents(env, run, commands, book, 2000, effects) };
}

const activity = (i: number, input: string): WorkflowCommand => ({
  type: 'scheduleActivity',
  activityId: String(i),
  activityType: 'a',
  args: [json(input)],
  options: { taskQueue: 'q', startToCloseTimeoutMs: 1000 },
  local: false,
});

describe('commandsBytes', () => {
  it('predicts the bytes the run book counts for the recorded events', () => {
    const failure = { type: 'Boom', message: 'went wrong', stack: 'at x\nat y', retryable: false };
    const commands: WorkflowCommand[] = [
      activity(1, 'x'.repeat(300)),
      { type: 'startTimer', timerId: 't1', durationMs: 10 },
      {
        type: 'startChild',
        childId: 'c1',
        workflowId: 'child',
        workflowType: 'ct',
        args: [json({ big: 'y'.repeat(200) })],
        taskQueue: 'q',
        parentClosePolicy: 'TERMINATE',
      },
      {
        type: 'signalExternal',
        externalId: '1',
        workflowId: 'other',
        signalName: 's',
        args: [json([1, 2, 3])],
      },
      { type: 'upsertMemo', memo: { a: json('memo'), b: null } },
      { type: 'recordPatch', patchId: 'p1', deprecated: false },
      { type: 'failWorkflow', failure: { ...failure, cause: { ...failure, message: 'inner' } } },
    ];
    const { book, run: toEvents } = apply(commands);
    const before = book.historyBytes;
    toEvents();
    expect(book.historyBytes - before).toBe(commandsBytes(commands));
    expect(endsRun(commands)).toBe(true);
    expect(endsRun(commands.slice(0, 3))).toBe(false);
  });
});

describe('per-run limits', () => {
  it('refuse too many commands in one task before anything is recorded', () => {
    const commands = [1, 2, 3].map((i) => activity(i, 'x'));
    const {
      book,
      effects,
      run: toEvents,
    } = apply(commands, {
      ...DEFAULT_RUN_LIMITS,
      maxCommandsPerTask: 2,
    });
    expect(toEvents).toThrow(
      expect.objectContaining({
        code: 'run_limit_exceeded',
        message: expect.stringContaining('limits.maxCommandsPerTask (2)') as unknown,
      }),
    );
    expect(book.headSeq).toBe(1);
    expect(effects.tasks).toHaveLength(0);
  });

  it('refuse a task that grows a pending count past its limit, and allow reaching it', () => {
    const limits = { ...DEFAULT_RUN_LIMITS, maxPendingActivities: 2 };
    expect(() => apply([activity(1, 'a'), activity(2, 'b')], limits).run()).not.toThrow();
    expect(() =>
      apply(
        [1, 2, 3].map((i) => activity(i, 'x')),
        limits,
      ).run(),
    ).toThrow(
      expect.objectContaining({
        code: 'run_limit_exceeded',
        details: { limit: 'maxPendingActivities', count: 3, max: 2 },
      }),
    );
  });
});
