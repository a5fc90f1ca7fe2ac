// Cases for start options: what a run records of them (describe) and delayed starts.
import type { SdkCase } from '../case.js';
import { returns } from './test-workflows.js';

const TWO = 'test-integration-split-two.ts';
const START = 'test-integration-workflow-start.ts';

/** A search attribute's value whether typed (`{ type, value }`) or a one-item list. */
export function valueOf(attr: unknown): unknown {
  if (Array.isArray(attr) && attr.length === 1) return attr[0] as unknown;
  if (attr && typeof attr === 'object' && 'value' in attr) return attr.value;
  return attr;
}

export const OPTIONS_CASES: readonly SdkCase[] = [
  returns(
    'args-and-return.ts',
    'argsAndReturn',
    { type: 'argsAndReturn', timeout: undefined },
    {
      name: 'WorkflowOptions are passed correctly with defaults',
      from: TWO,
      args: ['hey', undefined, new TextEncoder().encode('def')],
      drive: async ({ handle }) => {
        await handle.result();
        const d = (await handle.describe()) as unknown as Record<string, unknown>;
        return { type: d.workflowType, timeout: d.workflowRunTimeout };
      },
    },
  ),
  returns(
    'sleep.ts',
    'sleeper',
    {
      failed: 'WorkflowFailedError',
      type: 'sleeper',
      memo: { a: 'b' },
      int: 3,
      taskQueue: 'diff-task-queue',
    },
    {
      name: 'WorkflowOptions are passed correctly',
      from: TWO,
      args: [10_000],
      start: {
        memo: { a: 'b' },
        searchAttributes: { CustomIntField: [3] },
        workflowRunTimeout: '2s',
        workflowExecutionTimeout: '3s',
        workflowTaskTimeout: '1s',
        taskQueue: 'diff-task-queue',
      },
      drive: async ({ handle }) => {
        const failed = await handle.result().then(
          () => 'completed',
          (e: Error) => e.name,
        );
        const d = (await handle.describe()) as unknown as Record<string, unknown>;
        const attrs = d.searchAttributes as Record<string, unknown> | undefined;
        return {
          failed,
          type: d.workflowType,
          memo: d.memo,
          int: valueOf(attrs?.CustomIntField),
          taskQueue: d.taskQueue,
        };
      },
    },
  ),
  returns('interrupt-signal.ts', 'interruptableWorkflow', false, {
    name: 'Start of workflow with signal is delayed',
    from: START,
    drive: async ({ engine, handle }) => {
      await handle.terminate();
      const h = await engine.signalWithStart('interruptableWorkflow', {
        workflowId: `${handle.workflowId}-delayed`,
        startDelay: '4678s',
        signal: 'interrupt',
        signalArgs: ['Never called'],
      });
      const { events } = await h.fetchHistory();
      return events.some((e) => e.type === 'WorkflowTaskCompleted');
    },
    gap: { kind: 'engine-feature', reason: 'no startDelay start option' },
  }),
];
