// Queries on a closed run, `__stack_trace` on an open one, and time travel on any run: a
// history (or a prefix of it) is replayed into a throwaway instance on the version the run is
// pinned to, and queries are answered from that instance (nothing is recorded, the run's own
// actor is untouched).
import {
  AionError,
  type HistoryEvent,
  type Payload,
  type QueryOutcome,
  type RunKey,
} from '../../core/index.js';
import {
  closesActivation,
  DeadlockError,
  RunBook,
  type WorkflowThread,
} from '../../runtime/index.js';
import { actorKey } from '../run-actor.js';
import type { SchedulerContext } from './context.js';

/** The built-in query that says where a run waits (answered by replay, see queryByReplay). */
export const STACK_TRACE_QUERY = '__stack_trace';

/** Built-in queries that read where operations started: an open run answers them by replay. */
export function readsStacks(name: string): boolean {
  return name === STACK_TRACE_QUERY || name === '__enhanced_stack_trace';
}

let instances = 0;

/**
 * Answers a query from a replay of the run's history: a closed run's whole history, an open
 * run's up to its last activation. Open runs are asked this way only the stack traces
 * (`__stack_trace`, `__enhanced_stack_trace`): live activations do not capture where
 * operations start (a stack capture cost more than the rest of starting an activity), and a
 * replay captures them for the activations that started what is still pending.
 */
export async function queryByReplay(
  ctx: SchedulerContext,
  key: RunKey,
  name: string,
  args: readonly Payload[],
): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
  const events = await ctx.deps.store.readHistory(key);
  if (events.length === 0)
    throw new AionError('not_found', `workflow run ${key.runId} not found`, { runId: key.runId });
  const book = new RunBook();
  for (const e of events) book.apply(e);
  try {
    return await withReplayedInstance(
      ctx,
      key,
      book.version,
      book.closed ? replayable(events) : activated(events),
      `query ${JSON.stringify(name)} on ${book.closed ? 'closed ' : ''}run ${key.runId}`,
      (thread, instance) => thread.query(instance, name, args),
    );
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
  }
}

/**
 * Replays `events` of run `key` into a throwaway instance on `version`, hands the instance
 * to `use`, and drops it. A history that does not replay is `query_failed`, its message
 * starting with `what`. The version is held (not unloaded) meanwhile.
 */
export async function withReplayedInstance<T>(
  ctx: SchedulerContext,
  key: RunKey,
  version: string,
  events: readonly HistoryEvent[],
  what: string,
  use: (thread: WorkflowThread, instance: string) => Promise<T>,
): Promise<T> {
  const { thread: live, replays, registry } = ctx.deps;
  const release = registry.hold(version); // not unloaded while the replay needs it
  const instance = `closed-query/${actorKey(key.namespace, key.runId)}/${++instances}`;
  try {
    // The bundle comes from the live thread's copy (loaded from the store when not resident).
    await registry.ensureLoaded(key.namespace, version);
    const bundle = (): string => {
      const b = live.bundleOf(version);
      if (b === undefined) throw new AionError('internal', `package ${version} is not loaded`);
      return b;
    };
    return await replays.use(version, bundle, async (thread) => {
      try {
        // Stack traces are among what these replays answer (time travel, `__stack_trace`).
        const outcome = await thread.replay(instance, version, key, events, true);
        if (!outcome.ok) {
          throw new AionError(
            'query_failed',
            `${what}: its history does not replay on version ${version.slice(0, 12)}: ${outcome.failure.message}`,
            { failure: outcome.failure, runId: key.runId },
          );
        }
        return await use(thread, instance);
      } finally {
        thread.evict([instance]);
      }
    });
  } finally {
    release();
  }
}

/**
 * An open run's history up to its last activation: what arrived after it (an outcome not yet
 * delivered) is not in the live instance either, and must not count as settled when the
 * replay decides which activations' operations are still pending.
 */
function activated(events: readonly HistoryEvent[]): readonly HistoryEvent[] {
  let end = events.length;
  while (end > 1 && !closesActivation(events[end - 1]!)) end--;
  return end === events.length ? events : events.slice(0, end);
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
