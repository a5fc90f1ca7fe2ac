// Updates: validated against the live run (nothing recorded on rejection), recorded as
// UpdateAccepted, answered once UpdateCompleted is committed. Owns the callers' waiters.
import type { IdSource } from '../../clock/index.js';
import {
  AionError,
  failureToError,
  isTerminalEventType,
  validateHeaders,
  type DataConverter,
  type EventOf,
  type Headers,
  type HistoryEvent,
  type Limits,
  type MessageRef,
  type RunKey,
  messageName,
} from '../../core/index.js';
import type { RunInfo, Store } from '../../store/index.js';
import { encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import { actorKey } from '../run-actor.js';
import type { RunScheduler } from '../scheduler/index.js';

type UpdateWaiter = {
  resolve: (e: EventOf<'UpdateCompleted'>) => void;
  reject: (err: unknown) => void;
};

export interface UpdateCallOptions {
  args?: readonly unknown[];
  updateId?: string;
  headers?: Headers;
}

/** An accepted update (or one whose outcome a retried call found recorded). */
export interface StartedUpdate {
  readonly updateId: string;
  readonly runId: string;
  /** The update's result, or its failure (`update_failed`) as an error. */
  result(): Promise<unknown>;
}

export interface UpdateServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly limits: Limits;
  readonly identity: string;
  readonly ids: IdSource;
  readonly store: Store;
  readonly converter: DataConverter;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
  /** Cluster mode: true when another node drives the run (its commits are not seen here). */
  readonly isElsewhere?: (run: RunKey) => boolean;
}

export class UpdateService {
  readonly #d: UpdateServiceDeps;
  /** Callers waiting for an update's outcome, by run key then update id. */
  readonly #waiters = new Map<string, Map<string, UpdateWaiter[]>>();

  constructor(deps: UpdateServiceDeps) {
    this.#d = deps;
  }

  async update(ref: RunRef, update: MessageRef, options: UpdateCallOptions): Promise<unknown> {
    const started = await this.startUpdate(ref, update, options);
    return started.result();
  }

