import type { Headers } from '../core/index.js';
import { getState } from './internal/run-state.js';
import { uuidFrom } from './internal/random.js';

export interface WorkflowInfo {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  /** Run id of the first run of this workflow id's chain. */
  readonly firstExecutionRunId: string;
  readonly continuedFromExecutionRunId: string | undefined;
  readonly parent:
    { readonly workflowId: string; readonly runId: string; readonly namespace: string } | undefined;
  /** Package version (content hash) the run is pinned to. */
  readonly version: string;
  readonly attempt: number;
  readonly startTime: Date;
  readonly historyLength: number;
  /** True when history has grown past the configured fraction of its limits. */
  readonly continueAsNewSuggested: boolean;
  readonly unsafe: { readonly isReplaying: boolean; readonly now: () => number };
  /** Headers recorded with the start (`{}` when none). */
  readonly headers: Headers;
}

/** Information about the running workflow. */
export function workflowInfo(): WorkflowInfo {
  const s = getState();
  const i = s.info;
  return {
    namespace: i.namespace,
    workflowId: i.workflowId,
    runId: i.runId,
    workflowType: i.workflowType,
    taskQueue: i.taskQueue,
    firstExecutionRunId: i.firstRunId,
    continuedFromExecutionRunId: i.continuedFromRunId,
    parent: i.parent,
    version: i.version,
    attempt: i.attempt,
    startTime: new Date(i.startTime),
    historyLength: s.historyLength,
    continueAsNewSuggested: s.continueAsNewSuggested,
    unsafe: { isReplaying: s.replaying, now: () => s.now },
    headers: i.headers ?? {},
  };
}

/** A deterministic version-4 UUID (seeded per run; replay draws the same values). */
export function uuid4(): string {
  return uuidFrom(getState().random);
}

/** A deterministic random number in [0, 1) (the same stream as `Math.random` in workflows). */
export function random(): number {
  return getState().random();
}
