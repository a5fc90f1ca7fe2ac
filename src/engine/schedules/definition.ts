// A schedule's stored shape: its definition (spec, action, policies, memo) validated and
// encoded from the client's options, and its durable state; plus the way back for describe.
import {
  AionError,
  parseDuration,
  validateWorkflowId,
  type DataConverter,
  type Failure,
  type Payload,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
  type ScheduleSpec,
  type ScheduleUpdateOptions,
  type SearchAttributes,
} from '../../core/index.js';
import { compileScheduleSpec, type CompiledSpec } from '../../schedules/index.js';
import { parseStart, type ParsedStart, type StartOptionContext } from '../start/index.js';

/** Catch-up window default and floor (ADR 0012). */
export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;
export const MIN_CATCHUP_WINDOW_MS = 10_000;
/** BUFFER_ALL keeps at most this many waiting fires; older ones are dropped. */
export const MAX_BUFFERED = 1_000;

const OVERLAP_POLICIES: readonly ScheduleOverlapPolicy[] = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
];

/** The spec as stored: JSON (dates as ISO strings). */
export type StoredSpec = Omit<ScheduleSpec, 'startAt' | 'endAt'> & {
  startAt?: string;
  endAt?: string;
};

export interface StoredDefinition {
  readonly spec: StoredSpec;
  /** The start every fire makes; `workflowId` is the base of each fire's id. */
  readonly action: ParsedStart;
  readonly policies: {
    readonly overlap: ScheduleOverlapPolicy;
    readonly catchupWindowMs: number;
    readonly pauseOnFailure: boolean;
  };
  readonly memo?: Record<string, Payload>;
}

export type FireKind = 'scheduled' | 'trigger' | 'backfill';

export interface RunningAction {
  readonly workflowId: string;
  readonly runId: string;
  readonly nominalAt: number;
}

export interface BufferedFire {
  readonly nominalAt: number;
  readonly kind: FireKind;
  readonly overlap?: ScheduleOverlapPolicy;
}

export interface StoredState {
  readonly paused: boolean;
  readonly note?: string;
  /** Actions left; absent: unlimited. */
  readonly remainingActions?: number;
  readonly running: readonly RunningAction[];
  readonly buffer: readonly BufferedFire[];
  /** Scheduled fires with a nominal time up to here are decided. */
  readonly processedThrough: number;
  /** The nominal time of the last trigger (the next one gets a later one). */
  readonly lastTriggerAt?: number;
  readonly counts: {
    readonly taken: number;
    readonly missed: number;
    readonly skipped: number;
    readonly dropped: number;
    readonly failed: number;
  };
  /** What the last closed action returned, or how it failed (handed to the next action). */
  readonly lastResult?: Payload;
  readonly lastFailure?: Failure;
}

export interface ParsedSchedule {
  readonly definition: StoredDefinition;
  readonly compiled: CompiledSpec;
  readonly searchAttributes: SearchAttributes;
}

/** Validates and encodes a schedule's options (create or update). */
export function parseSchedule(
  ctx: StartOptionContext,
  scheduleId: string,
  options: ScheduleUpdateOptions,
): ParsedSchedule {
  if (typeof options !== 'object' || options === null)
    throw bad('options', 'schedule options must be an object');
  const compiled = compileScheduleSpec(options.spec);
  const action = options.action as ScheduleUpdateOptions['action'] | undefined;
  if (typeof action !== 'object' || action === null || action.type !== 'startWorkflow')
    throw bad('action.type', "the action must be { type: 'startWorkflow', workflowType, … }");
  const base = validateWorkflowId(action.workflowId ?? scheduleId);
  const start = parseStart(ctx, action.workflowType, {
    workflowId: base,
    args: action.args ? [...action.args] : [],
    ...(action.taskQueue !== undefined ? { taskQueue: action.taskQueue } : {}),
    ...(action.workflowExecutionTimeout !== undefined
      ? { workflowExecutionTimeout: action.workflowExecutionTimeout }
      : {}),
    ...(action.workflowRunTimeout !== undefined
      ? { workflowRunTimeout: action.workflowRunTimeout }
      : {}),
    ...(action.retry ? { retry: action.retry } : {}),
    ...(action.memo ? { memo: action.memo } : {}),
    ...(action.searchAttributes ? { searchAttributes: action.searchAttributes } : {}),
    ...(action.headers ? { headers: action.headers } : {}),
  });
  const scheduleAttrs = parseStart(ctx, 'schedule', {
    ...(options.searchAttributes ? { searchAttributes: options.searchAttributes } : {}),
    ...(options.memo ? { memo: options.memo } : {}),
  });
  return {
    definition: {
      spec: storedSpec(options.spec),
      action: start,
      policies: parsePolicies(options.policies),
      ...(scheduleAttrs.memo ? { memo: scheduleAttrs.memo } : {}),
    },
    compiled,
    searchAttributes: scheduleAttrs.searchAttributes ?? {},
  };
}

