// Request validation of the workflow routes: JSON schemas of the bodies, and the checks and
// conversions Fastify's schemas cannot express (headers, integer query params, list filters).
import {
  AionError,
  isExactPayload,
  JsonPayloadConverter,
  type Headers,
  WORKFLOW_STATUSES,
  type WorkflowListOptions,
  type WorkflowStartOptions,
  type WorkflowStatus,
} from '../../../core/index.js';
import { MAX_RESULT_WAIT_MS } from './result-waits.js';

export const ID = { type: 'string', minLength: 1, maxLength: 1000 } as const;
export const NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
export const ARGS = { type: 'array', maxItems: 1000 } as const;
export const REASON = { type: 'string', maxLength: 1000 } as const;
/** A package version: the archive's SHA-256 in hex. */
export const VERSION = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
/**
 * Headers: names → payloads (`{encoding, data, metadata?}`) or plain JSON values, which the
 * server encodes as JSON payloads. The engine checks names and payloads (invalid_argument).
 */
export const HEADERS = {
  type: 'object',
  maxProperties: 64,
  propertyNames: { minLength: 1, maxLength: 200 },
} as const;

const json = new JsonPayloadConverter();

/** A body's `headers` as payloads: exact payload objects pass, other values are encoded. */
export function headersOf(raw: Record<string, unknown> | undefined): Headers | undefined {
  if (raw === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, isExactPayload(v) ? v : json.toPayload(v)]),
  );
}

const DURATION = {
  anyOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', minLength: 1, maxLength: 100 },
  ],
};

const START_FIELDS = {
  workflowType: NAME,
  workflowId: ID,
  args: ARGS,
  taskQueue: NAME,
  searchAttributes: { type: 'object' },
  memo: { type: 'object' },
  executionTimeout: DURATION,
  runTimeout: DURATION,
  workflowExecutionTimeout: DURATION,
  workflowRunTimeout: DURATION,
  workflowTaskTimeout: DURATION,
  requestEagerStart: { type: 'boolean' },
  cronSchedule: NAME,
  startDelay: DURATION,
  // Temporal's workflow retry policy: the engine checks its fields and names a bad one.
  retry: { type: 'object' },
  // Temporal's task priority: the engine checks its fields.
  priority: { type: 'object' },
  // Temporal's handle option (the remote client's result always follows): accepted, unused.
  followRuns: { type: 'boolean' },
  // Aion's and Temporal's names (prefixed forms, TERMINATE_IF_RUNNING): the engine checks them.
  workflowIdReusePolicy: NAME,
  workflowIdConflictPolicy: NAME,
  requestId: NAME,
  headers: HEADERS,
} as const;

export const startSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType'],
  // waitMs: also wait this long for the run's outcome (see result-waits.ts).
  properties: {
    ...START_FIELDS,
    waitMs: { type: 'integer', minimum: 0, maximum: MAX_RESULT_WAIT_MS },
  },
} as const;

export const updateWithStartSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType', 'workflowId', 'workflowIdConflictPolicy', 'update'],
  properties: {
    ...START_FIELDS,
    update: NAME,
    updateArgs: ARGS,
    updateId: NAME,
    updateHeaders: HEADERS,
    waitForStage: { enum: ['ACCEPTED', 'COMPLETED'] },
  },
} as const;

export const signalWithStartSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType', 'workflowId', 'signal'],
  properties: { ...START_FIELDS, signal: NAME, signalArgs: ARGS },
} as const;

const RUN_ID = {
  runId: { type: 'string', minLength: 1, maxLength: 100 },
  firstExecutionRunId: { type: 'string', minLength: 1, maxLength: 100 },
} as const;

/**
 * The schema of a body addressed to one run: `properties`, plus the optional `runId` (or
 * `firstExecutionRunId`: the latest run of that run's chain).
 */
export function body(properties: Record<string, unknown>, required: string[] = []): object {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties: { ...RUN_ID, ...properties },
  };
}

export interface StartBody {
  workflowType: string;
  workflowId?: string;
  args?: unknown[];
  taskQueue?: string;
  searchAttributes?: Record<string, unknown>;
  memo?: Record<string, unknown>;
  executionTimeout?: number | string;
  runTimeout?: number | string;
  workflowExecutionTimeout?: number | string;
  workflowRunTimeout?: number | string;
  workflowTaskTimeout?: number | string;
  requestEagerStart?: boolean;
  cronSchedule?: string;
  startDelay?: number | string;
  retry?: WorkflowStartOptions['retry'];
  priority?: WorkflowStartOptions['priority'];
  followRuns?: boolean;
  workflowIdReusePolicy?: WorkflowStartOptions['workflowIdReusePolicy'];
  workflowIdConflictPolicy?: WorkflowStartOptions['workflowIdConflictPolicy'];
  requestId?: string;
  headers?: Record<string, unknown>;
}

export function startOptions(b: StartBody): WorkflowStartOptions {
  const { workflowType: _type, headers, ...rest } = b;
  const h = headersOf(headers);
  return { ...rest, ...(h ? { headers: h } : {}) } as WorkflowStartOptions;
}

export interface ListQuery {
  query?: string;
  workflowType?: string;
  status?: string;
}

const STATUSES: ReadonlySet<string> = new Set(WORKFLOW_STATUSES);

export function listFilters(q: ListQuery): WorkflowListOptions {
  if (q.status !== undefined && !STATUSES.has(q.status)) {
    throw new AionError(
      'invalid_argument',
      `status must be one of ${[...STATUSES].join(', ')} (got ${JSON.stringify(q.status)})`,
      { field: 'status' },
    );
  }
  return {
    ...(q.query ? { query: q.query } : {}),
    ...(q.workflowType ? { workflowType: q.workflowType } : {}),
    ...(q.status ? { status: q.status as WorkflowStatus } : {}),
  };
}

/** Non-negative integer from a query-string value; invalid_argument otherwise. */
export function intParam(
  value: string | undefined,
  name: string,
  limits: { min: number; max: number },
): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < limits.min || n > limits.max) {
    throw new AionError(
      'invalid_argument',
      `query parameter ${name} must be an integer between ${limits.min} and ${limits.max} (got ${JSON.stringify(value)})`,
      { field: name },
    );
  }
  return n;
}
