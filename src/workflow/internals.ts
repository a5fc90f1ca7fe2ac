// Runs the workflow module's `internals` interceptors around the runtime's own steps.
import { composeInterceptors, type ActivationInput, type WorkflowCommand } from '../core/index.js';
import type { WorkflowInternalsInterceptor } from './interceptors.js';
import { setState, type RunState } from './internal/run-state.js';

const installed = new WeakMap<RunState, readonly WorkflowInternalsInterceptor[]>();

/** Keeps the run's `internals` interceptors (from its module's `interceptors` factory). */
export function setInternals(
  s: RunState,
  internals: readonly WorkflowInternalsInterceptor[] | undefined,
): void {
  if (internals && internals.length > 0) installed.set(s, internals);
}

/** Applies an activation through the `activate` interceptors (`apply` is the runtime's own). */
export function interceptActivate(
  s: RunState,
  activation: ActivationInput,
  apply: (activation: ActivationInput) => void,
): void {
  const list = installed.get(s);
  if (!list) {
    apply(activation);
    return;
  }
  composeInterceptors(list, 'activate', (input) => apply(input.activation))({
    activation,
    batchIndex: 0,
  });
}

/** The activation's commands as the `concludeActivation` interceptors leave them. */
export function interceptConclude(s: RunState, commands: WorkflowCommand[]): WorkflowCommand[] {
  const list = installed.get(s);
  if (!list) return commands;
  setState(s);
  const out = composeInterceptors(list, 'concludeActivation', (input) => input)({ commands });
  return [...out.commands];
}

/** Runs the `dispose` interceptors once; errors are swallowed (the instance is going away). */
export function interceptDispose(s: RunState): void {
  const list = installed.get(s);
  if (!list) return;
  installed.delete(s);
  setState(s);
  try {
    composeInterceptors(list, 'dispose', () => undefined)({});
  } catch {
    // Nothing can be reported for a run that is being dropped.
  }
}
