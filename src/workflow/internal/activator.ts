import {
  ACTIVATION_PROTOCOL_VERSION,
  ActivityFailure,
  composeInterceptors,
  errorToFailure,
  failureToError,
  JsonPayloadConverter,
  type ActivationInput,
  type ActivationJob,
  type ActivationOutput,
  type Payload,
  type PayloadConverter,
  type QueryOutcome,
  type SandboxActivator,
  type UpdateValidation,
  type Failure,
  isAionFailure,
  type LogLine,
  type WorkflowInitInfo,
} from '../../core/index.js';
import { writeLog } from '../log.js';
import { uuidFrom } from './random.js';
import { deliverSignal, trackHandler, updateEntry } from '../messages.js';
import { childFailure } from '../children.js';
import { reportWorkflowError } from './errors.js';
import { seededRandom } from './random.js';
import { decode, encode, pushCommand, setState, type RunState } from './run-state.js';
import { CancellationScope } from './scope.js';
import type { WorkflowInboundCallsInterceptor, WorkflowInterceptors } from '../interceptors.js';

const NO_HEADERS = Object.freeze({});
/** Export names of the workflow module that are not workflow types. */
const RESERVED_EXPORTS = new Set(['interceptors', 'workflowDefaults', 'payloadConverter']);

/** The per-run cell behind the sandbox's Date, Math, console and crypto (see runtime/bootstrap). */
export interface GlobalsCell {
  now: () => number;
  random: () => number;
  uuid: () => string;
  log: (level: LogLine['level'], args: unknown[]) => void;
}

type WorkflowFunction = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The activator plus the hook that hands it the run's freshly instantiated workflow module. */
export interface RunActivator extends SandboxActivator {
  setWorkflows(workflows: Record<string, unknown>): void;
}

/**
 * Creates a run's activator. The runtime is evaluated once per package sandbox; each run gets
 * its own state (made current while its code executes) and its own instance of the user's
 * workflow module, so module-level state in workflow code belongs to the run.
 */
