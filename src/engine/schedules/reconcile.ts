// Which of a schedule's running actions have closed, and what the last one left behind (its
// result or failure, for the next action; a failure may pause the schedule).
import type { Failure, HistoryEvent } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { StoredDefinition, StoredState } from './definition.js';

/** The state without the closed actions, or undefined when every action is still running. */
export async function reconcileRunning(
  store: Store,
  namespace: string,
  definition: StoredDefinition,
  state: StoredState,
): Promise<StoredState | undefined> {
  if (state.running.length === 0) return undefined;
  const open: StoredState['running'][number][] = [];
  let next: StoredState = state;
  for (const action of state.running) {
    // The action is the workflow id's chain: a continued or retried run is still the action.
    const current = await store.getCurrentRun(namespace, action.workflowId);
    if (current !== undefined && current.closeTime === undefined) {
      open.push(action);
      continue;
    }
    if (current === undefined) continue;
    const last = (await store.readHistory(current, { fromSeq: current.headSeq }))[0];
    if (
      last &&
      (last.type === 'WorkflowContinuedAsNew' || (last.type === 'WorkflowFailed' && last.newRunId))
    ) {
      open.push(action); // its successor is about to start
      continue;
    }
    next = withOutcome(next, definition, action.workflowId, last);
  }
  if (open.length === state.running.length) return undefined;
  return { ...next, running: open };
}

function withOutcome(
  state: StoredState,
  definition: StoredDefinition,
  workflowId: string,
  terminal: HistoryEvent | undefined,
): StoredState {
  if (terminal === undefined) return state;
  const { lastResult: _r, lastFailure: _f, ...rest } = state;
  if (terminal.type === 'WorkflowCompleted') return { ...rest, lastResult: terminal.result };
  const reason = 'reason' in terminal ? terminal.reason : undefined;
  const failure: Failure = ('failure' in terminal ? terminal.failure : undefined) ?? {
    message: `${workflowId}: ${terminal.type.replace('Workflow', '').toLowerCase()}${reason ? ` (${reason})` : ''}`,
    type: terminal.type,
    retryable: false,
  };
  const paused = definition.policies.pauseOnFailure && !state.paused;
  return {
    ...rest,
    lastFailure: failure,
    ...(paused
      ? {
          paused: true,
          note: `paused because action ${workflowId} ended ${terminal.type.replace('Workflow', '').toLowerCase()} (pauseOnFailure)`,
        }
      : {}),
  };
}
