// What every successor of a run (continue-as-new, workflow retry) inherits from its chain,
// whatever else differs: the chain's first run, the execution deadline and timeouts, the
// parent, the workflow retry policy and the task priority.
import type { EventOf } from '../../core/index.js';
import type { ContinueAsNewData } from './kinds.js';

type Inherited = Pick<
  ContinueAsNewData,
  | 'firstRunId'
  | 'executionDeadline'
  | 'executionTimeoutMs'
  | 'runTimeoutMs'
  | 'parent'
  | 'retryPolicy'
  | 'priority'
>;

export function inheritedBySuccessor(
  started: EventOf<'WorkflowStarted'>,
  runId: string,
): Inherited {
  return {
    firstRunId: started.firstRunId ?? runId,
    ...(started.executionDeadline !== undefined
      ? { executionDeadline: started.executionDeadline }
      : {}),
    ...(started.executionTimeoutMs !== undefined
      ? { executionTimeoutMs: started.executionTimeoutMs }
      : {}),
    ...(started.runTimeoutMs !== undefined ? { runTimeoutMs: started.runTimeoutMs } : {}),
    ...(started.parent ? { parent: started.parent } : {}),
    ...(started.retryPolicy ? { retryPolicy: started.retryPolicy } : {}),
    ...(started.priority ? { priority: started.priority } : {}),
  };
}

/**
 * The same workflow again (a workflow retry, a cron workflow's next run): its type, arguments,
 * task queue, search attributes, memo and headers, plus what every successor inherits.
 */
export function rerunOf(
  started: EventOf<'WorkflowStarted'>,
  runId: string,
  newRunId: string,
): ContinueAsNewData {
  return {
    newRunId,
    workflowType: started.workflowType,
    args: started.args,
    taskQueue: started.taskQueue,
    ...inheritedBySuccessor(started, runId),
    ...(started.searchAttributes ? { searchAttributes: started.searchAttributes } : {}),
    ...(started.memo ? { memo: started.memo } : {}),
    ...(started.headers ? { headers: started.headers } : {}),
  };
}