function parsePolicies(p: ScheduleOptions['policies']): StoredDefinition['policies'] {
  const overlap = p?.overlap ?? 'SKIP';
  if (!OVERLAP_POLICIES.includes(overlap))
    throw bad(
      'policies.overlap',
      `${JSON.stringify(overlap)} is not one of ${OVERLAP_POLICIES.join(', ')}`,
    );
  const catchupWindowMs =
    p?.catchupWindow === undefined
      ? DEFAULT_CATCHUP_WINDOW_MS
      : parseDuration(p.catchupWindow, 'policies.catchupWindow');
  if (catchupWindowMs < MIN_CATCHUP_WINDOW_MS)
    throw bad('policies.catchupWindow', `must be at least 10 seconds (got ${catchupWindowMs} ms)`);
  if (p?.pauseOnFailure !== undefined && typeof p.pauseOnFailure !== 'boolean')
    throw bad('policies.pauseOnFailure', 'must be a boolean');
  return { overlap, catchupWindowMs, pauseOnFailure: p?.pauseOnFailure ?? false };
}

/** Validates an overlap policy given to trigger or backfill. */
export function parseOverlap(value: unknown, field: string): ScheduleOverlapPolicy | undefined {
  if (value === undefined) return undefined;
  if (!OVERLAP_POLICIES.includes(value as ScheduleOverlapPolicy))
    throw bad(field, `${JSON.stringify(value)} is not one of ${OVERLAP_POLICIES.join(', ')}`);
  return value as ScheduleOverlapPolicy;
}

export function parseRemainingActions(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw bad('state.remainingActions', 'must be a non-negative integer');
  return value;
}

export function parseNote(value: unknown, field = 'state.note'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 1000)
    throw bad(field, 'must be a string of at most 1,000 characters');
  return value;
}

function storedSpec(spec: ScheduleSpec): StoredSpec {
  const { startAt, endAt, ...rest } = spec;
  return {
    ...rest,
    ...(startAt !== undefined ? { startAt: new Date(startAt).toISOString() } : {}),
    ...(endAt !== undefined ? { endAt: new Date(endAt).toISOString() } : {}),
  };
}

/** The spec back from its stored form. */
export function specOf(stored: StoredSpec): ScheduleSpec {
  const { startAt, endAt, ...rest } = stored;
  return {
    ...rest,
    ...(startAt !== undefined ? { startAt: new Date(startAt) } : {}),
    ...(endAt !== undefined ? { endAt: new Date(endAt) } : {}),
  };
}

export function initialState(now: number, options: ScheduleOptions['state']): StoredState {
  const remaining = parseRemainingActions(options?.remainingActions);
  const note = parseNote(options?.note);
  return {
    paused: options?.paused === true,
    ...(note !== undefined ? { note } : {}),
    ...(remaining !== undefined ? { remainingActions: remaining } : {}),
    running: [],
    buffer: [],
    processedThrough: now,
    counts: { taken: 0, missed: 0, skipped: 0, dropped: 0, failed: 0 },
  };
}

/** Decodes a payload map for describe. */
export function decodeMemo(
  converter: DataConverter,
  memo: Record<string, Payload> | undefined,
): Record<string, unknown> | undefined {
  return memo
    ? Object.fromEntries(Object.entries(memo).map(([k, v]) => [k, converter.decode(v)]))
    : undefined;
}

export function bad(field: string, message: string): AionError {
  return new AionError('invalid_argument', `${field}: ${message}`, { field });
}
