// The in-process client's calls through the client interceptors (start, signal-with-start,
// signal, query, update); without interceptors each goes straight to its service.
import {
  composeInterceptors,
  messageName,
  workflowTypeName,
  type Headers,
  type MessageRef,
  type WorkflowClientInterceptor,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
} from '../../core/index.js';
import type {
  QueryService,
  SignalService,
  UpdateService,
  UpdateCallOptions,
  StartedUpdate,
} from '../messages/index.js';
import type { RunRef } from '../read/index.js';
import type {
  InitialSignal,
  SignalWithStartOptions,
  StartedRun,
  StartService,
} from '../start/index.js';

/** An accepted update: its id, the run that accepted it, and a wait for its outcome. */
export interface AcceptedUpdate {
  readonly updateId: string;
  readonly runId: string;
  result(): Promise<unknown>;
}

export interface InterceptedCallsDeps {
  readonly interceptors: readonly WorkflowClientInterceptor[] | undefined;
  readonly starts: StartService;
  readonly signals: SignalService;
  readonly queries: QueryService;
  readonly updates: UpdateService;
}

export class InterceptedCalls {
  readonly #d: InterceptedCallsDeps;
  readonly #i: readonly WorkflowClientInterceptor[] | undefined;

  constructor(deps: InterceptedCallsDeps) {
    this.#d = deps;
    this.#i = deps.interceptors && deps.interceptors.length > 0 ? deps.interceptors : undefined;
  }

  /** Not an async function: without interceptors, the start service's own promise. */
  start(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions = {},
  ): Promise<StartedRun> {
    if (!this.#i) return this.#d.starts.start(ns, workflow, options);
    return this.#interceptedStart(this.#i, ns, workflow, options);
  }

  async #interceptedStart(
    interceptors: readonly WorkflowClientInterceptor[],
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions,
  ): Promise<StartedRun> {
    const starts = this.#d.starts;
    const { headers, ...rest } = options;
    return composeInterceptors(interceptors, 'start', async (input) => {
      const run = await starts.start(ns, input.workflowType, {
        ...input.options,
        headers: input.headers,
      });
      return { workflowId: run.workflowId, runId: run.runId };
    })({ workflowType: workflowTypeName(workflow), options: rest, headers: headers ?? {} });
  }

  /** A start with an initial signal, bypassing the interceptors (`engine.start`'s third argument). */
  startWithSignal(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions,
    withSignal: InitialSignal,
  ): Promise<StartedRun> {
    return this.#d.starts.start(ns, workflow, options, withSignal);
  }

  async signalWithStart(
    ns: string,
    workflow: WorkflowTypeRef,
    options: SignalWithStartOptions,
  ): Promise<StartedRun> {
    const starts = this.#d.starts;
    if (!this.#i) return starts.signalWithStart(ns, workflow, options);
    const { signal, signalArgs = [], headers, ...rest } = options;
    return composeInterceptors(this.#i, 'signalWithStart', async (input) => {
      const run = await starts.signalWithStart(ns, input.workflowType, {
        ...input.options,
        headers: input.headers,
        signal: input.signalName,
        signalArgs: input.signalArgs,
      });
      return { workflowId: run.workflowId, runId: run.runId };
    })({
      workflowType: workflowTypeName(workflow),
      options: rest,
      headers: headers ?? {},
      signalName: messageName(signal),
      signalArgs,
    });
  }

