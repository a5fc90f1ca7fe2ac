import { Context, runInContext, type ActivityFunction } from '../activity/internal.js';
import { RealClock } from '../clock/index.js';
import type { DataConverter, EventOf, HistoryEvent, RunKey } from '../core/index.js';

/** Why re-executing an activity could not stand in for its recorded outcome. */
export class ActivityReexecutionMismatch extends Error {
  constructor(
    readonly seq: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`re-executed activity differs: expected ${expected}, got ${actual}`);
  }
}

export interface ReexecuteContext {
  readonly run: RunKey;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly activities: Readonly<Record<string, ActivityFunction>>;
  readonly converter: DataConverter;
  /** The original history (to find the ActivityScheduled event of an outcome). */
  readonly events: readonly HistoryEvent[];
}

/**
 * Runs the real activity again for a recorded completion or failure and returns the event to
 * deliver instead: a completion carries the new result; a recorded failure stays as recorded
 * when the activity fails again. Outcomes of another kind (timeouts, cancellations) are kept.
 * Throws {@link ActivityReexecutionMismatch} when the activity now fails where it completed,
 * or completes where it failed.
 */
export async function reexecuteOutcome(
  ctx: ReexecuteContext,
  event: HistoryEvent,
): Promise<HistoryEvent> {
  if (event.type !== 'ActivityCompleted' && event.type !== 'ActivityFailed') return event;
  const scheduled = ctx.events[event.scheduledSeq - 1];
  if (scheduled?.type !== 'ActivityScheduled') return event;
  const fn = ctx.activities[scheduled.activityType];
  if (!fn) return event;
  const args = scheduled.input.map((p) => ctx.converter.decode(p));
  let value: unknown;
  try {
    value = await runInContext(contextFor(ctx, scheduled), () =>
      (fn as (...a: unknown[]) => unknown)(...args),
    );
  } catch (err) {
    if (event.type === 'ActivityFailed') return event;
    throw new ActivityReexecutionMismatch(
      event.seq,
      `${scheduled.activityType} (id ${scheduled.activityId}) to complete`,
      `a failure: ${(err as Error).message}`,
    );
  }
  if (event.type === 'ActivityFailed')
    throw new ActivityReexecutionMismatch(
      event.seq,
      `${scheduled.activityType} (id ${scheduled.activityId}) to fail (${event.failure.message})`,
      'a completion',
    );
  return { ...event, result: ctx.converter.encode(value, 'activity result') };
}

function contextFor(ctx: ReexecuteContext, scheduled: EventOf<'ActivityScheduled'>): Context {
  const clock = new RealClock();
  const now = clock.now();
  return new Context({
    info: {
      namespace: ctx.run.namespace,
      workflowId: ctx.run.workflowId,
      runId: ctx.run.runId,
      workflowType: ctx.workflowType,
      activityId: scheduled.activityId,
      activityType: scheduled.activityType,
      taskQueue: scheduled.options.taskQueue ?? ctx.taskQueue,
      attempt: 1,
      taskToken: `crash-step/${ctx.run.runId}/${scheduled.activityId}`,
      scheduledTime: scheduled.recordedAt,
      startedTime: now,
      deadline: undefined,
      heartbeatTimeoutMs: undefined,
      heartbeatDetails: undefined,
      isLocal: scheduled.local === true,
      headers: scheduled.headers ?? {},
    },
    signal: new AbortController().signal,
    clock,
    heartbeat: () => undefined,
  });
}