  /**
   * Validates and records an update; resolves once `UpdateAccepted` is committed (or at once
   * when a retried call finds its outcome recorded). `result()` waits for the outcome.
   */
  async startUpdate(
    ref: RunRef,
    update: MessageRef,
    options: UpdateCallOptions,
  ): Promise<StartedUpdate> {
    this.#d.lifecycle.check();
    const headers = validateHeaders(options.headers);
    const name = messageName(update);
    if (typeof name !== 'string' || name.length === 0)
      throw new AionError('invalid_argument', 'update name must be a non-empty string', {
        field: 'update',
      });
    const payloads = encodeArgs(
      this.#d.converter,
      [...(options.args ?? [])],
      `arguments of update ${name}`,
    );
    const info = await this.#d.resolver.resolve(ref);
    // A retried call with the same update id gets the recorded outcome, also once the run
    // closed (the first call's acknowledgement may have been lost with its engine).
    const recorded =
      options.updateId === undefined
        ? undefined
        : (await this.#d.store.readHistory(info)).find(
            (e): e is EventOf<'UpdateCompleted'> =>
              e.type === 'UpdateCompleted' && e.updateId === options.updateId,
          );
    if (recorded)
      return this.#started(info, recorded.updateId, () => this.#outcome(info, name, recorded));
    this.#d.resolver.checkOpen(info, 'update');
    const updateId = options.updateId ?? this.#d.ids.uuid();
    const validation = await this.#d.scheduler.validateUpdate(info, name, payloads);
    if (!validation.ok) {
      throw new AionError(
        validation.code,
        `update ${JSON.stringify(name)} on workflow ${info.workflowId}: ${validation.failure.message}`,
        { failure: validation.failure },
      );
    }
    const { completed, forget } = this.#wait(info, updateId);
    try {
      await new Promise<void>((resolve, reject) => {
        this.#d.scheduler.enqueue(info, {
          event: {
            type: 'UpdateAccepted',
            updateId,
            updateName: name,
            args: payloads,
            identity: this.#d.identity,
            ...(headers ? { headers } : {}),
            ...('unvalidated' in validation ? { unvalidated: true as const } : {}),
          },
          ack: { resolve, reject },
        });
      });
    } catch (err) {
      forget();
      throw err;
    }
    return this.#started(info, updateId, async () => this.#outcome(info, name, await completed));
  }

  /**
   * The outcome of an update accepted earlier by a run (`getUpdateHandle`, the HTTP result
   * route): waits until it completes; `not_found` when the run never accepted it,
   * `workflow_closed` when the run closed first.
   */
  async updateResult(ref: RunRef, updateId: string): Promise<unknown> {
    this.#d.lifecycle.check();
    const info = await this.#d.resolver.resolve(ref);
    // Registered before reading, so a completion committed in between is not missed.
    const { completed, forget } = this.#wait(info, updateId);
    const history = await this.#d.store.readHistory(info);
    const accepted = history.find(
      (e): e is EventOf<'UpdateAccepted'> => e.type === 'UpdateAccepted' && e.updateId === updateId,
    );
    const done = history.find(
      (e): e is EventOf<'UpdateCompleted'> =>
        e.type === 'UpdateCompleted' && e.updateId === updateId,
    );
    const name = accepted?.updateName ?? updateId;
    if (done || !accepted || history.some((e) => isTerminalEventType(e.type))) forget();
    if (done) return this.#outcome(info, name, done);
    if (!accepted)
      throw new AionError(
        'not_found',
        `workflow ${info.workflowId} run ${info.runId} has no update ${JSON.stringify(updateId)}`,
        { workflowId: info.workflowId, runId: info.runId, updateId },
      );
    if (history.some((e) => isTerminalEventType(e.type)))
      throw new AionError(
        'workflow_closed',
        `workflow ${info.workflowId} run ${info.runId} closed (${info.status}) before update ${JSON.stringify(updateId)} completed`,
        { runId: info.runId },
      );
    return this.#outcome(info, name, await completed);
  }

  #started(info: RunInfo, updateId: string, result: () => unknown): StartedUpdate {
    let outcome: Promise<unknown> | undefined;
    return {
      updateId,
      runId: info.runId,
      result: () => (outcome ??= Promise.resolve().then(result)),
    };
  }

  /** Registers a waiter for the update's completion on the run. */
  #wait(
    run: RunKey,
    updateId: string,
  ): { completed: Promise<EventOf<'UpdateCompleted'>>; forget: () => void } {
    const k = actorKey(run.namespace, run.runId);
    const waiters = this.#waiters.get(k) ?? new Map<string, UpdateWaiter[]>();
    this.#waiters.set(k, waiters);
    let waiter: UpdateWaiter | undefined;
    const completed = new Promise<EventOf<'UpdateCompleted'>>((resolve, reject) => {
      waiter = { resolve, reject };
      // Several callers may wait on one update id (a retried call while the first is in flight).
      waiters.set(updateId, [...(waiters.get(updateId) ?? []), waiter]);
    });
    completed.catch(() => undefined);
    if (this.#d.isElsewhere?.(run) === true) this.#watchRemote(run, updateId, waiter!);
    const forget = (): void => {
      const rest = (waiters.get(updateId) ?? []).filter((w) => w !== waiter);
      if (rest.length > 0) waiters.set(updateId, rest);
      else waiters.delete(updateId);
      if (waiters.size === 0 && this.#waiters.get(k) === waiters) this.#waiters.delete(k);
    };
    return { completed, forget };
  }

  /**
   * Another cluster node drives the run: its UpdateCompleted is looked for in the store (often
   * at first, then backing off) until the waiter is settled or forgotten.
   */
  #watchRemote(run: RunKey, updateId: string, waiter: UpdateWaiter): void {
    const k = actorKey(run.namespace, run.runId);
    const waiting = (): boolean => this.#waiters.get(k)?.get(updateId)?.includes(waiter) === true;
    const loop = async (): Promise<void> => {
      for (let ms = 50; waiting() && !this.#d.lifecycle.closed; ms = Math.min(ms * 2, 1_000)) {
        await this.#d.delay(ms, { unref: true });
        if (!waiting()) return;
        const history = await this.#d.store.readHistory(run).catch(() => undefined);
        const done = history?.find(
          (e): e is EventOf<'UpdateCompleted'> =>
            e.type === 'UpdateCompleted' && e.updateId === updateId,
        );
        if (done) return this.onCompleted(run, done);
        const terminal = history?.find((e) => isTerminalEventType(e.type));
        if (terminal) return this.onClosed(run, terminal);
      }
    };
    void loop();
  }

  /** An UpdateCompleted was committed: its callers get the outcome. */
  onCompleted(run: RunKey, event: EventOf<'UpdateCompleted'>): void {
    const waiters = this.#waiters.get(actorKey(run.namespace, run.runId));
    for (const w of waiters?.get(event.updateId) ?? []) w.resolve(event);
    waiters?.delete(event.updateId);
  }

  /** The run closed: updates still waiting can never complete. */
  onClosed(run: RunKey, terminal: HistoryEvent): void {
    const k = actorKey(run.namespace, run.runId);
    const updates = this.#waiters.get(k);
    if (updates === undefined) return; // the usual close: no caller waits for an update
    this.#waiters.delete(k);
    for (const w of [...updates.values()].flat()) {
      w.reject(
        new AionError(
          'workflow_closed',
          `workflow ${run.workflowId} run ${run.runId} closed (${terminal.type}) before the update completed`,
          { runId: run.runId },
        ),
      );
    }
  }

  #outcome(info: RunInfo, name: string, event: EventOf<'UpdateCompleted'>): unknown {
    if (event.failure) {
      throw new AionError(
        'update_failed',
        `update ${JSON.stringify(name)} on workflow ${info.workflowId} failed: ${event.failure.message}`,
        { failure: event.failure },
        { cause: failureToError(event.failure, (p) => this.#d.converter.decode(p)) },
      );
    }
    return event.result === undefined ? undefined : this.#d.converter.decode(event.result);
  }
}
