// The names runs are listed and queried by: their statuses (as the API and as the query
// language spell them) and the built-in fields of the list query. The engine and the ops
// console (web/, which bundles this file) share them, so it imports nothing.

/** Every status a run can have, as the API spells it. */
export const WORKFLOW_STATUSES = [
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
] as const;

export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * How a query writes each status: Temporal's spelling (`ExecutionStatus = 'TimedOut'`). Any
 * case, with or without `_`, and the API spelling are accepted too.
 */
export const STATUS_QUERY_NAMES: Readonly<Record<WorkflowStatus, string>> = {
  RUNNING: 'Running',
  PAUSED: 'Paused',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
};

/** The built-in fields of every run's visibility row, as a query names them. */
export const BUILTIN_FIELDS = [
  'WorkflowId',
  'RunId',
  'WorkflowType',
  'TaskQueue',
  'ExecutionStatus',
  'StartTime',
  'CloseTime',
  'Version',
  'Stuck',
] as const;

export type BuiltinField = (typeof BUILTIN_FIELDS)[number];
