// Access to a run's live instance outside activations: loading it once nothing is in flight,
// and answering queries and update validators from it (nothing is recorded).
import {
  AionError,
  type Payload,
  type QueryOutcome,
  type RunKey,
  type UpdateValidation,
} from '../../core/index.js';
import { DeadlockError, WorkflowThreadRestartedError } from '../../runtime/index.js';
import type { RunActor } from '../run-actor.js';
import type { SchedulerContext } from './context.js';
import { rebuildRun } from './rebuild.js';

/** Waits until the run has nothing in flight, then returns its actor loaded (for queries). */
export async function loadWhenIdle(ctx: SchedulerContext, key: RunKey): Promise<RunActor> {
  for (let i = 0; i < 1000; i++) {
    const a = ctx.runs.actor(key);
    if (!a.busy && a.inbox.length === 0 && a.pendingStart === undefined) {
      if (!a.loaded || (!ctx.runs.isResident(a) && !a.book.closed)) {
        ctx.hold(a);
        try {
          await rebuildRun(ctx, a);
        } finally {
          ctx.release(a, 'never');
        }
        if (!a.loaded)
          throw new AionError('not_found', `workflow run ${key.runId} not found`, {
            runId: key.runId,
          });
      }
      if (!a.busy) return a;
    }
    await new Promise((r) => setImmediate(r));
  }
  throw new AionError('deadline_exceeded', `run ${key.runId} stayed busy; try again`);
}

/** Answers a query from the run's live instance. */
export function queryRun(
  ctx: SchedulerContext,
  key: RunKey,
  name: string,
  args: readonly Payload[],
): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
  return withResident(
    ctx,
    key,
    'answer queries',
    (a) => ctx.deps.thread.query(a.mapKey, name, args),
    (err) => ({
      ok: false,
      code: 'query_failed',
      failure: {
        type: 'DeadlockError',
        message: `query ${name} did not return within ${err.timeoutMs} ms`,
        retryable: false,
      },
    }),
  );
}

/** Runs an update's validator on the live instance (nothing is recorded). */
export function validateRunUpdate(
  ctx: SchedulerContext,
  key: RunKey,
  name: string,
  args: readonly Payload[],
): Promise<UpdateValidation> {
  return withResident(
    ctx,
    key,
    'take updates',
    (a) => ctx.deps.thread.validateUpdate(a.mapKey, name, args),
    (err) => ({
      ok: false,
      code: 'update_rejected',
      failure: {
        type: 'DeadlockError',
        message: `validator of update ${name} did not return within ${err.timeoutMs} ms`,
        retryable: false,
      },
    }),
  );
}

/**
 * Runs `fn` against the run's live instance (rebuilding it first when needed) while no
 * activation of the run is in flight: queries and update validators see committed state.
 */
async function withResident<T>(
  ctx: SchedulerContext,
  key: RunKey,
  what: string,
  fn: (a: RunActor) => Promise<T>,
  onDeadlock: (err: DeadlockError) => T,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const a = await loadWhenIdle(ctx, key);
    if (a.book.closed) {
      throw new AionError('workflow_closed', `run ${key.runId} is ${a.book.status}`, {
        status: a.book.status,
        runId: key.runId,
      });
    }
    if (!ctx.runs.isResident(a)) {
      if (attempt < 3 && !a.broken) continue;
      throw new AionError(
        'invalid_state',
        `run ${key.runId} cannot ${what} right now: ${a.broken?.failure.message ?? 'it is being rebuilt'}`,
        {
          runId: key.runId,
        },
      );
    }
    ctx.hold(a);
    try {
      return await fn(a);
    } catch (err) {
      if (err instanceof DeadlockError) return onDeadlock(err);
      if (!(err instanceof WorkflowThreadRestartedError) || attempt >= 3) throw err;
    } finally {
      ctx.release(a, 'if-pending');
    }
  }
}
