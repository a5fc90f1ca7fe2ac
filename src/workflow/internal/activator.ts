import {
  ACTIVATION_PROTOCOL_VERSION,
  errorToFailure,
  type ActivationInput,
  type ActivationJob,
  type ActivationOutput,
  type Payload,
  type PayloadConverter,
  type QueryOutcome,
  type SandboxActivator,
  type UpdateValidation,
  type WorkflowInitInfo,
} from '../../core/index.js';
import type { WorkflowInterceptors } from '../interceptors.js';
import { takeSinkCalls } from '../sinks.js';
import {
  interceptActivate,
  interceptConclude,
  interceptDispose,
  setInternals,
} from '../internals.js';
import { reportWorkflowError } from './errors.js';
import { assignExternalIds } from './external-ids.js';
import { signalWorkflow, startWorkflow } from './inbound-jobs.js';
import { newRunState, type GlobalsCell } from './new-run-state.js';
import { runQuery, validateUpdate } from './queries.js';
import { applyResolveJob, isResolveJob } from './resolve-jobs.js';
import { encode, setState, STACKS_PER_ACTIVATION, type RunState } from './run-state.js';
import { stackTrace } from './stack-trace.js';
import { doUpdate, rejectBufferedUpdates } from './updates.js';
import { readExports, workflowFunctions } from './workflow-exports.js';

export type { GlobalsCell } from './new-run-state.js';

/** The activator plus the hook that hands it the run's freshly instantiated workflow module. */
export interface RunActivator extends SandboxActivator {
  setWorkflows(workflows: Record<string, unknown>): void;
}

function applyJob(s: RunState, job: ActivationJob): void {
  if (isResolveJob(job)) {
    applyResolveJob(s, job);
    return;
  }
  switch (job.type) {
    case 'startWorkflow':
      startWorkflow(s, job.args, job.headers);
      return;
    case 'signalWorkflow':
      signalWorkflow(s, job);
      return;
    case 'doUpdate':
      doUpdate(s, job);
      return;
    case 'cancelWorkflow':
      s.cancelRequested = true;
      s.rootScope.cancel(job.reason ?? 'workflow cancelled');
      return;
  }
}

/** Evaluates every condition waiter; resolves those now true. True when any fired. */
function checkConditions(s: RunState): boolean {
  setState(s);
  if (s.conditionCount === 0) return false;
  let fired = false;
  for (const waiter of [...s.conditions]) {
    let ok = false;
    try {
      ok = waiter.fn();
    } catch (err) {
      s.conditions.delete(waiter);
      waiter.op.reject(err);
      continue;
    }
    if (ok) {
      fired = true;
      waiter.op.resolve(undefined);
    }
  }
  return fired;
}

/** Hands the commands, logs and task failure gathered since the last call to the engine. */
function takeOutput(s: RunState): ActivationOutput {
  rejectBufferedUpdates(s);
  // Recorded ids first: the conclude interceptors see the commands as the engine will.
  let commands = assignExternalIds(s);
  try {
    commands = interceptConclude(s, commands);
  } catch (err) {
    reportWorkflowError(s, err);
  }
  const out: { -readonly [K in keyof ActivationOutput]: ActivationOutput[K] } = {
    commands,
    logs: s.logs,
  };
  // A forbidden API was called: the activation fails whatever workflow code did with the error.
  if (s.violation !== undefined) s.taskFailure = { cause: 'sandbox', error: s.violation };
  if (s.taskFailure) {
    let failure;
    try {
      failure = errorToFailure(s.taskFailure.error, (v) => encode(s, v));
    } catch {
      failure = { type: 'Error', message: 'workflow task failed', retryable: true };
    }
    out.taskFailure = { cause: s.taskFailure.cause, failure };
  }
  const sinkCalls = takeSinkCalls(s);
  if (sinkCalls) out.sinkCalls = sinkCalls;
  s.commands = [];
  s.logs = [];
  s.stacksLeft = STACKS_PER_ACTIVATION;
  s.conditionStacks = true;
  s.taskFailure = undefined;
  s.violation = undefined;
  return out;
}

function installModule(s: RunState, module: Record<string, unknown>): void {
  s.workflows = readExports(module);
  const converter = s.workflows.get('payloadConverter') as Partial<PayloadConverter> | undefined;
  if (typeof converter?.toPayload === 'function' && typeof converter.fromPayload === 'function')
    s.converter = converter as PayloadConverter;
  const factory = s.workflows.get('interceptors');
  if (typeof factory === 'function') {
    setState(s);
    const made = (factory as () => WorkflowInterceptors | undefined)() ?? {};
    s.interceptors = { inbound: made.inbound ?? [], outbound: made.outbound ?? [] };
    setInternals(s, made.internals);
  }
}

/** Applies an activation's jobs in order; a job's error fails the task, not the others. */
function applyJobs(s: RunState, activation: ActivationInput): void {
  for (const job of activation.jobs) {
    try {
      applyJob(s, job);
    } catch (err) {
      reportWorkflowError(s, err);
    }
  }
}

/**
 * A run's activator: the hooks the sandbox calls for the run, over its state. A class, so that
 * its methods are shared by every run rather than made for each.
 */
class RunActivatorObject implements RunActivator {
  readonly protocolVersion = ACTIVATION_PROTOCOL_VERSION;
  readonly #s: RunState;

  constructor(s: RunState) {
    this.#s = s;
  }

  setWorkflows(module: Record<string, unknown>): void {
    installModule(this.#s, module);
  }

  activate(input: ActivationInput): void {
    const s = this.#s;
    setState(s);
    s.now = input.now;
    s.replaying = input.replaying;
    s.stacksLeft = input.captureStacks === false ? 0 : STACKS_PER_ACTIVATION;
    s.conditionStacks = input.captureConditionStacks !== false;
    s.historyLength = input.historyLength;
    s.continueAsNewSuggested = input.continueAsNewSuggested;
    for (const id of input.patches ?? []) s.knownPatches.add(id);
    try {
      interceptActivate(s, input, (activation) => applyJobs(s, activation));
    } catch (err) {
      reportWorkflowError(s, err);
    }
  }

  dispose(): void {
    interceptDispose(this.#s);
  }

  checkConditions(): boolean {
    return checkConditions(this.#s);
  }

  hasConditions(): boolean {
    return this.#s.conditionCount > 0;
  }

  takeOutput(): ActivationOutput {
    return takeOutput(this.#s);
  }

  query(name: string, args: readonly Payload[]): QueryOutcome {
    return runQuery(this.#s, name, args);
  }

  validateUpdate(name: string, args: readonly Payload[]): UpdateValidation {
    return validateUpdate(this.#s, name, args);
  }

  stackTrace(): string {
    return stackTrace(this.#s);
  }

  workflowTypes(): string[] {
    return [...workflowFunctions(this.#s.workflows)].map(([name]) => name);
  }

  workflowDefaults(): string | undefined {
    const defaults = this.#s.workflows.get('workflowDefaults');
    return typeof defaults === 'object' && defaults !== null ? JSON.stringify(defaults) : undefined;
  }
}

/**
 * Creates a run's activator. The runtime is evaluated once per package sandbox; each run gets
 * its own state (made current while its code executes) and its own instance of the user's
 * workflow module, so module-level state in workflow code belongs to the run.
 */
export function createActivator(init: WorkflowInitInfo, cell?: GlobalsCell): RunActivator {
  return new RunActivatorObject(newRunState(init, cell));
}
