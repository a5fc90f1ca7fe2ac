// Time travel: a run's state as of an earlier point of its history, rebuilt by replaying a
// prefix of that history in a throwaway instance (nothing is recorded, the run is untouched).
import type { Failure } from './failure.js';

/** Options of `handle.timeTravel`. */
export interface TimeTravelOptions {
  /**
   * The history seq to look at (1 … the run's last seq). The state shown is the one after
   * the last workflow task completed at or before it (or after the first workflow task when
   * `atSeq` comes before it).
   */
  readonly atSeq: number;
  /** Queries answered from the state at that point. Default: none (the stack trace only). */
  readonly queries?: readonly {
    readonly name: string | { readonly name: string };
    readonly args?: readonly unknown[];
  }[];
}

/** One query's answer in a time travel: its result, or the failure that query had. */
export type TimeTravelQueryResult =
  | { readonly name: string; readonly ok: true; readonly result: unknown }
  | {
      readonly name: string;
      readonly ok: false;
      /** `unknown_query` (no handler at that point) or `query_failed` (the handler threw). */
      readonly code: 'unknown_query' | 'query_failed';
      readonly failure: Failure;
    };

/** What `handle.timeTravel` answers. */
export interface TimeTravelResult {
  /** The seq asked for. */
  readonly atSeq: number;
  /**
   * The workflow-task boundary the state is taken at: the seq of a `WorkflowTaskCompleted`
   * (or of the workflow's own closing event: completed, failed, cancelled, continued as
   * new). 1 when the run has no completed workflow task yet (the state before its first task).
   */
  readonly boundarySeq: number;
  /** The built-in `__stack_trace` query at that point: where the workflow was waiting. */
  readonly stackTrace: string;
  /** The answers to `queries`, in order. */
  readonly queries: readonly TimeTravelQueryResult[];
  /** Every workflow-task boundary seq of the run, ascending (the points to step through). */
  readonly boundaries: readonly number[];
}
