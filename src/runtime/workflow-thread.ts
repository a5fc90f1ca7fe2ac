import { startWorker } from './worker-exec-argv.js';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  AionError,
  extend,
  type ActivationOutput,
  type HistoryEvent,
  type LogLine,
  type Payload,
  type QueryOutcome,
  type UpdateValidation,
  type RunKey,
} from '../core/index.js';
import {
  DEFAULT_MAX_RESIDENT_RUNS,
  defaultWorkflowHeapLimitMb,
  ResourceExhaustedError,
  threadActivity,
  workflowThreadResourceLimits,
} from './resource-limits.js';
import { DeferredEvictions } from './deferred-evictions.js';
import { historyForThread } from './event-types.js';
import { Fifo } from './fifo.js';
import { withQueuedReplays, type QueuedRequest } from './replay-batch.js';
import { responseError, WorkflowThreadRestartedError } from './thread-errors.js';
import { createRequestHandler } from './request-handler.js';
import { DeadlockError } from './sandbox.js';
import type {
  ActivateItem,
  ReplayOutcome,
  WorkerLogMessage,
  WorkerRequest,
  WorkerRequestBody,
  WorkerResponse,
} from './worker-protocol.js';

/** Floor of the load/inspect timeout (see `#loadTimeoutMs`). */
const MIN_LOAD_TIMEOUT_MS = 30_000;

type Pending = QueuedRequest;

type RequestBody = WorkerRequestBody extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** Why the workflow thread was replaced. */
export type ThreadRestartKind = 'deadlock' | 'memory' | 'crash';

export { WorkflowThreadRestartedError };

/**
 * The workflow thread was closed (the engine is stopping) while a request was queued or in
 * flight. Not the run's fault: nothing is recorded for it, and the next start rebuilds it.
 */
export class WorkflowThreadClosedError extends WorkflowThreadRestartedError {
  constructor() {
    super('closed', 'the workflow thread is closed (the engine is stopping)');
    this.name = 'WorkflowThreadClosedError';
  }
}

function workerEntry(): { code: string; eval: true } | { url: URL; eval: false } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Running from TypeScript sources (tests, tsx): load the entry through tsx in the thread.
    // The package's `import` condition (the resolver here follows `require`).
    const tsxApi = createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    const target = new URL('./worker-main.ts', here).href;
    return {
      eval: true,
      code: `(async () => { const { register } = await import(${JSON.stringify(new URL(`file://${tsxApi}`).href)}); register(); await import(${JSON.stringify(target)}); })().catch((e) => { console.error(e); process.exit(1); });`,
    };
  }
  return { eval: false, url: new URL('./worker-main.js', here) };
}

export interface WorkflowThreadOptions {
  readonly deadlockTimeoutMs: number;
  /** V8 heap cap of the thread (`maxOldGenerationSizeMb`). Default: that of 10,000 resident runs. */
  readonly heapLimitMb?: number;
  readonly onRestart: (reason: string, kind: ThreadRestartKind) => void;
  /**
   * Internal, for the deterministic simulator: no thread; each request runs on the calling
   * thread (still in its node:vm sandbox) in a microtask, in request order, so replies come
   * in a deterministic order. No deadlock watchdog and no heap cap: a workflow that never
   * returns hangs the caller.
   */
  readonly inline?: boolean;
}

/**
 * Host side of the workflow thread. Requests run one at a time, each under the deadlock
 * timeout; a request that overruns terminates the thread (stopping the stuck workflow code
 * wherever it is) and a fresh thread takes over with the same packages loaded. The thread
 * runs under a heap cap: workflow code that runs it out of memory costs a thread restart and
 * fails the request in flight with ResourceExhaustedError, never the engine.
 */
