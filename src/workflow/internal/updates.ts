// Delivering updates to their handlers, as Temporal's SDK does: an update with no handler is
// held until `setHandler` (or `setDefaultUpdateHandler`) gives it one, and the ones still held
// when the activation ends are rejected. A handler starts synchronously when it is dispatched,
// so handlers that register other handlers see the held updates in Temporal's order.
import {
  composeInterceptors,
  errorToFailure,
  isAionFailure,
  type ActivationJob,
  type Failure,
  type Payload,
  type WorkflowCommand,
} from '../../core/index.js';
import { reportWorkflowError } from './errors.js';
import { decodeArgs, inbound, NO_HEADERS } from './inbound-common.js';
import { encode, pushCommand, trackHandler, type Handler, type RunState } from './run-state.js';

type DoUpdate = Extract<ActivationJob, { type: 'doUpdate' }>;

interface UpdateEntry {
  readonly handler: Handler;
  readonly validator: Handler | undefined;
}

/** The handler of update `name`: its own, else the default one (see setDefaultUpdateHandler). */
export function updateEntry(s: RunState, name: string): UpdateEntry | undefined {
  const own = s.updateHandlers.get(name);
  if (own) return own;
  const fallback = s.defaultUpdateHandler;
  return fallback
    ? { handler: (...args) => fallback(name, ...args), validator: undefined }
    : undefined;
}

/** Runs an accepted update's handler, or holds the update until it has one. */
export function doUpdate(s: RunState, job: DoUpdate): void {
  const entry = updateEntry(s, job.updateName);
  if (entry) runUpdate(s, job, entry);
  else s.bufferedUpdates.push(job);
}

/**
 * Dispatches held updates that now have a handler (after `setHandler` or
 * `setDefaultUpdateHandler`): with a default handler, all of them in arrival order; otherwise
 * the earliest one that has a handler, again and again.
 */
export function dispatchBufferedUpdates(s: RunState): void {
  const held = s.bufferedUpdates;
  while (held.length > 0) {
    const i = s.defaultUpdateHandler
      ? 0
      : held.findIndex((u) => s.updateHandlers.has(u.updateName));
    if (i === -1) return;
    const [job] = held.splice(i, 1);
    doUpdate(s, job!);
  }
}

/**
 * The activation ends: updates still without a handler are rejected (completed with an
 * `UnknownUpdate` failure), ahead of the run's terminal command if it has one.
 */
export function rejectBufferedUpdates(s: RunState): void {
  if (s.bufferedUpdates.length === 0) return;
  const rejections: WorkflowCommand[] = s.bufferedUpdates.splice(0).map((job) => ({
    type: 'completeUpdate',
    updateId: job.updateId,
    failure: {
      type: 'UnknownUpdate',
      message: `No registered handler for update: ${job.updateName}`,
      retryable: false,
    },
  }));
  // A closed run's terminal command is its last one (later commands are dropped).
  if (s.closed) s.commands.splice(s.commands.length - 1, 0, ...rejections);
  else s.commands.push(...rejections);
}

function runUpdate(s: RunState, job: DoUpdate, entry: UpdateEntry): void {
  const complete = (outcome: { result?: Payload; failure?: Failure }): void => {
    pushCommand(s, { type: 'completeUpdate', updateId: job.updateId, ...outcome });
  };
  if (job.validate && entry.validator) {
    // Recorded before any handler existed: validated now, read-only as a query.
    const rejection = validate(s, entry.validator, job.args);
    if (rejection) {
      complete({ failure: rejection });
      return;
    }
  }
  const args = decodeArgs(s, job.args);
  const run =
    inbound(s).length === 0
      ? () => entry.handler(...args)
      : () =>
          composeInterceptors(inbound(s), 'handleUpdate', (input) =>
            Promise.resolve(entry.handler(...input.args)),
          )({
            updateId: job.updateId,
            updateName: job.updateName,
            args,
            headers: job.headers ?? NO_HEADERS,
          });
  let started: Promise<unknown>;
  try {
    started = Promise.resolve(run());
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a handler threw, as-is
    started = Promise.reject(err);
  }
  trackHandler(s, started).then(
    (result) => complete({ result: encode(s, result) }),
    (err: unknown) => {
      // A failure (ApplicationFailure…) goes back to the caller; a bug is a task crash.
      if (isAionFailure(err)) complete({ failure: errorToFailure(err, (v) => encode(s, v)) });
      else reportWorkflowError(s, err);
    },
  );
}

/** Runs a validator; the failure that rejects the update, or undefined when it passes. */
function validate(s: RunState, validator: Handler, args: readonly Payload[]): Failure | undefined {
  s.inQuery = true;
  try {
    validator(...decodeArgs(s, args));
    return undefined;
  } catch (err) {
    return errorToFailure(err, (v) => encode(s, v));
  } finally {
    s.inQuery = false;
  }
}
