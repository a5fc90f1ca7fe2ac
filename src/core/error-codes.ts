/**
 * The single registry of stable error codes. It only grows: a code, once shipped, keeps
 * its meaning, HTTP status, retryability and CLI exit code forever.
 *
 * CLI exit codes: 0 ok · 1 internal · 2 bad input · 3 not found · 4 conflict / wrong state ·
 * 5 limit exceeded · 6 store or service unavailable · 7 auth · 8 workflow ended unsuccessfully.
 */
export const ERROR_CODES = {
  internal: {
    http: 500,
    retryable: false,
    exitCode: 1,
    description: 'An unexpected internal error; the message has details.',
  },
  invalid_argument: {
    http: 400,
    retryable: false,
    exitCode: 2,
    description: 'A request, option or argument is malformed or out of range.',
  },
  usage: {
    http: 400,
    retryable: false,
    exitCode: 2,
    description: 'A command line could not be parsed.',
  },
  codec_error: {
    http: 400,
    retryable: false,
    exitCode: 2,
    description: 'A value could not be encoded or decoded by the payload codec.',
  },
  not_found: {
    http: 404,
    retryable: false,
    exitCode: 3,
    description: 'The addressed workflow, run, package or resource does not exist.',
  },
  workflow_already_started: {
    http: 409,
    retryable: false,
    exitCode: 4,
    description: 'A run with this workflow id is already open.',
  },
  sequence_conflict: {
    http: 409,
    retryable: true,
    exitCode: 4,
    description: 'An append expected another history head; nothing was written.',
  },
  invalid_state: {
    http: 409,
    retryable: false,
    exitCode: 4,
    description: 'The operation is not allowed in the current state of the target.',
  },
  already_exists: {
    http: 409,
    retryable: false,
    exitCode: 4,
    description: 'A resource with this id already exists (for example a schedule).',
  },
  schedule_conflict: {
    http: 409,
    retryable: true,
    exitCode: 4,
    description:
      'A schedule changed (or was deleted) between reading and writing it; nothing was written. Read it again and retry.',
  },
  invalid_history: {
    http: 422,
    retryable: false,
    exitCode: 2,
    description:
      'Events do not form a valid history (seq gaps, missing start, events after a terminal).',
  },
  payload_too_large: {
    http: 413,
    retryable: false,
    exitCode: 5,
    description: 'A payload is larger than the configured maximum payload size.',
  },
  history_too_large: {
    http: 422,
    retryable: false,
    exitCode: 5,
    description:
      'A run history would exceed the configured maximum number of events or bytes; the engine ends such a run TERMINATED with reason history_too_large.',
  },
  run_limit_exceeded: {
    http: 422,
    retryable: false,
    exitCode: 5,
    description:
      'A workflow task would exceed a per-run limit (pending activities, children or outbound signals, or commands in one task); the task fails and is retried, then the run is parked.',
  },
  unknown_event_type: {
    http: 500,
    retryable: false,
    exitCode: 1,
    description: 'Storage holds an event type or schema version this code does not know.',
  },
  store_locked: {
    http: 503,
    retryable: true,
    exitCode: 6,
    description:
      'Another engine owns this store (a SQLite file, or the shard leases of a PostgreSQL schema), or this engine lost it after being paused past its lease.',
  },
  store_schema_too_new: {
    http: 500,
    retryable: false,
    exitCode: 6,
    description: 'The store was written by a newer Aion; upgrade this installation to open it.',
  },
  store_unavailable: {
    http: 503,
    retryable: true,
    exitCode: 6,
    description: 'The store could not be reached, is out of space, or is closed.',
  },
  store_corrupt: {
    http: 500,
    retryable: false,
    exitCode: 6,
    description:
      'The store file is damaged (SQLite reports a malformed database); restore it from a backup.',
  },
  store_not_aion: {
    http: 500,
    retryable: false,
    exitCode: 6,
    description:
      'The store file is not an Aion store: not a SQLite database, or the database of another application.',
  },
  not_implemented: {
    http: 501,
    retryable: false,
    exitCode: 1,
    description: 'The capability is not supported by this component.',
  },
  package_invalid: {
    http: 422,
    retryable: false,
    exitCode: 2,
    description: 'A package archive or manifest failed validation; details name the rule.',
  },
  package_build_failed: {
    http: 400,
    retryable: false,
    exitCode: 2,
    description:
      'Workflow code could not be bundled into a package (a bad import, a syntax error).',
  },
  package_version_missing: {
    http: 409,
    retryable: false,
    exitCode: 4,
    description:
      'A run is pinned to a package version that is not in the store; redeploy that version and retry the run.',
  },
  workflow_check_failed: {
    http: 422,
    retryable: false,
    exitCode: 2,
    description:
      '`aion check` found workflow code that breaks determinism or is unavailable in the sandbox.',
  },
  unknown_workflow_type: {
    http: 404,
    retryable: false,
    exitCode: 3,
    description: 'No routed package exports a workflow of this type.',
  },
  workflow_closed: {
    http: 409,
    retryable: false,
    exitCode: 4,
    description: 'The run is closed; signals, queries and updates need an open run.',
  },
  unknown_query: {
    http: 404,
    retryable: false,
    exitCode: 3,
    description: 'The workflow has no handler for this query name.',
  },
  query_failed: {
    http: 422,
    retryable: false,
    exitCode: 1,
    description: 'The query handler threw, returned a promise, or tried to change workflow state.',
  },
  nondeterminism: {
    http: 500,
    retryable: false,
    exitCode: 1,
    description: 'Replaying workflow code issued commands that differ from its recorded history.',
  },
  deadline_exceeded: {
    http: 504,
    retryable: true,
    exitCode: 6,
    description: 'An operation did not finish within its deadline.',
  },
  workflow_failed: {
    http: 422,
    retryable: false,
    exitCode: 8,
    description: 'The workflow ended unsuccessfully (failed, cancelled, terminated or timed out).',
  },
  unknown_update: {
    http: 404,
    retryable: false,
    exitCode: 3,
    description: 'The workflow has no handler for this update name; nothing was recorded.',
  },
  update_rejected: {
    http: 422,
    retryable: false,
    exitCode: 4,
    description: "The update's validator rejected it; nothing was recorded.",
  },
  update_failed: {
    http: 422,
    retryable: false,
    exitCode: 8,
    description: 'The update handler failed; the failure is in the details.',
  },
  unauthenticated: {
    http: 401,
    retryable: false,
    exitCode: 7,
    description: 'The request carries no API key, or one the server does not know.',
  },
  permission_denied: {
    http: 403,
    retryable: false,
    exitCode: 7,
    description: "The API key's role does not allow this action.",
  },
  unavailable: {
    http: 503,
    retryable: true,
    exitCode: 6,
    description: 'The server is draining or not ready; retry against another instance or later.',
  },
  rate_limited: {
    http: 429,
    retryable: true,
    exitCode: 5,
    description: 'Too many requests or connections; retry after a pause.',
  },
  resource_exhausted: {
    http: 422,
    retryable: false,
    exitCode: 5,
    description:
      'Workflow code ran the workflow thread out of memory (heap limit `workflowHeapLimitMb`); the thread was replaced, and a run that does it alone is parked as stuck.',
  },
  host_not_allowed: {
    http: 421,
    retryable: false,
    exitCode: 7,
    description:
      'A server running without API keys (`--no-auth`) answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) and WebSocket upgrades from its own origin.',
  },
  task_token_invalid: {
    http: 403,
    retryable: false,
    exitCode: 7,
    description:
      'The task token is not one this cluster signed (forged, altered, or signed by a retired secret), or it names another namespace.',
  },
  not_task_holder: {
    http: 403,
    retryable: false,
    exitCode: 7,
    description:
      'Only the worker session holding an activity task may heartbeat or report it, and only an attempt that raised CompleteAsyncError may be completed by its token.',
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export interface ErrorCodeSpec {
  readonly http: number;
  readonly retryable: boolean;
  readonly exitCode: number;
  readonly description: string;
}

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export function errorCodeSpec(code: ErrorCode): ErrorCodeSpec {
  return ERROR_CODES[code];
}