export class WorkflowThread {
  readonly #deadlockTimeoutMs: number;
  readonly #heapLimitMb: number;
  readonly #onRestart: (reason: string, kind: ThreadRestartKind) => void;
  readonly #packages = new Map<string, string>();
  /** Versions whose bundle ran the thread out of time or memory while loading: not tried again. */
  readonly #failedLoads = new Map<string, Error>();
  /** Loads that overran or ran the thread out of memory, per version (the second is final). */
  readonly #loadFailures = new Map<string, number>();
  #worker: Worker | undefined;
  readonly #queue = new Fifo<Pending>();
  /** Runs whose next replay goes alone (see withQueuedReplays). */
  readonly #soloReplays = new Set<string>();
  #current:
    | {
        pending: Pending;
        timer: NodeJS.Timeout;
        seen: number;
        changedAt: number;
        /** Log lines written by the request's workflow code so far (WorkerLogMessage). */
        logs: LogLine[];
      }
    | undefined;
  /**
   * [0] is incremented by the thread after each run it finishes (the watchdog measures stalls,
   * not batch length); [1] says what it runs (a run's code, a module's or a bundle's top level).
   */
  readonly #progress = new Int32Array(new SharedArrayBuffer(8));
  #nextId = 1;
  /** The last evict request queued, whose keys later evictions may join while it waits. */
  #evictWaiting: { readonly pending: Pending; readonly keys: string[] } | undefined;
  /** Evictions made while the thread was idle: they ride on the next request. */
  readonly #deferred = new DeferredEvictions((keys) => this.#queueEvict(keys));
  #closed = false;
  #generation = 0;
  /** The inline runtime's handler (the `inline` option), made on first use. */
  readonly #inline: boolean;
  #inlineHandler: ReturnType<typeof createRequestHandler> | undefined;
  #inlineScheduled = false;

  constructor(options: WorkflowThreadOptions) {
    this.#deadlockTimeoutMs = options.deadlockTimeoutMs;
    this.#heapLimitMb =
      options.heapLimitMb ?? defaultWorkflowHeapLimitMb(DEFAULT_MAX_RESIDENT_RUNS);
    this.#onRestart = options.onRestart;
    this.#inline = options.inline ?? false;
  }

  /** The thread's V8 heap cap in MiB. */
  get heapLimitMb(): number {
    return this.#heapLimitMb;
  }

  /** Increments each time the thread is replaced (resident runs are then gone). */
  get generation(): number {
    return this.#generation;
  }

  #spawn(): Worker {
    const entry = workerEntry();
    const options = {
      workerData: {
        progress: this.#progress.buffer,
        heapLimitMb: this.#heapLimitMb,
        deadlockTimeoutMs: this.#deadlockTimeoutMs,
      },
      resourceLimits: workflowThreadResourceLimits(this.#heapLimitMb),
    };
    const worker = startWorker((execArgv) =>
      entry.eval
        ? new Worker(entry.code, { eval: true, execArgv, ...options })
        : new Worker(entry.url, { execArgv, ...options }),
    );
    worker.unref();
    worker.on('message', (res: WorkerResponse | WorkerLogMessage) => {
      if (!('log' in res)) this.#onMessage(worker, res);
      else if (worker === this.#worker) this.#current?.logs.push(res.log);
    });
    worker.on('error', (err: Error & { code?: unknown }) =>
      this.#onCrash(
        worker,
        `error: ${err.message}`,
        err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash',
      ),
    );
    worker.on('exit', (code) => this.#onCrash(worker, `exit code ${code}`, 'crash'));
    // Reload every known package in the new thread before anything else.
    const loads: Pending[] = [...this.#packages].map(([version, bundle]) => ({
      request: { id: this.#nextId++, type: 'load', version, bundle },
      timeoutMs: this.#loadTimeoutMs(),
      resolve: () => undefined,
      reject: () => undefined,
    }));
    this.#queue.pushFront(loads);
    return worker;
  }

  /**
   * Loading or inspecting a bundle compiles it (and, on the first request, starts the thread):
   * on a loaded machine that alone can take seconds, so a short deadlock timeout must not
   * turn it into a failed deploy. A module whose top level never returns still times out.
   */
  #loadTimeoutMs(): number {
    return Math.max(this.#deadlockTimeoutMs * 5, MIN_LOAD_TIMEOUT_MS);
  }

  #ensure(): Worker {
    if (this.#closed) throw new AionError('invalid_state', 'the workflow thread is closed');
    this.#worker ??= this.#spawn();
    return this.#worker;
  }

