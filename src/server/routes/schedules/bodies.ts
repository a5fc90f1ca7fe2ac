// Request bodies of the schedule routes: their JSON schemas (shape, checked at the edge with
// errors naming the field) and the conversion to the client API's options (ISO strings to
// dates, plain header values to payloads). The spec itself is checked by the spec engine.
import {
  AionError,
  ScheduleOverlapPolicy,
  type ScheduleBackfill,
  type ScheduleOptions,
  type ScheduleSpec,
  type ScheduleUpdateOptions,
} from '../../../core/index.js';
import { ARGS, HEADERS, ID, NAME, REASON, headersOf } from '../workflows/index.js';

const DURATION = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', minLength: 1, maxLength: 100 },
  ],
} as const;
/** An instant: ISO 8601 text or milliseconds since the epoch. */
const INSTANT = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 100 },
    { type: 'integer', minimum: 0 },
  ],
} as const;
export const OVERLAP = { enum: Object.values(ScheduleOverlapPolicy) } as const;
const CALENDARS = { type: 'array', maxItems: 100, items: { type: 'object' } } as const;

export const SPEC = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cronExpressions: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 500 } },
    intervals: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['every'],
        properties: { every: DURATION, offset: DURATION },
      },
    },
    calendars: CALENDARS,
    skip: CALENDARS,
    startAt: INSTANT,
    endAt: INSTANT,
    jitter: DURATION,
    timezone: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

const ACTION = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType'],
  properties: {
    type: { const: 'startWorkflow' },
    workflowType: NAME,
    args: ARGS,
    taskQueue: NAME,
    workflowId: ID,
    workflowExecutionTimeout: DURATION,
    workflowRunTimeout: DURATION,
    workflowTaskTimeout: DURATION,
    retry: { type: 'object' },
    memo: { type: 'object' },
    searchAttributes: { type: 'object' },
    headers: HEADERS,
  },
} as const;

const POLICIES = {
  type: 'object',
  additionalProperties: false,
  properties: { overlap: OVERLAP, catchupWindow: DURATION, pauseOnFailure: { type: 'boolean' } },
} as const;

const BACKFILL = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end'],
  properties: { start: INSTANT, end: INSTANT, overlap: OVERLAP },
} as const;

export const BACKFILLS = { type: 'array', minItems: 1, maxItems: 100, items: BACKFILL } as const;

const STATE_FIELDS = {
  paused: { type: 'boolean' },
  note: REASON,
  remainingActions: { type: 'integer', minimum: 0 },
} as const;

const DEFINITION_FIELDS = {
  spec: SPEC,
  action: ACTION,
  policies: POLICIES,
  memo: { type: 'object' },
  searchAttributes: { type: 'object' },
} as const;

export const createSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scheduleId', 'spec', 'action'],
  properties: {
    scheduleId: ID,
    ...DEFINITION_FIELDS,
    state: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...STATE_FIELDS,
        triggerImmediately: { type: 'boolean' },
        backfill: { ...BACKFILLS, minItems: 0 },
      },
    },
  },
} as const;

export const updateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['spec', 'action'],
  properties: {
    ...DEFINITION_FIELDS,
    state: { type: 'object', additionalProperties: false, properties: STATE_FIELDS },
    conflictToken: { type: 'integer', minimum: 0 },
  },
} as const;

type Instant = string | number;

export interface SpecBody extends Omit<ScheduleSpec, 'startAt' | 'endAt'> {
  startAt?: Instant;
  endAt?: Instant;
}

interface ActionBody extends Omit<ScheduleOptions['action'], 'type' | 'headers'> {
  type?: 'startWorkflow';
  headers?: Record<string, unknown>;
}

interface BackfillBody {
  start: Instant;
  end: Instant;
  overlap?: ScheduleOverlapPolicy;
}

interface DefinitionBody {
  spec: SpecBody;
  action: ActionBody;
  policies?: ScheduleOptions['policies'];
  memo?: Record<string, unknown>;
  searchAttributes?: Record<string, unknown>;
}

export interface CreateBody extends DefinitionBody {
  scheduleId: string;
  state?: Omit<NonNullable<ScheduleOptions['state']>, 'backfill'> & { backfill?: BackfillBody[] };
}

export interface UpdateBody extends DefinitionBody {
  state?: ScheduleUpdateOptions['state'];
  conflictToken?: number;
}

/** An ISO 8601 text or epoch milliseconds as a date; `invalid_argument` naming `field`. */
export function instant(value: Instant, field: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new AionError(
      'invalid_argument',
      `${field} must be an ISO 8601 date-time (e.g. 2026-01-31T09:00:00Z) or epoch milliseconds (got ${JSON.stringify(value)})`,
      { field },
    );
  }
  return d;
}

export function backfillsOf(raw: readonly BackfillBody[], field: string): ScheduleBackfill[] {
  return raw.map((b, i) => ({
    start: instant(b.start, `${field}/${i}/start`),
    end: instant(b.end, `${field}/${i}/end`),
    ...(b.overlap !== undefined ? { overlap: b.overlap } : {}),
  }));
}

/** A body's spec as the spec engine takes it (instants as dates). */
export function specOf(raw: SpecBody): ScheduleSpec {
  const { startAt, endAt, ...rest } = raw;
  return {
    ...rest,
    ...(startAt !== undefined ? { startAt: instant(startAt, 'body/spec/startAt') } : {}),
    ...(endAt !== undefined ? { endAt: instant(endAt, 'body/spec/endAt') } : {}),
  };
}

function definitionOf(b: DefinitionBody): Omit<ScheduleUpdateOptions, 'state'> {
  const { headers, type: _type, ...action } = b.action;
  const h = headersOf(headers);
  return {
    spec: specOf(b.spec),
    action: { type: 'startWorkflow', ...action, ...(h ? { headers: h } : {}) },
    ...(b.policies !== undefined ? { policies: b.policies } : {}),
    ...(b.memo !== undefined ? { memo: b.memo } : {}),
    ...(b.searchAttributes !== undefined ? { searchAttributes: b.searchAttributes } : {}),
  };
}

export function createOptions(b: CreateBody): ScheduleOptions {
  const { backfill, ...state } = b.state ?? {};
  return {
    scheduleId: b.scheduleId,
    ...definitionOf(b),
    ...(b.state !== undefined
      ? {
          state: {
            ...state,
            ...(backfill !== undefined
              ? { backfill: backfillsOf(backfill, 'body/state/backfill') }
              : {}),
          },
        }
      : {}),
  };
}

export function updateOptions(b: UpdateBody): ScheduleUpdateOptions {
  return { ...definitionOf(b), ...(b.state !== undefined ? { state: b.state } : {}) };
}
