// A commit whose outcome is unknown: the store failed while it was in flight, so it may or may
// not have been applied. The run's history is read back (waiting for the store as long as it
// takes): the expected seq tells whether the commit landed. Never assumed either way.
import { AionError } from '../../core/index.js';
import { backgroundDelay, retryForever } from '../store-retry.js';
import { setInFlight } from './ack-deadlines.js';
import { committed } from './commit-outcome.js';
import type { SchedulerContext } from './context.js';
import type { Plan } from './plan.js';
import { requeue } from './planning.js';

/**
 * Resolves the plan's commit: applied → its acks and side effects follow as for any commit;
 * not applied → its input goes back to the run. Either way the run is then rebuilt by replay
 * from what is committed, never from memory that may be ahead of the store.
 */
export async function resolveInDoubt(ctx: SchedulerContext, p: Plan): Promise<void> {
  const a = p.actor;
  let landed: boolean;
  try {
    landed = await retryForever(ctx.deps.retry, () => commitLanded(ctx, p));
  } catch (err) {
    // The engine stopped (or the history cannot be read): the outcome stays unknown.
    unknownOutcome(p, err);
    a.reset();
    return;
  }
  ctx.deps.logger.debug('commit outcome settled by reading the history back', {
    runId: a.key.runId,
    landed,
    fromSeq: p.events[0]?.seq,
    events: p.events.length,
  });
  if (landed) {
    committed(ctx, p);
    a.reset();
    return;
  }
  setInFlight(p, false); // back in the inbox: not part of any commit now
  // The store answers reads but failed the write (e.g. a full disk): space the attempts out.
  const { retry } = ctx.deps;
  await retry.delay(backgroundDelay(retry, ++a.storeAttempts), { unref: true });
  if (retry.stopped()) {
    const error = new AionError('unavailable', 'the engine shut down before this was recorded');
    p.start?.ack.reject(error);
    for (const arrival of p.arrivals) arrival.ack?.reject(error);
  }
  a.visibilityPatch ??= p.visibility;
  requeue(ctx, p, a.isolate);
}

/** Whether the plan's first event is in the store at its seq (a side-effect-only commit: no). */
async function commitLanded(ctx: SchedulerContext, p: Plan): Promise<boolean> {
  const first = p.events[0];
  if (first === undefined) return false; // nothing to look for: its effects are recomputed
  const [stored] = await ctx.deps.store.readHistory(p.actor.key, {
    fromSeq: first.seq,
    toSeq: first.seq,
  });
  return (
    stored !== undefined &&
    stored.seq === first.seq &&
    stored.type === first.type &&
    stored.recordedAt === first.recordedAt
  );
}

function unknownOutcome(p: Plan, cause: unknown): void {
  const error = new AionError(
    'store_unavailable',
    'the store went away while this was being committed and the engine stopped before it could tell whether the commit was applied; retry with the same requestId to be safe',
    { outcome: 'unknown' },
    { cause },
  );
  p.start?.ack.reject(error);
  for (const arrival of p.arrivals) arrival.ack?.reject(error);
}
