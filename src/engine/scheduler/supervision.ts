// Supervision of crashed workflow tasks: restart by replay with exponential backoff within
// the policy's intensity limit, then park the run as stuck (or fail it) until it is fixed.
import { AionError } from '../../core/index.js';
import type { Arrival, RunActor } from '../run-actor.js';
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

/** Arrivals a parked run keeps for its retry (distinct ones; repeats of a timer are one). */
const MAX_PARKED_ARRIVALS = 1000;

/**
 * Parks a run the store will not take (its commits are refused, its history cannot be read):
 * flagged stuck with the reason, recording nothing until an operator retries it. Its waiting
 * senders are refused; arrivals without a sender (activity outcomes, fired timers) are kept
 * for the retry — distinct ones, at most 1,000; beyond that their rows in the store deliver
 * them again after a restart.
 */
export function freeze(ctx: SchedulerContext, a: RunActor, reason: string): void {
  const { clock, metrics, logger } = ctx.deps;
  if (a.frozen !== undefined) return;
  const since = clock.now();
  a.frozen = reason;
  a.retryTimer?.cancel();
  a.retryTimer = undefined;
  metrics.stuckRuns.inc(1, { workflow_type: a.book.started?.workflowType ?? '' });
  logger.error('workflow run parked as stuck: the store refuses it', {
    workflowId: a.key.workflowId,
    runId: a.key.runId,
    reason,
  });
  refuseFrozen(a);
  a.needsActivation = false;
  a.stuck = { reason, since };
  // Recorded (best effort) with the run's next commit, which carries nothing else.
  a.visibilityPatch = { stuck: { reason, since } };
  ctx.markReady(a);
}

/** A parked run takes nothing: waiting senders are told why, sender-less arrivals kept. */
export function refuseFrozen(a: RunActor): void {
  const error = new AionError(
    'invalid_state',
    `workflow run ${a.key.runId} is parked as stuck (${a.frozen ?? 'stuck'}); retry it once the cause is fixed`,
    { runId: a.key.runId, stuck: true },
  );
  const kept = new Map<string, Arrival>();
  for (const arrival of a.inbox) {
    if (arrival.ack) {
      arrival.ack.reject(error);
      continue;
    }
    const k = JSON.stringify(arrival.event);
    if (!kept.has(k) && kept.size < MAX_PARKED_ARRIVALS) kept.set(k, arrival);
  }
  a.inbox = [...kept.values()];
  if (a.pendingStart) {
    a.pendingStart.ack.reject(error);
    a.pendingStart = undefined;
  }
}

/** Clears the stuck flag and retries the run now (operator action or a re-pin). */
export function unpark(ctx: SchedulerContext, a: RunActor): void {
  a.frozen = undefined;
  a.commitRefusals = 0;
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