  async signal(
    ref: RunRef,
    signal: MessageRef,
    args: unknown[],
    requestId?: string,
    headers?: Headers,
  ): Promise<void> {
    const signals = this.#d.signals;
    if (!this.#i) return signals.signal(ref, signal, args, requestId, headers);
    return composeInterceptors(this.#i, 'signal', (input) =>
      signals.signal(ref, input.signalName, [...input.args], input.requestId, input.headers),
    )({
      workflowId: ref.workflowId,
      runId: ref.runId,
      signalName: messageName(signal),
      args,
      headers: headers ?? {},
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }

  async query(ref: RunRef, query: MessageRef, args: unknown[]): Promise<unknown> {
    const queries = this.#d.queries;
    if (!this.#i) return queries.query(ref, query, args);
    return composeInterceptors(this.#i, 'query', (input) =>
      queries.query(ref, input.queryName, [...input.args]),
    )({ workflowId: ref.workflowId, runId: ref.runId, queryName: messageName(query), args });
  }

  /** Sends an update and returns once it is accepted (through the `startUpdate` interceptors). */
  async startUpdate(
    ref: RunRef,
    update: MessageRef,
    options: UpdateCallOptions,
  ): Promise<{ updateId: string; runId: string; result: () => Promise<unknown> }> {
    const updates = this.#d.updates;
    let started: StartedUpdate | undefined;
    const out = await composeInterceptors(this.#i, 'startUpdate', async (input) => {
      started = await updates.startUpdate(ref, input.updateName, {
        args: input.args,
        headers: input.headers,
        ...(input.updateId !== undefined ? { updateId: input.updateId } : {}),
      });
      return { updateId: started.updateId, workflowRunId: started.runId };
    })({
      workflowId: ref.workflowId,
      runId: ref.runId,
      updateName: messageName(update),
      args: options.args ?? [],
      headers: options.headers ?? {},
      waitForStage: 'ACCEPTED',
      ...(options.updateId !== undefined ? { updateId: options.updateId } : {}),
    });
    const accepted = started;
    const run = { namespace: ref.namespace, workflowId: ref.workflowId, runId: out.workflowRunId };
    return {
      updateId: out.updateId,
      runId: out.workflowRunId,
      // The waiter registered at acceptance, unless an interceptor changed the update id.
      result:
        accepted?.updateId === out.updateId
          ? () => accepted.result()
          : () => updates.updateResult(run, out.updateId),
    };
  }

  /**
   * Update-with-start: starts the run with the update recorded in its start commit (so its
   * first activation handles it), or sends the update to the run the id policies chose.
   * Through the `start` interceptors, then the `startUpdate` ones (nested, as in the remote
   * client).
   */
  async startWithUpdate(
    ns: string,
    workflow: WorkflowTypeRef,
    options: WorkflowStartOptions,
    update: MessageRef,
    updateOptions: UpdateCallOptions & { readonly updateId: string },
  ): Promise<AcceptedUpdate & { workflowId: string }> {
    const { starts, updates } = this.#d;
    let accepted: (AcceptedUpdate & { workflowId: string }) | undefined;
    const { headers, ...rest } = options;
    await composeInterceptors(this.#i, 'start', async (start) => {
      await composeInterceptors(this.#i, 'startUpdate', async (input) => {
        const updateId = input.updateId ?? updateOptions.updateId;
        const run = await starts.start(
          ns,
          start.workflowType,
          { ...start.options, headers: start.headers },
          { update: input.updateName, args: input.args, updateId, headers: input.headers },
        );
        const ref = { namespace: ns, workflowId: run.workflowId, runId: run.runId };
        const sent = run.created
          ? { updateId, runId: run.runId, result: () => updates.updateResult(ref, updateId) }
          : await updates.startUpdate(ref, input.updateName, {
              args: input.args,
              headers: input.headers,
              updateId,
            });
        accepted = { workflowId: run.workflowId, ...sent, result: () => sent.result() };
        return { updateId: sent.updateId, workflowRunId: sent.runId };
      })({
        workflowId: options.workflowId ?? '',
        runId: undefined,
        updateName: messageName(update),
        args: updateOptions.args ?? [],
        headers: updateOptions.headers ?? {},
        waitForStage: 'ACCEPTED',
        updateId: updateOptions.updateId,
      });
      return { workflowId: accepted!.workflowId, runId: accepted!.runId };
    })({ workflowType: workflowTypeName(workflow), options: rest, headers: headers ?? {} });
    return accepted!;
  }

  /** The outcome of an update accepted earlier (`getUpdateHandle`). */
  updateResult(ref: RunRef, updateId: string): Promise<unknown> {
    return this.#d.updates.updateResult(ref, updateId);
  }

  async update(ref: RunRef, update: MessageRef, options: UpdateCallOptions): Promise<unknown> {
    const updates = this.#d.updates;
    if (!this.#i) return updates.update(ref, update, options);
    return composeInterceptors(this.#i, 'update', (input) =>
      updates.update(ref, input.updateName, {
        args: input.args,
        headers: input.headers,
        ...(input.updateId !== undefined ? { updateId: input.updateId } : {}),
      }),
    )({
      workflowId: ref.workflowId,
      runId: ref.runId,
      updateName: messageName(update),
      args: options.args ?? [],
      headers: options.headers ?? {},
      ...(options.updateId !== undefined ? { updateId: options.updateId } : {}),
    });
  }
}
