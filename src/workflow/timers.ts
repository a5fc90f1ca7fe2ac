import { CancelledFailure, parseDuration, type Duration } from '../core/index.js';
import { captureStack, getState, pushCommand, type PendingOp } from './internal/run-state.js';
import { CancellationScope, installScopeTimer } from './internal/scope.js';
import { reportWorkflowError } from './internal/errors.js';

function startTimer(
  ms: number,
  scope: CancellationScope,
): { promise: Promise<void>; cancel: (reason?: string) => void } {
  const s = getState();
  const timerId = String(++s.nextTimerId);
  pushCommand(s, { type: 'startTimer', timerId, durationMs: ms });
  const firesAt = s.now + ms;
  let op!: PendingOp;
  const promise = new Promise<void>((resolve, reject) => {
    op = {
      kind: 'timer',
      describe: () => `timer ${timerId} (${ms} ms, fires at ${new Date(firesAt).toISOString()})`,
      stack: captureStack(s),
      resolve: () => {
        op.unsubscribe?.();
        resolve();
      },
      reject,
    };
  });
  s.timers.set(timerId, op);
  const cancel = (reason = 'timer cancelled'): void => {
    if (!s.timers.delete(timerId)) return;
    op.unsubscribe?.();
    // Started in this activation: the start never leaves it, and nothing is recorded (as in
    // Temporal, which sends no command for such a timer).
    const started = s.commands.findIndex((c) => c.type === 'startTimer' && c.timerId === timerId);
    if (started >= 0 && !s.inQuery) s.commands.splice(started, 1);
    else pushCommand(s, { type: 'cancelTimer', timerId });
    op.reject(new CancelledFailure(reason));
  };
  op.unsubscribe = scope.onCancel((reason) => cancel(reason));
  return { promise, cancel };
}

/**
 * Sleeps for a duration on a durable timer: survives restarts and fires even if the engine
 * was down at the due time. Rejects with `CancelledFailure` if its scope is cancelled.
 *
 * @example await sleep('30 days');
 */
export function sleep(duration: Duration): Promise<void> {
  const ms = parseDuration(duration, 'sleep duration');
  const scope = CancellationScope.current();
  if (scope.consideredCancelled) return Promise.reject(new CancelledFailure(scope.reason));
  return startTimer(ms, scope).promise;
}

/**
 * Waits until `fn` returns true. With a timeout, resolves `true` if the condition was met and
 * `false` if the timeout (a durable timer) elapsed first.
 */
export function condition(fn: () => boolean): Promise<void>;
export function condition(fn: () => boolean, timeout: Duration): Promise<boolean>;
export function condition(fn: () => boolean, timeout?: Duration): Promise<void | boolean> {
  const s = getState();
  const scope = CancellationScope.current();
  if (scope.consideredCancelled) return Promise.reject(new CancelledFailure(scope.reason));
  const ms = timeout === undefined ? undefined : parseDuration(timeout, 'condition timeout');
  if (fn()) return Promise.resolve(ms === undefined ? undefined : true);
  return new Promise<void | boolean>((resolve, reject) => {
    let timer: { promise: Promise<void>; cancel: (reason?: string) => void } | undefined;
    const op: PendingOp = {
      kind: 'condition',
      describe: () => (ms === undefined ? 'condition' : `condition with ${ms} ms timeout`),
      // Taken whenever stacks are (history does not tell whether a condition is still waiting
      // at its end), so a replay that answers `__stack_trace` has every one.
      stack: s.conditionStacks ? captureStack() : {},
      resolve: () => {
        s.conditions.delete(waiter);
        op.unsubscribe?.();
        timer?.cancel();
        resolve(ms === undefined ? undefined : true);
      },
      reject: (err) => {
        s.conditions.delete(waiter);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- errors from predicates are rethrown as-is
        reject(err);
      },
    };
    const waiter = { fn, op };
    s.conditions.add(waiter);
    op.unsubscribe = scope.onCancel((reason) => op.reject(new CancelledFailure(reason)));
    if (ms !== undefined) {
      timer = startTimer(ms, scope);
      timer.promise.then(
        () => {
          if (!s.conditions.has(waiter)) return;
          s.conditions.delete(waiter);
          op.unsubscribe?.();
          resolve(false);
        },
        () => undefined, // cancelled with the scope or because the condition was met
      );
    }
  });
}

installScopeTimer((ms, scope) => {
  const timer = startTimer(ms, scope);
  timer.promise.then(
    () => scope.cancel('scope timed out'),
    () => undefined,
  );
  return () => timer.cancel('scope completed');
});

/**
 * The sandbox's `setTimeout`: a durable timer (as `sleep`) in a new cancellable scope under
 * the current one. The callback runs when the timer fires; clearing the handle or cancelling
 * an enclosing scope cancels the timer and the callback never runs. An error thrown by the
 * callback is handled like one escaping the workflow function.
 */
export function workflowSetTimeout(
  callback: (...args: unknown[]) => unknown,
  ms?: number,
  ...args: unknown[]
): number {
  if (typeof callback !== 'function')
    throw new TypeError('setTimeout in workflow code needs a callback function');
  const s = getState();
  const n = Number(ms);
  const duration = Number.isFinite(n) ? Math.max(1, Math.trunc(n)) : 1;
  const parent = CancellationScope.current();
  // Nothing is scheduled in a cancelled scope; 0 is never the handle of a live timer.
  if (parent.consideredCancelled) return 0;
  const scope = new CancellationScope({ cancellable: true, parent });
  const handle = s.nextTimerId + 1;
  const timer = scope.run(() => sleep(duration));
  s.timeouts.set(handle, () => scope.cancel('timeout cleared'));
  timer.then(
    () => {
      s.timeouts.delete(handle);
      try {
        callback(...args);
      } catch (err) {
        reportWorkflowError(s, err);
      }
    },
    () => s.timeouts.delete(handle),
  );
  return handle;
}

/** The sandbox's `clearTimeout`: cancels the durable timer of a live handle, else does nothing. */
export function workflowClearTimeout(handle?: unknown): void {
  const s = getState();
  if (typeof handle !== 'number') return;
  const clear = s.timeouts.get(handle);
  if (!clear) return;
  s.timeouts.delete(handle);
  clear();
}