  #send(body: RequestBody, timeoutMs = this.#deadlockTimeoutMs): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      // Held evictions were made while nothing was queued: this request is the next one sent.
      const evict = this.#deferred.take();
      const base = extend(body, { id: this.#nextId++ }) as WorkerRequestBody;
      const request: WorkerRequest = evict === undefined ? base : { ...base, evict };
      this.#queue.push({ request, timeoutMs, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inline) {
      if (this.#inlineScheduled || this.#closed) return;
      this.#inlineScheduled = true;
      queueMicrotask(() => this.#drainInline());
      return;
    }
    if (this.#current || this.#queue.length === 0 || this.#closed) return;
    const worker = this.#ensure();
    // Replays queued together go as one request (replay-batch.ts).
    const pending = withQueuedReplays(
      this.#queue.shift()!,
      this.#queue,
      this.#soloReplays,
      () => this.#nextId++,
    );
    // A request may carry many runs; it is stuck only when no run finishes for timeoutMs.
    const checkEvery = Math.max(10, Math.min(250, Math.floor(pending.timeoutMs / 4)));
    const timer = setInterval(() => {
      const current = this.#current;
      if (!current) return;
      const now = performance.now();
      const seen = Atomics.load(this.#progress, 0);
      if (seen !== current.seen) {
        current.seen = seen;
        current.changedAt = now;
      } else if (now - current.changedAt >= pending.timeoutMs) {
        this.#restart(
          `no workflow code returned within ${pending.timeoutMs} ms during a ${pending.request.type} request`,
          'deadlock',
        );
      }
    }, checkEvery);
    timer.unref();
    this.#current = {
      pending,
      timer,
      seen: Atomics.load(this.#progress, 0),
      changedAt: performance.now(),
      logs: [],
    };
    worker.postMessage(pending.request);
  }

  /** The inline runtime: answers every queued request on this thread, in order. */
  #drainInline(): void {
    this.#inlineScheduled = false;
    this.#inlineHandler ??= createRequestHandler({ deadlockTimeoutMs: this.#deadlockTimeoutMs });
    while (this.#queue.length > 0 && !this.#closed) {
      const pending = this.#queue.shift()!;
      const res = this.#inlineHandler(pending.request);
      if (res.ok) pending.resolve(res);
      else pending.reject(responseError(res.error));
    }
  }

  #onMessage(worker: Worker, res: WorkerResponse): void {
    if (worker !== this.#worker || !this.#current || this.#current.pending.request.id !== res.id)
      return;
    if (!res.ok && res.error.code === 'resource_exhausted') {
      // The thread is over its heap budget: only a fresh thread gives the memory back.
      this.#restart(res.error.message, 'memory');
      return;
    }
    clearInterval(this.#current.timer);
    const { pending } = this.#current;
    this.#current = undefined;
    if (res.ok) pending.resolve(res);
    else pending.reject(responseError(res.error));
    this.#pump();
  }

  #onCrash(worker: Worker, reason: string, kind: ThreadRestartKind): void {
    if (worker !== this.#worker || this.#closed) return;
    this.#restart(`the thread stopped: ${reason}`, kind);
  }

  /**
   * The request in flight when the thread was replaced fails: with DeadlockError when it
   * overran, ResourceExhaustedError when the thread ran out of memory. A package whose bundle
   * did either while loading gets one more try in a fresh thread (the runs resident in the old
   * one may have used the memory; a loaded machine may have slowed the first), then is not
   * loaded again: its runs fail fast with that error. Returns true when the request is to be
   * tried again.
   */
  #failCurrent(
    pending: Pending,
    reason: string,
    kind: ThreadRestartKind,
    logs: readonly LogLine[],
  ): boolean {
    const { request } = pending;
    const during = threadActivity(Atomics.load(this.#progress, 1));
    if (during === 'dispose' && request.type !== 'evict') {
      // Stuck in (or out of memory in) a closed run's dispose that rode on this request: not
      // the request's fault. A load goes again; anything else was for the replaced thread.
      if (request.type === 'load') return true;
      pending.reject(new WorkflowThreadRestartedError(reason));
      return false;
    }
    if (request.type === 'load' && kind !== 'crash') {
      const failures = (this.#loadFailures.get(request.version) ?? 0) + 1;
      this.#loadFailures.set(request.version, failures);
      if (failures < 2) return true;
    }
    const error =
      kind === 'deadlock'
        ? new DeadlockError(pending.timeoutMs, during)
        : kind === 'memory'
          ? new ResourceExhaustedError(this.#heapLimitMb, during, request.type)
          : new WorkflowThreadRestartedError(reason);
    if (request.type === 'load' && kind !== 'crash') {
      this.#packages.delete(request.version);
      this.#failedLoads.set(request.version, error);
    }
    if (error instanceof DeadlockError) error.logs = logs;
    pending.reject(error);
    return false;
  }

  /** Replaces the thread; the request in flight fails (see #failCurrent), queued ones are retried. */
  #restart(reason: string, kind: ThreadRestartKind): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#generation++;
    this.#deferred.clear(); // their instances went with the thread
    if (worker) {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      // It may still report an error while it stops (out of memory): an 'error' event without a
      // listener would be thrown in the engine's process.
      worker.on('error', () => undefined);
      void worker.terminate();
    }
    const current = this.#current;
    this.#current = undefined;
    const queued = this.#queue.takeAll();
    if (current) {
      clearInterval(current.timer);
      if (this.#failCurrent(current.pending, reason, kind, current.logs))
        queued.unshift(current.pending);
    }
    // Queued activations and queries referred to runs that are gone; fail them (callers rebuild).
    // Known packages are reloaded by the new thread; a first load waits for it.
    for (const p of queued) {
      if (p.request.type !== 'load') p.reject(new WorkflowThreadRestartedError(reason));
      else if (!this.#packages.has(p.request.version)) this.#queue.push(p);
    }
    this.#onRestart(reason, kind);
    if (this.#closed) return;
    if (this.#packages.size > 0) this.#worker = this.#spawn();
    this.#pump();
  }

  async loadPackage(version: string, bundle: string): Promise<void> {
    if (this.#packages.has(version)) return;
    const failed = this.#failedLoads.get(version);
    if (failed) throw failed;
    await this.#send({ type: 'load', version, bundle }, this.#loadTimeoutMs());
    this.#packages.set(version, bundle);
    this.#loadFailures.delete(version);
  }

  /** Drops a package's sandbox (and any resident runs of it) from the thread. */
  async unloadPackage(version: string): Promise<void> {
    if (!this.#packages.delete(version)) return;
    await this.#send({ type: 'unload', version }, this.#deadlockTimeoutMs);
  }

  hasPackage(version: string): boolean {
    return this.#packages.has(version);
  }

  /** The bundle of a loaded package (undefined when not loaded). */
  bundleOf(version: string): string | undefined {
    return this.#packages.get(version);
  }

  /** Activates runs; throws DeadlockError (thread replaced) when the batch overran. */
  async activate(items: readonly ActivateItem[]): Promise<readonly ActivationOutput[]> {
    const res = await this.#send({ type: 'activate', items }, this.#deadlockTimeoutMs);
    return (res as { outputs: readonly ActivationOutput[] }).outputs;
  }

  async replay(
    key: string,
    version: string,
    run: RunKey,
    events: readonly HistoryEvent[],
    /** Capture where pending operations started (only replays that answer `__stack_trace`). */
    stacks = false,
  ): Promise<ReplayOutcome> {
    const history = this.#inline ? events : historyForThread(events);
    const res = await this.#send({ type: 'replay', key, version, run, events: history, stacks });
    return (res as { replay: ReplayOutcome }).replay;
  }

  async query(
    key: string,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    const res = await this.#send({ type: 'query', key, name, args });
    return (res as { query: QueryOutcome | { ok: true; stackTrace: string } }).query;
  }

  async validateUpdate(
    key: string,
    name: string,
    args: readonly Payload[],
  ): Promise<UpdateValidation> {
    const res = await this.#send({ type: 'validateUpdate', key, name, args });
    return (res as { validation: UpdateValidation }).validation;
  }

  evict(keys: readonly string[]): void {
    if (keys.length === 0 || (!this.#worker && !this.#inline)) return;
    if (!this.#inline && this.#current === undefined && this.#queue.length === 0) {
      this.#deferred.hold(keys); // the thread is idle: do not wake it for this alone
      return;
    }
    this.#queueEvict(keys);
  }

  #queueEvict(keys: readonly string[]): void {
    if (this.#closed || (!this.#worker && !this.#inline)) return;
    // Closed runs leave in batches: the keys join an evict request still waiting at the end of
    // the queue (only at the end: a request queued after it may be for one of these runs).
    const waiting = this.#evictWaiting;
    if (waiting !== undefined && this.#queue.last() === waiting.pending) {
      waiting.keys.push(...keys);
      return;
    }
    const batch = [...keys];
    void this.#send({ type: 'evict', keys: batch }).catch(() => undefined);
    const last = this.#queue.last();
    // Sent at once (the thread was idle): nothing can join it any more.
    this.#evictWaiting =
      last?.request.type === 'evict' && last.request.keys === batch
        ? { pending: last, keys: batch }
        : undefined;
  }

  async inspect(
    bundle: string,
  ): Promise<{ workflowTypes: string[]; defaults: string | undefined }> {
    const res = (await this.#send({ type: 'inspect', bundle }, this.#loadTimeoutMs())) as {
      workflowTypes: readonly string[];
      defaults?: string;
    };
    return { workflowTypes: [...res.workflowTypes], defaults: res.defaults };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#deferred.clear();
    const worker = this.#worker;
    this.#worker = undefined;
    // Requests cut short by the stop are not the runs' fault: callers record nothing for them.
    for (const p of this.#queue.takeAll()) p.reject(new WorkflowThreadClosedError());
    if (this.#current) {
      clearInterval(this.#current.timer);
      this.#current.pending.reject(new WorkflowThreadClosedError());
      this.#current = undefined;
    }
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }
}
