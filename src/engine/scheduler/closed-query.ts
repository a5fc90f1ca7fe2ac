// Queries on a closed run: its history is replayed into a throwaway instance on the version
// the run was pinned to, and the query is answered from that instance (nothing is recorded,
// the run's own actor is untouched).
import {
  AionError,
  type HistoryEvent,
  type Payload,
  type QueryOutcome,
  type RunKey,
} from '../../core/index.js';
import { DeadlockError, RunBook } from '../../runtime/index.js';
import { actorKey } from '../run-actor.js';
import type { SchedulerContext } from './context.js';

let instances = 0;

/** Answers a query from a replay of the closed run's whole history. */
export async function queryClosedRun(
  ctx: SchedulerContext,
  key: RunKey,
  name: string,
  args: readonly Payload[],
): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
  const { store, thread, registry } = ctx.deps;
  const events = await store.readHistory(key);
  if (events.length === 0)
    throw new AionError('not_found', `workflow run ${key.runId} not found`, { runId: key.runId });
  const book = new RunBook();
  for (const e of events) book.apply(e);
  const version = book.version;
  const replayed = replayable(events);
  const release = registry.hold(version); // not unloaded while the replay needs it
  const instance = `closed-query/${actorKey(key.namespace, key.runId)}/${++instances}`;
  try {
    await registry.ensureLoaded(key.namespace, version);
    const outcome = await thread.replay(instance, version, key, replayed);
    if (!outcome.ok) {
      throw new AionError(
        'query_failed',
        `query ${JSON.stringify(name)} on closed run ${key.runId}: its history does not replay on version ${version.slice(0, 12)}: ${outcome.failure.message}`,
        { failure: outcome.failure, runId: key.runId },
      );
    }
    return await thread.query(instance, name, args);
  } catch (err) {
    if (!(err instanceof DeadlockError)) throw err;
    return {
      ok: false,
      code: 'query_failed',
      failure: {
        type: 'DeadlockError',
        message: `query ${name} did not return within ${err.timeoutMs} ms`,
        retryable: false,
      },
    };
  } finally {
    thread.evict([instance]);
    release();
  }
}

/**
 * The history to replay: all of it when workflow code decided the run's end; up to the last
 * workflow-task boundary when the end came from outside (terminated, timed out) — what was
 * recorded after that boundary may be an activation cut short, which no replay reproduces.
 */
function replayable(events: readonly HistoryEvent[]): readonly HistoryEvent[] {
  const last = events.at(-1);
  if (last?.type !== 'WorkflowTerminated' && last?.type !== 'WorkflowTimedOut') return events;
  let end = events.length - 1;
  while (end > 0 && events[end - 1]!.type !== 'WorkflowTaskCompleted') end--;
  return end > 0 ? events.slice(0, end) : events.slice(0, 1);
}