// eslint-disable-next-line max-lines-per-function -- a per-run closure: its inner functions share the run's state and workflow module
export function createActivator(init: WorkflowInitInfo, cell?: GlobalsCell): RunActivator {
  let workflows: Record<string, unknown> = {};
  // Filled in below; the root scope reads the current state, which is this one.
  const s: RunState = {
    info: init,
    converter: new JsonPayloadConverter(),
    random: seededRandom(init.randomSeed),
    now: init.startTime,
    replaying: false,
    historyLength: 0,
    continueAsNewSuggested: false,
    commands: [],
    logs: [],
    closed: false,
    inQuery: false,
    taskFailure: undefined,
    nextActivityId: 0,
    nextTimerId: 0,
    activities: new Map(),
    timers: new Map(),
    conditions: new Set(),
    signalHandlers: new Map(),
    defaultSignalHandler: undefined,
    defaultUpdateHandler: undefined,
    runningHandlers: 0,
    bufferedSignals: [],
    queryHandlers: new Map(),
    updateHandlers: new Map(),
    knownPatches: new Set(),
    nextChildId: 0,
    nextExternalId: 0,
    externals: new Map(),
    children: new Map(),
    sentPatches: new Set(),
    cancelRequested: false,
    rootScope: undefined as unknown as CancellationScope,
    interceptors: { inbound: [], outbound: [] },
  };
  const inbound = (): readonly WorkflowInboundCallsInterceptor[] => s.interceptors.inbound;
  s.rootScope = new CancellationScope({ cancellable: true });
  setState(s);
  if (cell) {
    cell.now = () => s.now;
    cell.random = s.random;
    cell.uuid = () => uuidFrom(s.random);
    cell.log = (level, args) => writeLog(s, level, args[0], args.slice(1));
  }

  const decodeArgs = (payloads: readonly Payload[]): unknown[] => payloads.map((p) => decode(s, p));

  function start(args: readonly Payload[], headers: WorkflowInitInfo['headers']): void {
    const fn = workflows[init.workflowType];
    if (typeof fn !== 'function') {
      throw new TypeError(
        `workflow type ${JSON.stringify(init.workflowType)} is not exported by this package`,
      );
    }
    const decoded = decodeArgs(args);
    const promise =
      inbound().length === 0
        ? Promise.resolve().then(() => (fn as WorkflowFunction)(...decoded))
        : composeInterceptors(inbound(), 'execute', (input) =>
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

  // eslint-disable-next-line max-lines-per-function -- one case per activation job, each acting on this run's state in the closure
  function apply(job: ActivationJob): void {
    switch (job.type) {
      case 'startWorkflow':
        start(job.args, job.headers);
        return;
      case 'resolveActivity': {
        const op = s.activities.get(job.activityId);
        if (!op) return; // cancelled earlier: the late outcome is ignored
        s.activities.delete(job.activityId);
        op.unsubscribe?.();
        op.resolve(decode(s, job.result));
        return;
      }
      case 'rejectActivity': {
        const op = s.activities.get(job.activityId);
        if (!op) return;
        s.activities.delete(job.activityId);
        op.unsubscribe?.();
        const cause = failureToError(job.failure, (p) => decode(s, p));
        op.reject(
          new ActivityFailure(
            `activity ${op.activityType} failed: ${cause.message}`,
            op.activityType,
            job.activityId,
            job.attempt,
            job.retryState,
            cause,
          ),
        );
        return;
      }
      case 'fireTimer': {
        const op = s.timers.get(job.timerId);
        if (!op) return;
        s.timers.delete(job.timerId);
        op.resolve(undefined);
        return;
      }
      case 'signalWorkflow':
        if (inbound().length === 0) deliverSignal(s, job.signalName, decodeArgs(job.args));
        else
          composeInterceptors(inbound(), 'handleSignal', (input) =>
            deliverSignal(s, input.signalName, [...input.args]),
          )({
            signalName: job.signalName,
            args: decodeArgs(job.args),
            headers: job.headers ?? NO_HEADERS,
          });
        return;
      case 'resolveExternal': {
        const ext = s.externals.get(job.externalId);
        if (!ext) return;
        s.externals.delete(job.externalId);
        ext.resolve(undefined);
        return;
      }
      case 'rejectExternal': {
        const ext = s.externals.get(job.externalId);
        if (!ext) return;
        s.externals.delete(job.externalId);
        ext.reject(failureToError(job.failure, (p) => decode(s, p)));
        return;
      }
      case 'resolveChildStart': {
        const child = s.children.get(job.childId);
        if (!child) return;
        child.runId = job.runId;
        child.started.resolve(job.runId);
        return;
      }
      case 'failChildStart': {
        const child = s.children.get(job.childId);
        if (!child) return;
        s.children.delete(job.childId);
        const cause = failureToError(job.failure, (p) => decode(s, p));
        child.started.reject(
          childFailure(
            child.workflowType,
            child.workflowId,
            undefined,
            `child workflow ${child.workflowId} could not start: ${cause.message}`,
            cause,
          ),
        );
        return;
      }
      case 'resolveChild': {
        const child = s.children.get(job.childId);
        if (!child) return;
        s.children.delete(job.childId);
        child.started.unsubscribe?.();
        child.result.resolve(decode(s, job.result));
        return;
      }
      case 'rejectChild': {
        const child = s.children.get(job.childId);
        if (!child) return;
        s.children.delete(job.childId);
        child.started.unsubscribe?.();
        const cause = failureToError(job.failure, (p) => decode(s, p));
        child.result.reject(
          childFailure(
            child.workflowType,
            child.workflowId,
            child.runId,
            `child workflow ${child.workflowId} ${cause.message}`,
            cause,
          ),
        );
        return;
      }
      case 'doUpdate': {
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
        const args = decodeArgs(job.args);
        const run =
          inbound().length === 0
            ? () => entry.handler(...args)
            : () =>
                composeInterceptors(inbound(), 'handleUpdate', (input) =>
                  Promise.resolve(entry.handler(...input.args)),
                )({
                  updateId: job.updateId,
                  updateName: job.updateName,
                  args,
                  headers: job.headers ?? NO_HEADERS,
                });
        trackHandler(s, Promise.resolve().then(run)).then(
          (result) => complete({ result: encode(s, result) }),
          (err: unknown) => {
            // A failure (ApplicationFailure…) goes back to the caller; a bug is a task crash.
            if (isAionFailure(err)) complete({ failure: errorToFailure(err, (v) => encode(s, v)) });
            else reportWorkflowError(s, err);
          },
        );
        return;
      }
      case 'cancelWorkflow':
        s.cancelRequested = true;
        s.rootScope.cancel(job.reason ?? 'workflow cancelled');
        return;
    }
  }

  return {
    protocolVersion: ACTIVATION_PROTOCOL_VERSION,

    setWorkflows(w: Record<string, unknown>): void {
      workflows = w;
      const converter = w.payloadConverter as Partial<PayloadConverter> | undefined;
      if (typeof converter?.toPayload === 'function' && typeof converter.fromPayload === 'function')
        s.converter = converter as PayloadConverter;
      const factory = w.interceptors;
      if (typeof factory === 'function') {
        setState(s);
        const made = (factory as () => WorkflowInterceptors | undefined)() ?? {};
        s.interceptors = { inbound: made.inbound ?? [], outbound: made.outbound ?? [] };
      }
    },

    activate(input: ActivationInput): void {
      setState(s);
      s.now = input.now;
      s.replaying = input.replaying;
      s.historyLength = input.historyLength;
      s.continueAsNewSuggested = input.continueAsNewSuggested;
      for (const id of input.patches ?? []) s.knownPatches.add(id);
      for (const job of input.jobs) {
        try {
          apply(job);
        } catch (err) {
          reportWorkflowError(s, err);
        }
      }
    },

    checkConditions(): boolean {
      setState(s);
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
    },

    takeOutput(): ActivationOutput {
      const out: { -readonly [K in keyof ActivationOutput]: ActivationOutput[K] } = {
        commands: s.commands,
        logs: s.logs,
      };
      if (s.taskFailure) {
        let failure;
        try {
          failure = errorToFailure(s.taskFailure.error, (v) => encode(s, v));
        } catch {
          failure = { type: 'Error', message: 'workflow task failed', retryable: true };
        }
        out.taskFailure = { cause: s.taskFailure.cause, failure };
      }
      s.commands = [];
      s.logs = [];
      s.taskFailure = undefined;
      return out;
    },

    query(name: string, args: readonly Payload[]): QueryOutcome {
      setState(s);
      const handler = s.queryHandlers.get(name);
      if (!handler) {
        const known = [...s.queryHandlers.keys(), '__stack_trace'].join(', ');
        return {
          ok: false,
          code: 'unknown_query',
          failure: {
            type: 'UnknownQuery',
            message: `workflow has no handler for query ${JSON.stringify(name)}; known: ${known}`,
            retryable: false,
          },
        };
      }
      s.inQuery = true;
      try {
        const decoded = decodeArgs(args);
        const result =
          inbound().length === 0
            ? handler(...decoded)
            : composeInterceptors(inbound(), 'handleQuery', (input) => handler(...input.args))({
                queryName: name,
                args: decoded,
              });
        if (isThenable(result)) {
          return {
            ok: false,
            code: 'query_failed',
            failure: {
              type: 'QueryFailed',
              message: `query handler ${name} returned a promise; query handlers must be synchronous`,
              retryable: false,
            },
          };
        }
        return { ok: true, result: encode(s, result) };
      } catch (err) {
        return {
          ok: false,
          code: 'query_failed',
          failure: errorToFailure(err, (v) => encode(s, v)),
        };
      } finally {
        s.inQuery = false;
      }
    },

    validateUpdate(name: string, args: readonly Payload[]): UpdateValidation {
      setState(s);
      const entry = updateEntry(s, name);
      if (!entry) {
        const known = [...s.updateHandlers.keys()].join(', ') || 'none';
        return {
          ok: false,
          code: 'unknown_update',
          failure: {
            type: 'UnknownUpdate',
            message: `workflow has no handler for update ${JSON.stringify(name)}; known: ${known}`,
            retryable: false,
          },
        };
      }
      if (!entry.validator) return { ok: true };
      s.inQuery = true;
      try {
        entry.validator(...decodeArgs(args));
        return { ok: true };
      } catch (err) {
        return {
          ok: false,
          code: 'update_rejected',
          failure: errorToFailure(err, (v) => encode(s, v)),
        };
      } finally {
        s.inQuery = false;
      }
    },

    stackTrace(): string {
      setState(s);
      const lines: string[] = [];
      const describe = (description: string, holder: { stack?: string }): void => {
        const stack = holder.stack;
        lines.push(`waiting on ${description}`);
        if (stack)
          lines.push(
            ...stack
              .split('\n')
              .slice(1, 6)
              .map((l) => `  ${l.trim()}`),
          );
      };
      for (const op of s.activities.values()) describe(op.describe(), op.stack);
      for (const op of s.timers.values()) describe(op.describe(), op.stack);
      for (const w of s.conditions) describe(w.op.describe(), w.op.stack);
      if (s.bufferedSignals.length > 0)
        lines.push(`${s.bufferedSignals.length} signal(s) buffered without a handler`);
      return lines.length > 0
        ? lines.join('\n')
        : s.closed
          ? 'workflow has completed'
          : 'workflow is not waiting on anything';
    },

    workflowTypes(): string[] {
      return Object.keys(workflows).filter(
        (k) => typeof workflows[k] === 'function' && !RESERVED_EXPORTS.has(k),
      );
    },

    workflowDefaults(): string | undefined {
      const defaults = workflows.workflowDefaults;
      return typeof defaults === 'object' && defaults !== null
        ? JSON.stringify(defaults)
        : undefined;
    },
  };
}
