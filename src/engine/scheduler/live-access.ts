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

/** How long a caller waits for a run to be free before giving up (`deadline_exceeded`). */
const FREE_WAIT_MS = 60_000;
/** Waiters re-check at least this often (a run can be replaced or freed without a wake). */
const RECHECK_MS = 50;

/**
 * True when the run may be read now: nothing changes it (no activation, commit or rebuild in
 * flight, no start pending). Readers share the run, but a reader joins others only while no
 * work waits for them to leave, so a stream of queries cannot hold back the run's activations.
 */
function mayRead(a: RunActor): boolean {
  return (
    !a.busy &&
    a.pendingStart === undefined &&
    (a.readers === 0 || (a.inbox.length === 0 && !a.needsActivation))
  );
}

/** Settles when the run may have become free, or after RECHECK_MS at the latest. */
async function nextChance(a: RunActor): Promise<void> {
  const wait = a.whenFree();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    wait.freed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, RECHECK_MS);
    }),
  ]);
  clearTimeout(timer);
  wait.forget();
}

/**
 * Waits until the run may be read, rebuilding it first when it is not resident, and returns
 * its actor. With `enter`, a run that is open and resident counts the caller as a reader
 * before this returns (the caller must then call `ctx.leaveRead`).
 */
export async function loadWhenIdle(
  ctx: SchedulerContext,
  key: RunKey,
  enter = false,
): Promise<RunActor> {
  const deadline = performance.now() + FREE_WAIT_MS;
  let rebuilds = 0;
  for (;;) {
    const a = ctx.runs.actor(key);
    if (mayRead(a)) {
      const stale = !a.loaded || (!ctx.runs.isResident(a) && !a.book.closed);
      if (!stale || (rebuilds > 0 && a.broken !== undefined) || rebuilds >= 3) {
        if (enter && !stale && !a.book.closed) ctx.enterRead(a);
        return a;
      }
      if (a.readers === 0) {
        rebuilds++;
        ctx.hold(a);
        try {
          await rebuildRun(ctx, a);
        } finally {
          ctx.release(a, 'if-pending'); // arrivals that came meanwhile are not stranded
        }
        if (!a.loaded)
          throw new AionError('not_found', `workflow run ${key.runId} not found`, {
            runId: key.runId,
          });
        continue;
      }
    }
    if (!ctx.deps.health.available) {
      // Busy waiting for the store (a commit's outcome, a rebuild): the caller retries.
      throw new AionError('store_unavailable', `run ${key.runId} is waiting for the store`, {
        runId: key.runId,
      });
    }
    if (performance.now() > deadline)
      throw new AionError('deadline_exceeded', `run ${key.runId} stayed busy; try again`);
    await nextChance(a);
  }
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

/** What an update's sender is told before it is recorded. */
export type UpdateAdmission = UpdateValidation | { readonly ok: true; readonly unvalidated: true };

/**
 * Runs an update's validator on the live instance (nothing is recorded). A run whose code has
 * not completed an activation yet has no handlers to ask: its updates are taken unvalidated,
 * delivered in its first activation and validated there (Temporal's order: the handlers set
 * at the top of the workflow function see them).
 */
export async function validateRunUpdate(
  ctx: SchedulerContext,
  key: RunKey,
  name: string,
  args: readonly Payload[],
): Promise<UpdateAdmission> {
  const a = await loadWhenIdle(ctx, key);
  if (a.loaded && !a.book.closed && a.book.lastTaskCompletedSeq === 0)
    return { ok: true, unvalidated: true };
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
    const a = await loadWhenIdle(ctx, key, true);
    if (a.book.closed) {
      throw new AionError('workflow_closed', `run ${key.runId} is ${a.book.status}`, {
        status: a.book.status,
        runId: key.runId,
      });
    }
    if (!ctx.runs.isResident(a)) {
      throw new AionError(
        'invalid_state',
        `run ${key.runId} cannot ${what} right now: ${a.broken?.failure.message ?? 'it is being rebuilt'}`,
        { runId: key.runId },
      );
    }
    // Counted as a reader by loadWhenIdle: no activation of the run starts until we leave.
    try {
      return await fn(a);
    } catch (err) {
      if (err instanceof DeadlockError) return onDeadlock(err);
      if (!(err instanceof WorkflowThreadRestartedError) || attempt >= 3) throw err;
    } finally {
      ctx.leaveRead(a);
    }
  }
}
