// Module-level functions for activity code, as `@temporalio/activity` has them: each acts on
// the context of the activity running in the current async context (`Context.current()`) and
// throws `invalid_state` outside an activity.
import type { Duration } from '../core/index.js';
import { Context } from './context.js';
import type { ActivityInfo, ActivityLogger } from './types.js';

/** The names `@temporalio/activity`'s `Info` gives some of {@link ActivityInfo}'s fields. */
export interface ActivityInfoAliases {
  readonly workflowExecution: { readonly workflowId: string; readonly runId: string };
  /** The namespace of the activity (and of its workflow: they are the same in Aion). */
  readonly activityNamespace: string;
  readonly workflowNamespace: string;
  /** `scheduledTime`: when the activity was scheduled (first attempt), epoch ms. */
  readonly scheduledTimestampMs: number;
  /** `startedTime`: when this attempt started, epoch ms. */
  readonly currentAttemptScheduledTimestampMs: number;
}

/** Information about the running attempt: {@link ActivityInfo} and its Temporal-style names. */
export function activityInfo(): ActivityInfo & ActivityInfoAliases {
  const info = Context.current().info;
  return {
    ...info,
    workflowExecution: { workflowId: info.workflowId, runId: info.runId },
    activityNamespace: info.namespace,
    workflowNamespace: info.namespace,
    scheduledTimestampMs: info.scheduledTime,
    currentAttemptScheduledTimestampMs: info.startedTime,
  };
}

/** Reports liveness and records `details` for the next attempt ({@link Context.heartbeat}). */
export function heartbeat(details?: unknown): void {
  Context.current().heartbeat(details);
}

/** Sleeps, rejecting as soon as the attempt is cancelled or times out ({@link Context.sleep}). */
export function sleep(duration: Duration): Promise<void> {
  return Context.current().sleep(duration);
}

/** Rejects when the attempt is cancelled or times out; never resolves. */
export function cancelled(): Promise<never> {
  return Context.current().cancelled;
}

/** Aborted when the attempt is cancelled or times out; `reason` is the failure. */
export function cancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}

/** Temporal's level names (any case) and `trace`, which logs at debug level. */
export type ActivityLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

function levelOf(level: string): 'debug' | 'info' | 'warn' | 'error' {
  const l = level.toLowerCase();
  return l === 'info' || l === 'warn' || l === 'error' ? l : 'debug';
}

/** The running activity's logger; `trace` logs at debug level. */
export const log: ActivityLogger & {
  trace(message: string, attributes?: Record<string, unknown>): void;
  /** Logs at `level` (`'INFO'`, `'warn'`…; trace and unknown levels log at debug). */
  log(
    level: ActivityLogLevel | Uppercase<ActivityLogLevel>,
    message: string,
    attributes?: Record<string, unknown>,
  ): void;
} = {
  log: (level, message, attributes) => Context.current().log[levelOf(level)](message, attributes),
  trace: (message, attributes) => Context.current().log.debug(message, attributes),
  debug: (message, attributes) => Context.current().log.debug(message, attributes),
  info: (message, attributes) => Context.current().log.info(message, attributes),
  warn: (message, attributes) => Context.current().log.warn(message, attributes),
  error: (message, attributes) => Context.current().log.error(message, attributes),
};
