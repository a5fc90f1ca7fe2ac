// Supervision of crashed workflow tasks: restart by replay with exponential backoff within
// the policy's intensity limit, then park the run as stuck (or fail it) until it is fixed.
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';

const MAX_TASK_RETRY_MS = 60_000;

/** Retries the run's task after a backoff, or parks it once restarts exceed the policy. */
export function scheduleRetry(ctx: SchedulerContext, a: RunActor, reason?: string): void {
  if (a.retryTimer || a.stuck) return;
  const { clock, supervision: policy } = ctx.deps;
  const now = clock.now();
  a.restarts = a.restarts.filter((t) => now - t < policy.withinMs);
  a.restarts.push(now);
  if (a.restarts.length > policy.maxRestarts) {
    park(ctx, a, reason ?? a.broken?.failure.message ?? 'repeated task failures');
    return;
  }
  const n = a.restarts.length;
  const delay = Math.min(MAX_TASK_RETRY_MS, 1000 * 2 ** Math.min(16, n - 1));
  a.retryTimer = clock.schedule(clock.now() + delay, () => {
    a.retryTimer = undefined;
    a.broken = undefined;
    a.needsActivation = true;
    a.residentIn = undefined;
    ctx.markReady(ctx.runs.actor(a.key));
  });
}

/** Stops retrying: the run stays open, flagged stuck (durably), until fixed and retried. */
function park(ctx: SchedulerContext, a: RunActor, reason: string): void {
  const { clock, metrics, logger, supervision } = ctx.deps;
  const since = clock.now();
  const workflowType = a.book.started?.workflowType ?? '';
  metrics.stuckRuns.inc(1, { workflow_type: workflowType });
  logger.error('workflow run parked as stuck after repeated task failures', {
    workflowId: a.key.workflowId,
    runId: a.key.runId,
    reason,
  });
  if (supervision.failTypes.has(workflowType)) {
    a.inbox.push({
      event: {
        type: 'WorkflowFailed',
        failure: {
          type: 'WorkflowTaskFailure',
          message: `failed after repeated task crashes: ${reason}`,
          retryable: false,
        },
      },
    });
  } else {
    a.stuck = { reason, since };
    a.visibilityPatch = { stuck: { reason, since } };
  }
  ctx.markReady(a);
}

/** Clears the stuck flag and retries the run now (operator action or a re-pin). */
export function unpark(ctx: SchedulerContext, a: RunActor): void {
  a.stuck = undefined;
  a.restarts = [];
  a.broken = undefined;
  a.retryTimer?.cancel();
  a.retryTimer = undefined;
  a.visibilityPatch = { stuck: null };
  a.needsActivation = true;
  a.residentIn = undefined;
  a.loaded = false;
  ctx.markReady(a);
}
