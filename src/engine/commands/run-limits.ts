// Per-run limits on what one workflow task may leave behind: commands in the task, and
// activities, children and outbound signals pending afterwards. Breaking one fails the task.
import { AionError, type WorkflowCommand } from '../../core/index.js';
import type { RunBook } from '../../runtime/index.js';

/** Per-run limits checked on every workflow task (engine option `limits`). */
export interface RunLimits {
  /** Largest history of a run in bytes (approximate: payload bytes + 64 per event). Default 50 MiB. */
  readonly maxHistoryBytes: number;
  /** Activities of a run scheduled and not yet closed. Default 2,000. */
  readonly maxPendingActivities: number;
  /** Child workflows of a run initiated and not yet closed. Default 2,000. */
  readonly maxPendingChildren: number;
  /** Signals and cancellations a run sent to other workflows, not yet delivered. Default 2,000. */
  readonly maxPendingSignals: number;
  /** Commands one workflow task may issue. Default 10,000. */
  readonly maxCommandsPerTask: number;
}

/**
 * Temporal's defaults where it has one (50 MB of history, 2,000 pending activities, children
 * and signals per run). Commands per task bound the size of one commit.
 */
export const DEFAULT_RUN_LIMITS: RunLimits = Object.freeze({
  maxHistoryBytes: 50 * 1024 * 1024,
  maxPendingActivities: 2_000,
  maxPendingChildren: 2_000,
  maxPendingSignals: 2_000,
  maxCommandsPerTask: 10_000,
});

const RUN_LIMIT_KEYS = Object.keys(DEFAULT_RUN_LIMITS) as (keyof RunLimits)[];

/** The run limits of `overrides` (other keys are ignored); each must be a positive integer. */
export function resolveRunLimits(overrides: Partial<Record<string, unknown>> = {}): RunLimits {
  const limits: Record<string, number> = { ...DEFAULT_RUN_LIMITS };
  for (const key of RUN_LIMIT_KEYS) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new AionError(
        'invalid_argument',
        `limit ${key} must be a positive integer, got ${typeof value === 'number' ? String(value) : typeof value}`,
        { field: `limits.${key}` },
      );
    }
    limits[key] = value;
  }
  return Object.freeze(limits as unknown as RunLimits);
}

/** What a run has pending, to compare before and after a task. */
export interface PendingCounts {
  readonly activities: number;
  readonly children: number;
  readonly signals: number;
}

export function pendingCounts(book: RunBook): PendingCounts {
  return {
    activities: book.activities.size,
    children: book.children.size,
    signals: book.externals.size,
  };
}

/** Throws `run_limit_exceeded` when one task issues more commands than allowed. */
export function checkCommandCount(commands: readonly WorkflowCommand[], limits: RunLimits): void {
  const max = limits.maxCommandsPerTask;
  if (commands.length <= max) return;
  throw limitError(
    'maxCommandsPerTask',
    commands.length,
    max,
    `the workflow task issued ${commands.length} commands, over limits.maxCommandsPerTask (${max}); await part of the work before issuing the rest`,
  );
}

/**
 * Throws `run_limit_exceeded` when the task grew a pending count past its limit. Only growth
 * counts: a run already over a limit (lowered since) may still settle what it has pending.
 */
export function checkPending(before: PendingCounts, book: RunBook, limits: RunLimits): void {
  const after = pendingCounts(book);
  const over = (key: keyof PendingCounts, max: number): boolean =>
    after[key] > max && after[key] > before[key];
  if (over('activities', limits.maxPendingActivities))
    throw pendingError('maxPendingActivities', after.activities, limits, 'activities');
  if (over('children', limits.maxPendingChildren))
    throw pendingError('maxPendingChildren', after.children, limits, 'child workflows');
  if (over('signals', limits.maxPendingSignals))
    throw pendingError(
      'maxPendingSignals',
      after.signals,
      limits,
      'signals and cancellations to other workflows',
    );
}

function pendingError(
  limit: 'maxPendingActivities' | 'maxPendingChildren' | 'maxPendingSignals',
  count: number,
  limits: RunLimits,
  what: string,
): AionError {
  const max = limits[limit];
  return limitError(
    limit,
    count,
    max,
    `the workflow task would leave ${count} ${what} pending, over limits.${limit} (${max}); wait for some to finish before starting more`,
  );
}

function limitError(
  limit: keyof RunLimits,
  count: number,
  max: number,
  message: string,
): AionError {
  return new AionError('run_limit_exceeded', `${message} (or raise limits.${limit})`, {
    limit,
    count,
    max,
  });
}
