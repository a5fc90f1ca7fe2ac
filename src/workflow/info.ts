import { failureToError, type Headers, type Priority } from '../core/index.js';
import { currentRandom, decode, getState } from './internal/run-state.js';
import { uuidFrom } from './internal/random.js';
import { searchAttributesOf, type SearchAttributesView } from './search-attributes.js';

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
  /**
   * Not for workflow logic. `isReplaying`: the run is re-executing recorded history (no new
   * events are written); `isReplayingHistoryEvents` is the same but false inside query
   * handlers and update validators; `now()` is workflow time in epoch ms.
   */
  readonly unsafe: {
    readonly isReplaying: boolean;
    readonly isReplayingHistoryEvents: boolean;
    readonly now: () => number;
  };
  /** Headers recorded with the start (`{}` when none). */
  readonly headers: Headers;
  /**
   * Search attributes of the run — those of the start, with `upsertSearchAttributes` applied
   * as soon as it is called. Every value is a list (one element for a scalar attribute), as
   * in `@temporalio/workflow`; Datetime values are `Date`s.
   */
  readonly searchAttributes: SearchAttributesView;
  /**
   * The run's task priority: the start's (or child options') `priority`, else its parent's;
   * `{}` when none was given, as in Temporal. Aion records it but does not order tasks by it.
   */
  readonly priority: Priority;
  /** The schedule fire that started this run; absent for other starts. */
  readonly scheduledBy?: {
    readonly scheduleId: string;
    /** When the fire was due (its nominal time). */
    readonly scheduledTime: Date;
    /** When the fire was taken (nominal + jitter, or later after a buffer or catch-up). */
    readonly actualTime: Date;
  };
  /** What the previous action of the schedule or cron chain returned (absent when none has). */
  readonly lastResult?: unknown;
  /** How the previous action of the schedule or cron chain failed, when it did not complete. */
  readonly lastFailure?: Error;
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
    unsafe: {
      isReplaying: s.replaying,
      isReplayingHistoryEvents: s.replaying && !s.inQuery,
      now: () => s.now,
    },
    headers: i.headers ?? {},
    searchAttributes: searchAttributesOf(s),
    priority: i.priority ?? {},
    ...(i.scheduledBy
      ? {
          scheduledBy: {
            scheduleId: i.scheduledBy.scheduleId,
            scheduledTime: new Date(i.scheduledBy.nominalTime),
            actualTime: new Date(i.scheduledBy.actualTime),
          },
        }
      : {}),
    ...(i.lastResult ? { lastResult: decode(s, i.lastResult) } : {}),
    ...(i.lastFailure ? { lastFailure: failureToError(i.lastFailure, (p) => decode(s, p)) } : {}),
  };
}

/** A deterministic version-4 UUID (seeded per run; replay draws the same values). */
export function uuid4(): string {
  const s = getState();
  return uuidFrom(() => currentRandom(s));
}

/** A deterministic random number in [0, 1) (the same stream as `Math.random` in workflows). */
export function random(): number {
  return currentRandom(getState());
}
