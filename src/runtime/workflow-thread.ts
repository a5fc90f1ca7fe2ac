import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  AionError,
  type ActivationOutput,
  type HistoryEvent,
  type Payload,
  type QueryOutcome,
  type UpdateValidation,
  type RunKey,
} from '../core/index.js';
import { DeadlockError } from './sandbox.js';
import type {
  ActivateItem,
  ReplayOutcome,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

/** Floor of the load/inspect timeout (see `#loadTimeoutMs`). */
const MIN_LOAD_TIMEOUT_MS = 30_000;

type Pending = {
  readonly request: WorkerRequest;
  readonly timeoutMs: number;
  readonly resolve: (res: WorkerResponse) => void;
  readonly reject: (err: unknown) => void;
};

type RequestBody = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/** The workflow thread was restarted; every resident run must be rebuilt by replay. */
export class WorkflowThreadRestartedError extends Error {
  constructor(reason: string) {
    super(`the workflow thread restarted (${reason}); the run will be rebuilt by replay`);
    this.name = 'WorkflowThreadRestartedError';
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

/** Flags of the host's command line that only concern its own main script (with a value). */
const MAIN_SCRIPT_FLAGS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print']);
/** … and without one, or with it after `=`. */
const MAIN_SCRIPT_FLAGS = [
  '--input-type',
  '--eval',
  '--print',
  '--interactive',
  '-i',
  '--check',
  '-c',
  '--test',
  '--watch',
  '--entry-url',
];

/**
 * The host's Node flags that the workflow thread should share (loaders, `--import`, source
 * maps, experimental features), without those about the host's own main script: a worker
 * started with `--input-type` or `-e` refuses to start, which made an engine created from
 * `node --input-type=module -e …` fail.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (MAIN_SCRIPT_FLAGS_WITH_VALUE.has(arg)) {
      i++; // and its value
      continue;
    }
    const name = arg.split('=')[0]!;
    if (MAIN_SCRIPT_FLAGS.some((f) => name === f || name.startsWith(`${f}-`))) continue;
    out.push(arg);
  }
  return out;
}

/**
 * Host side of the workflow thread. Requests run one at a time, each under the deadlock
 * timeout; a request that overruns terminates the thread (stopping the stuck workflow code
 * wherever it is) and a fresh thread takes over with the same packages loaded.
 */
export class WorkflowThread {
  readonly #deadlockTimeoutMs: number;
  readonly #onRestart: (reason: string) => void;
  readonly #packages = new Map<string, string>();
  #worker: Worker | undefined;
  #queue: Pending[] = [];
  #current:
    { pending: Pending; timer: NodeJS.Timeout; seen: number; changedAt: number } | undefined;
  /** Incremented by the thread after each run it finishes: the watchdog measures stalls, not batch length. */
  readonly #progress = new Int32Array(new SharedArrayBuffer(4));
  #nextId = 1;
  #closed = false;
  #generation = 0;

  constructor(options: { deadlockTimeoutMs: number; onRestart: (reason: string) => void }) {
    this.#deadlockTimeoutMs = options.deadlockTimeoutMs;
    this.#onRestart = options.onRestart;
  }

  /** Increments each time the thread is replaced (resident runs are then gone). */
  get generation(): number {
    return this.#generation;
  }

  #spawn(): Worker {
    const entry = workerEntry();
    const workerData = { progress: this.#progress.buffer };
    const worker = entry.eval
      ? new Worker(entry.code, { eval: true, workerData, execArgv: workerExecArgv() })
      : new Worker(entry.url, { workerData, execArgv: workerExecArgv() });
    worker.unref();
    worker.on('message', (res: WorkerResponse) => this.#onMessage(worker, res));
    worker.on('error', (err) => this.#onCrash(worker, `error: ${err.message}`));
    worker.on('exit', (code) => this.#onCrash(worker, `exit code ${code}`));
    // Reload every known package in the new thread before anything else.
    const loads: Pending[] = [...this.#packages].map(([version, bundle]) => ({
      request: { id: this.#nextId++, type: 'load', version, bundle },
      timeoutMs: this.#loadTimeoutMs(),
      resolve: () => undefined,
      reject: () => undefined,
    }));
    this.#queue.unshift(...loads);
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
      const request = { ...body, id: this.#nextId++ } as WorkerRequest;
      this.#queue.push({ request, timeoutMs, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#current || this.#queue.length === 0 || this.#closed) return;
    const worker = this.#ensure();
    const pending = this.#queue.shift()!;
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
          true,
        );
      }
    }, checkEvery);
    timer.unref();
    this.#current = {
      pending,
      timer,
      seen: Atomics.load(this.#progress, 0),
      changedAt: performance.now(),
    };
    worker.postMessage(pending.request);
  }

  #onMessage(worker: Worker, res: WorkerResponse): void {
    if (worker !== this.#worker || !this.#current || this.#current.pending.request.id !== res.id)
      return;
    clearInterval(this.#current.timer);
    const { pending } = this.#current;
    this.#current = undefined;
    if (res.ok) pending.resolve(res);
    else
      pending.reject(
        new AionError(
          res.error.code === 'package_invalid' ? 'package_invalid' : 'internal',
          res.error.message,
          res.error.details ?? {},
        ),
      );
    this.#pump();
  }

  #onCrash(worker: Worker, reason: string): void {
    if (worker !== this.#worker || this.#closed) return;
    this.#restart(`the thread stopped: ${reason}`, false);
  }

  /** Replaces the thread. The request in flight fails with DeadlockError when it timed out. */
  #restart(reason: string, deadlock: boolean): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#generation++;
    if (worker) {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      void worker.terminate();
    }
    const current = this.#current;
    this.#current = undefined;
    if (current) {
      clearInterval(current.timer);
      current.pending.reject(
        deadlock
          ? new DeadlockError(current.pending.timeoutMs)
          : new WorkflowThreadRestartedError(reason),
      );
    }
    // Queued activations and queries referred to runs that are gone; fail them (callers rebuild).
    const queued = this.#queue;
    this.#queue = [];
    for (const p of queued) {
      if (p.request.type === 'load') continue;
      p.reject(new WorkflowThreadRestartedError(reason));
    }
    this.#onRestart(reason);
    if (!this.#closed && this.#packages.size > 0) {
      this.#worker = this.#spawn();
      this.#pump();
    }
  }

  async loadPackage(version: string, bundle: string): Promise<void> {
    if (this.#packages.has(version)) return;
    await this.#send({ type: 'load', version, bundle }, this.#loadTimeoutMs());
    this.#packages.set(version, bundle);
  }

  /** Drops a package's sandbox (and any resident runs of it) from the thread. */
  async unloadPackage(version: string): Promise<void> {
    if (!this.#packages.delete(version)) return;
    await this.#send({ type: 'unload', version }, this.#deadlockTimeoutMs);
  }

  hasPackage(version: string): boolean {
    return this.#packages.has(version);
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
  ): Promise<ReplayOutcome> {
    const res = await this.#send({ type: 'replay', key, version, run, events });
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
    if (keys.length === 0 || !this.#worker) return;
    void this.#send({ type: 'evict', keys }).catch(() => undefined);
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
    const worker = this.#worker;
    this.#worker = undefined;
    for (const p of this.#queue.splice(0))
      p.reject(new AionError('invalid_state', 'the workflow thread is closed'));
    if (this.#current) {
      clearInterval(this.#current.timer);
      this.#current.pending.reject(new AionError('invalid_state', 'the workflow thread is closed'));
      this.#current = undefined;
    }
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }
}
