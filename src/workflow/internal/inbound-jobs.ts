import {
  composeInterceptors,
  type ActivationJob,
  type Payload,
  type WorkflowInitInfo,
} from '../../core/index.js';
import { deliverSignal } from '../messages.js';
import { reportWorkflowError } from './errors.js';
import { decodeArgs, inbound, NO_HEADERS } from './inbound-common.js';
import { encode, pushCommand, type RunState } from './run-state.js';

type WorkflowFunction = (...args: unknown[]) => unknown;

/** Calls the workflow function (through the inbound interceptors) and reports its outcome. */
export function startWorkflow(
  s: RunState,
  args: readonly Payload[],
  headers: WorkflowInitInfo['headers'],
): void {
  // A `default` export handles the types the module does not export (Temporal's dynamic workflow).
  const own = s.workflows.get(s.info.workflowType);
  const fn = typeof own === 'function' ? own : s.workflows.get('default');
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
