// Command planning against an injected IdSource: the run ids it draws for children and
// continue-as-new successors come from the source, in command order.
import { describe, expect, it } from 'vitest';
import type { IdSource } from '../../clock/index.js';
import { DEFAULT_LIMITS, stampEvent } from '../../core/index.js';
import { RunBook } from '../../runtime/index.js';
import type { ActivityService } from '../activity-service/index.js';
import { emptyEffects } from './effects.js';
import { DEFAULT_RUN_LIMITS } from './run-limits.js';
import {
  CHILD_START_KIND,
  CONTINUE_AS_NEW_KIND,
  type ChildStartData,
  type ContinueAsNewData,
} from './kinds.js';
import { commandsToEvents } from './to-events.js';

const run = { namespace: 'default', workflowId: 'wf', runId: 'r1' };

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

describe('commandsToEvents', () => {
  it('draws the run ids of children and continue-as-new successors from the IdSource', () => {
    const drawn: string[] = [];
    const ids: IdSource = {
      uuid: () => {
        const id = `id-${drawn.length + 1}`;
        drawn.push(id);
        return id;
      },
    };
    const effects = emptyEffects();
    const events = commandsToEvents(
      // Neither command schedules an activity.
      {
        limits: DEFAULT_LIMITS,
        runLimits: DEFAULT_RUN_LIMITS,
        activities: {} as ActivityService,
        ids,
      },
      run,
      [
        {
          type: 'startChild',
          childId: 'c1',
          workflowId: 'child',
          workflowType: 'ct',
          args: [],
          taskQueue: 'q',
          parentClosePolicy: 'TERMINATE',
        },
        { type: 'continueAsNew', workflowType: 't', args: [], taskQueue: 'q' },
      ],
      startedBook(),
      2000,
      effects,
    );
    expect(drawn).toEqual(['id-1', 'id-2']);
    const [initiated, continued] = events;
    expect(initiated).toMatchObject({ type: 'ChildWorkflowInitiated', runId: 'id-1', seq: 2 });
    expect(continued).toMatchObject({ type: 'WorkflowContinuedAsNew', newRunId: 'id-2', seq: 3 });
    const rows = new Map(effects.outbox.map((r) => [r.kind, JSON.parse(r.data) as unknown]));
    expect((rows.get(CHILD_START_KIND) as ChildStartData).runId).toBe('id-1');
    expect((rows.get(CONTINUE_AS_NEW_KIND) as ContinueAsNewData).newRunId).toBe('id-2');
  });
});
