// Rebuilding a run that is not resident: read its history, rebuild its book, and replay its
// code in the workflow thread (or mark it broken with the reason it cannot be rebuilt).
import { AionError, type HistoryEvent } from '../../core/index.js';
import { RunBook, WorkflowThreadRestartedError } from '../../runtime/index.js';
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import { brokenFrom } from './failures.js';

/** Reads a run's history and rebuilds it by replay (or marks it broken). */
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
  if (a.book.closed) return;
  const generation = thread.generation;
  try {
    await registry.ensureLoaded(a.key.namespace, a.book.version);
    const outcome = await thread.replay(a.mapKey, a.book.version, a.key, events);
    if (outcome.ok) {
      a.residentIn = generation === thread.generation ? generation : undefined;
      metrics.replaySeconds.observe((performance.now() - started) / 1000);
    } else {
      a.broken = { cause: outcome.cause, failure: outcome.failure };
    }
  } catch (err) {
    if (err instanceof WorkflowThreadRestartedError) return; // rebuilt on the next tick
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
