import {
  composeInterceptors,
  errorToFailure,
  isAionFailure,
  type ActivationJob,
  type Failure,
  type Payload,
  type WorkflowInitInfo,
} from '../../core/index.js';
import { deliverSignal, trackHandler, updateEntry } from '../messages.js';
import type { WorkflowInboundCallsInterceptor } from '../interceptors.js';
import { reportWorkflowError } from './errors.js';
import { decode, encode, pushCommand, type RunState } from './run-state.js';

export const NO_HEADERS = Object.freeze({});

type WorkflowFunction = (...args: unknown[]) => unknown;

export function inbound(s: RunState): readonly WorkflowInboundCallsInterceptor[] {
  return s.interceptors.inbound;
}

export function decodeArgs(s: RunState, payloads: readonly Payload[]): unknown[] {
  return payloads.map((p) => decode(s, p));
}

/** Calls the workflow function (through the inbound interceptors) and reports its outcome. */
export function startWorkflow(
  s: RunState,
  workflows: Record<string, unknown>,
  args: readonly Payload[],
  headers: WorkflowInitInfo['headers'],
): void {
  // A `default` export handles the types the module does not export (Temporal's dynamic workflow).
  const own = workflows[s.info.workflowType];
  const fn = typeof own === 'function' ? own : workflows.default;
  if (typeof fn !== 'function') {
    throw new TypeError(
      `workflow type ${JSON.stringify(s.info.workflowType)} is not exported by this package`,
    );
  }
  const decoded = decodeArgs(s, args);
  s.started = true;
  const promise =
    inbound(s).length === 0
      ? Promise.resolve().then(() => (fn as WorkflowFunction)(...decoded))
      : composeInterceptors(inbound(s), 'execute', (input) =>
          Promise.resolve().then(() => (fn as WorkflowFunction)(...input.args)),
        )({ args: decoded, headers: headers ?? NO_HEADERS });
  promise.then(
    (result) => {
      try {
        pushCommand(s, { type: 'completeWorkflow', result: encode(s, result) });
      } catch (err) {
        reportWorkflowError(s, err);
      }
    },
    (err: unknown) => reportWorkflowError(s, err),
  );
}

export function signalWorkflow(
  s: RunState,
  job: Extract<ActivationJob, { type: 'signalWorkflow' }>,
): void {
  if (inbound(s).length === 0) {
    deliverSignal(s, job.signalName, decodeArgs(s, job.args));
    return;
  }
  composeInterceptors(inbound(s), 'handleSignal', (input) =>
    deliverSignal(s, input.signalName, [...input.args]),
  )({
    signalName: job.signalName,
    args: decodeArgs(s, job.args),
    headers: job.headers ?? NO_HEADERS,
  });
}

/** Runs an accepted update's handler; its result or failure completes the update. */
export function doUpdate(s: RunState, job: Extract<ActivationJob, { type: 'doUpdate' }>): void {
  const entry = updateEntry(s, job.updateName);
  const complete = (outcome: { result?: Payload; failure?: Failure }): void => {
    pushCommand(s, { type: 'completeUpdate', updateId: job.updateId, ...outcome });
  };
  if (!entry) {
    complete({
      failure: {
        type: 'UnknownUpdate',
        message: `no handler for update ${job.updateName}`,
        retryable: false,
      },
    });
    return;
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
  // The handler's synchronous part runs now, in job order with the activation's other jobs
  // (as in Temporal); a synchronous throw settles the update as a rejection would.
  let running: Promise<unknown>;
  try {
    running = Promise.resolve(run());
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what the handler threw
    running = Promise.reject(err);
  }
  trackHandler(s, running).then(
    (result) => complete({ result: encode(s, result) }),
    (err: unknown) => {
      // A failure (ApplicationFailure…) goes back to the caller; a bug is a task crash.
      if (isAionFailure(err)) complete({ failure: errorToFailure(err, (v) => encode(s, v)) });
      else reportWorkflowError(s, err);
    },
  );
}
