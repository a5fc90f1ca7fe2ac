// Rebuilding a run that is not resident: read its history, rebuild its book, and replay its
// code in the workflow thread (or mark it broken with the reason it cannot be rebuilt). The
// store may fail meanwhile: in the background the rebuild is retried until it answers.
import { AionError, isTransientStoreError, type HistoryEvent } from '../../core/index.js';
import { RunBook, WorkflowThreadRestartedError } from '../../runtime/index.js';
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import { brokenFrom } from './failures.js';
import { backgroundDelay } from '../store-retry.js';
import { freeze } from './supervision.js';

/** Reads that keep failing for a non-transient reason park the run after this many attempts. */
const MAX_READ_REFUSALS = 5;

/**
 * Rebuilds the run, waiting out store failures (the run stays held meanwhile, so its arrivals
 * queue up in its inbox). Never rejects: a run whose history cannot be read for a reason other
 * than an outage is parked after a few spaced attempts.
 */
export async function rebuildInBackground(ctx: SchedulerContext, a: RunActor): Promise<void> {
  const { retry, logger } = ctx.deps;
  for (let refusals = 0; ;) {
    try {
      await rebuildRun(ctx, a);
      return; // store attempts are counted on until a commit succeeds
    } catch (err) {
      a.reset();
      if (retry.stopped()) return;
      if (!isTransientStoreError(err) && ++refusals >= MAX_READ_REFUSALS) {
        if (a.frozen !== undefined) {
          a.visibilityPatch = undefined; // parked already; the flag cannot be written either
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        logger.error('run cannot be rebuilt', { runId: a.key.runId, error: message });
        freeze(ctx, a, `its history cannot be read: ${message}`);
        return;
      }
      await retry.delay(backgroundDelay(retry, ++a.storeAttempts), { unref: true });
      if (retry.stopped()) return;
    }
  }
}

/** Reads a run's history and rebuilds it by replay (or marks it broken); store errors throw. */
export async function rebuildRun(ctx: SchedulerContext, a: RunActor): Promise<void> {
  const { store, thread, registry, metrics, logger } = ctx.deps;
  const started = performance.now();
  const events = await store.readHistory(a.key);
  if (events.length === 0) {
    for (const arrival of a.inbox)
      arrival.ack?.reject(
        new AionError('not_found', `workflow run ${a.key.runId} of ${a.key.workflowId} not found`, {
          runId: a.key.runId,
        }),
      );
    a.inbox = [];
    a.needsActivation = false;
    ctx.runs.forget(a);
    return;
  }
  a.broken = undefined;
  const info = await store.getRun(a.key);
  // A pending visibility patch is newer than the stored flag (parking or un-parking).
  if (a.visibilityPatch === undefined) a.stuck ??= info?.stuck;
  a.book = bookFrom(events);
  a.loaded = true;
  a.residentIn = undefined;
  if (a.book.closed) {
    // Callers waiting for its result or an update hear of it even when the close was not
    // this engine's commit (a dead process's commit the store applied late).
    const terminal = events[events.length - 1]!;
    const started = a.book.started;
    ctx.deps.onClosed(
      a.key,
      terminal,
      started?.workflowType ?? '',
      true,
      started?.scheduledBy?.scheduleId,
    );
    return;
  }
  const generation = thread.generation;
  try {
    await registry.ensureLoaded(a.key.namespace, a.book.version);
    const outcome = await thread.replay(a.mapKey, a.book.version, a.key, events);
    if (outcome.ok) {
      a.residentIn = generation === thread.generation ? generation : undefined;
      metrics.replaySeconds.observe((performance.now() - started) / 1000);
      if (outcome.sinkCalls) ctx.deps.onSinkCalls(a.key, outcome.sinkCalls);
    } else {
      a.broken = { cause: outcome.cause, failure: outcome.failure };
    }
  } catch (err) {
    if (err instanceof WorkflowThreadRestartedError) return; // rebuilt on the next tick
    if (isTransientStoreError(err)) throw err; // the package could not be read: not the run's fault
    a.broken = brokenFrom(err);
  }
  if (a.broken)
    logger.warn('run cannot be rebuilt', {
      workflowId: a.key.workflowId,
      runId: a.key.runId,
      error: a.broken.failure.message,
    });
}

function bookFrom(events: readonly HistoryEvent[]): RunBook {
  const book = new RunBook();
  for (const e of events) book.apply(e);
  return book;
}
