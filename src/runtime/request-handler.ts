// The workflow runtime's request handler: holds package sandboxes and run instances, and
// executes activations, replays and queries. The workflow thread (worker-main.ts) runs one in
// its thread; the inline runtime (the deterministic simulator's) runs one on the calling thread.
import {
  errorToFailure,
  isAionError,
  JsonPayloadConverter,
  type ActivationOutput,
  type Failure,
  type LogLine,
  type SinkCall,
} from '../core/index.js';
import { HeapBudgetExceeded, HeapGuard } from './heap-guard.js';
import { historyOf } from './event-types.js';
import { ReplayCrashError, replayHistory } from './replay.js';
import { HEAP_BUDGET_FRACTION, THREAD_ACTIVITY } from './resource-limits.js';
import { DeadlockError, PackageSandbox, type SandboxOptions, type SandboxRun } from './sandbox.js';
import { RejectionTracker } from './unhandled-rejections.js';
import type {
  ActivateItem,
  ErrorBody,
  ReplayItem,
  ReplayOutcome,
  ReplayResult,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

export interface RequestHandlerOptions {
  /** Progress cells shared with a watchdog: [0] counts steps of workflow code, [1] what runs. */
  readonly progress?: SharedArrayBuffer;
  /** Heap cap in MiB; workflow code keeping more than its share alive is stopped. None: unchecked. */
  readonly heapLimitMb?: number;
  /** The engine's deadlock timeout, for the vm watchdog of each evaluation (default if absent). */
  readonly deadlockTimeoutMs?: number;
  /** Sees each log line of workflow code as it is written (sent to the thread's host). */
  readonly onLog?: (line: LogLine) => void;
  /**
   * Attributes unhandled rejections to runs (the workflow thread's): an activation that
   * leaves one fails its task. None: they are not watched (the inline runtime).
   */
  readonly rejections?: RejectionTracker;
  /** False where the thread's own watchdog stops code that never returns (see SandboxOptions). */
  readonly vmWatchdog?: boolean;
}

const json = new JsonPayloadConverter();

/** A handler with sandboxes and runs of its own: one response per request, synchronously. */
export function createRequestHandler(
  options: RequestHandlerOptions = {},
): (req: WorkerRequest) => WorkerResponse {
  const handler = new RequestHandler(options);
  return (req) => handler.respond(req);
}

/**
 * The workflow thread's handler: as {@link createRequestHandler}, and an activation that
 * leaves a promise rejection unhandled fails its task (as in Temporal) — known only once Node
 * has reported the rejections, after the current task, so activations answer a turn later.
 */
export function createThreadRequestHandler(
  options: Omit<RequestHandlerOptions, 'rejections'> = {},
): (req: WorkerRequest) => Promise<WorkerResponse> {
  const rejections = new RejectionTracker();
  rejections.install();
  const handler = new RequestHandler({ ...options, rejections });
  return (req) => {
    const res = handler.respond(req);
    rejections.markEnd();
    if (req.type !== 'activate' || !('outputs' in res)) return Promise.resolve(res);
    return new Promise((resolve) =>
      setImmediate(() =>
        resolve(
          handler.failUnhandled(
            res,
            rejections.take(),
            req.items.map((i) => i.key),
          ),
        ),
      ),
    );
  };
}

class RequestHandler {
  readonly #shared: Int32Array;
  readonly #guard: HeapGuard | undefined;
  readonly #sandboxes = new Map<string, PackageSandbox>();
  readonly #runs = new Map<string, SandboxRun>();
  readonly #sandboxOptions: SandboxOptions;
  readonly #rejections: RejectionTracker | undefined;

  constructor(options: RequestHandlerOptions) {
    this.#sandboxOptions = {
      ...(options.deadlockTimeoutMs !== undefined
        ? { deadlockTimeoutMs: options.deadlockTimeoutMs }
        : {}),
      ...(options.onLog ? { onLog: options.onLog } : {}),
      ...(options.vmWatchdog !== undefined ? { vmWatchdog: options.vmWatchdog } : {}),
    };
    this.#rejections = options.rejections;
    this.#shared = options.progress ? new Int32Array(options.progress) : new Int32Array(2);
    this.#guard =
      options.heapLimitMb !== undefined
        ? new HeapGuard(options.heapLimitMb * 1024 * 1024, HEAP_BUDGET_FRACTION)
        : undefined;
  }

  /**
   * Tells the watchdog that workflow code returned (one run activated or replayed a step),
   * then checks the heap: a run that keeps too much alive is stopped here, before the next.
   */
  readonly #progress = (): void => {
    Atomics.add(this.#shared, 0, 1);
    Atomics.store(this.#shared, 1, THREAD_ACTIVITY.code);
    this.#guard?.check();
  };

  #moduleLoading(): void {
    Atomics.store(this.#shared, 1, THREAD_ACTIVITY.module);
  }

  #sandboxOf(version: string): PackageSandbox {
    const s = this.#sandboxes.get(version);
    if (!s) throw new Error(`package ${version} is not loaded in the workflow thread`);
    return s;
  }

  /** Forgets a run's instance, letting its `dispose` interceptors run first. */
  #drop(key: string): void {
    const run = this.#runs.get(key);
    if (!run) return;
    this.#runs.delete(key);
    run.sandbox.dispose(run);
  }

  #residentRun(key: string): SandboxRun {
    const run = this.#runs.get(key);
    if (!run) throw new Error(`run ${key} is not resident in the workflow thread`);
    return run;
  }

  #activate(items: readonly ActivateItem[]): ActivationOutput[] {
    const outputs: ActivationOutput[] = new Array<ActivationOutput>(items.length);
    const groups = new Map<
      PackageSandbox,
      { index: number; run: SandboxRun; item: ActivateItem }[]
    >();
    items.forEach((item, index) => {
      try {
        let run = this.#runs.get(item.key);
        if (item.init) {
          this.#moduleLoading();
          run = this.#sandboxOf(item.version ?? item.init.version).instantiate(item.init);
          this.#rejections?.markRun(item.key);
          this.#runs.set(item.key, run);
          this.#progress();
        }
        if (!run) throw new Error(`run ${item.key} is not resident in the workflow thread`);
        const g = groups.get(run.sandbox) ?? [];
        g.push({ index, run, item });
        groups.set(run.sandbox, g);
      } catch (err) {
        if (err instanceof HeapBudgetExceeded) throw err;
        this.#runs.delete(item.key);
        outputs[index] = {
          commands: [],
          logs: [],
          taskFailure: {
            // The module's top level overran the vm watchdog: a deadlock, as when the host's
            // watchdog replaces the thread for it.
            cause: err instanceof DeadlockError ? 'deadlock' : 'unhandled',
            failure: errorToFailure(err, (v) => json.toPayload(v)),
          },
        };
      }
    });
    for (const [sandbox, group] of groups) {
      const results = sandbox.activateBatch(
        group.map((g) => ({ run: g.run, input: g.item.input })),
        {
          timeout: false,
          onProgress: (i) => {
            this.#rejections?.markRun(group[i]!.item.key);
            this.#progress();
          },
        },
      );
      group.forEach((g, i) => {
        outputs[g.index] = results[i]!;
        if (results[i]!.taskFailure) this.#drop(g.item.key); // half-applied: rebuild by replay
      });
    }
    return outputs;
  }

  #replay(req: ReplayItem): ReplayOutcome {
    this.#drop(req.key);
    try {
      this.#moduleLoading();
      const sinkCalls: SinkCall[] = [];
      const events = historyOf(req.events);
      const result = replayHistory(this.#sandboxOf(req.version), req.run, events, {
        stacks: req.stacks,
        onInstantiated: this.#progress,
        onActivation: (output) => {
          if (output.sinkCalls) sinkCalls.push(...output.sinkCalls);
          this.#progress();
        },
      });
      this.#runs.set(req.key, result.run);
      return {
        ok: true,
        activations: result.activations,
        ...(sinkCalls.length > 0 ? { sinkCalls } : {}),
      };
    } catch (err) {
      if (err instanceof HeapBudgetExceeded) throw err;
      const failure = errorToFailure(err, (v) => json.toPayload(v));
      if (err instanceof ReplayCrashError)
        return { ok: false, cause: err.crashCause, failure: err.failure };
      if (isAionError(err) && err.code === 'nondeterminism')
        return { ok: false, cause: 'nondeterminism', failure, details: { ...err.details } };
      if (err instanceof DeadlockError) return { ok: false, cause: 'deadlock', failure };
      return { ok: false, cause: 'unhandled', failure };
    }
  }

  #handle(req: WorkerRequest): WorkerResponse {
    switch (req.type) {
      case 'load':
        if (!this.#sandboxes.has(req.version)) {
          Atomics.store(this.#shared, 1, THREAD_ACTIVITY.load);
          this.#sandboxes.set(
            req.version,
            PackageSandbox.create(req.bundle, req.version, this.#sandboxOptions),
          );
        }
        return { id: req.id, ok: true };
      case 'activate':
        return { id: req.id, ok: true, outputs: this.#activate(req.items) };
      case 'replay':
        return { id: req.id, ok: true, replay: this.#replay(req) };
      case 'replays':
        // Each its own outcome; running out of heap fails them all (the thread is replaced).
        return {
          id: req.id,
          ok: true,
          replays: req.items.map((item): ReplayResult => {
            try {
              const replay = this.#replay(item);
              this.#guard?.check();
              return { replay };
            } catch (err) {
              if (err instanceof HeapBudgetExceeded) throw err;
              return { error: errorBody(err) };
            }
          }),
        };
      case 'query': {
        const run = this.#residentRun(req.key);
        const query = run.sandbox.query(run, req.name, req.args);
        this.#progress();
        return { id: req.id, ok: true, query };
      }
      case 'validateUpdate': {
        const run = this.#residentRun(req.key);
        const validation = run.sandbox.validateUpdate(run, req.name, req.args);
        this.#progress();
        return { id: req.id, ok: true, validation };
      }
      case 'evict':
        this.#evict(req.keys);
        return { id: req.id, ok: true };
      case 'unload':
        // Resident (closed) runs keep their sandbox alive until the residency LRU evicts them.
        this.#sandboxes.delete(req.version);
        return { id: req.id, ok: true };
      case 'inspect': {
        Atomics.store(this.#shared, 1, THREAD_ACTIVITY.load);
        const inspected = PackageSandbox.create(req.bundle, 'inspect').inspect();
        return {
          id: req.id,
          ok: true,
          workflowTypes: inspected.workflowTypes,
          ...(inspected.defaults !== undefined ? { defaults: inspected.defaults } : {}),
        };
      }
    }
  }

  /**
   * Fails the activations that left a promise rejection unhandled (their commands are
   * dropped with the half-applied instance; the run is rebuilt by replay and tried again).
   */
  failUnhandled(
    res: Extract<WorkerResponse, { outputs: unknown }>,
    unhandled: ReadonlyMap<string, Failure>,
    keys: readonly string[],
  ): WorkerResponse {
    if (unhandled.size === 0) return res;
    const outputs = res.outputs.map((output, i) => {
      const failure = unhandled.get(keys[i]!);
      if (failure === undefined || output.taskFailure) return output;
      this.#drop(keys[i]!);
      return {
        commands: [],
        logs: output.logs,
        taskFailure: { cause: 'unhandled' as const, failure },
      };
    });
    return { ...res, outputs };
  }

  /**
   * Drops closed runs' instances (their `dispose` interceptors run). The host knows from the
   * shared cell what overran: a dispose that never returns is not the fault of the request it
   * rode on.
   */
  #evict(keys: readonly string[]): void {
    Atomics.store(this.#shared, 1, THREAD_ACTIVITY.dispose);
    for (const k of keys) {
      this.#drop(k);
      Atomics.add(this.#shared, 0, 1); // a dispose returned: the watchdog measures stalls
    }
    Atomics.store(this.#shared, 1, THREAD_ACTIVITY.code);
  }

  /** Handles one request (after the evictions it carries); failures become error responses. */
  respond(req: WorkerRequest): WorkerResponse {
    Atomics.store(this.#shared, 1, THREAD_ACTIVITY.code);
    try {
      if (req.evict !== undefined) this.#evict(req.evict);
      const res = this.#handle(req);
      // Whatever ran (a package's top level, a query handler) must leave the heap in budget too.
      this.#guard?.check();
      // Done: a host that reads the answer late (its own thread was busy) sees no stall.
      Atomics.add(this.#shared, 0, 1);
      return res;
    } catch (err) {
      if (err instanceof HeapBudgetExceeded) {
        // The host replaces the thread: the memory cannot be given back otherwise.
        return {
          id: req.id,
          ok: false,
          error: { code: 'resource_exhausted', message: err.message },
        };
      }
      return { id: req.id, ok: false, error: errorBody(err) };
    }
  }
}

function errorBody(err: unknown): ErrorBody {
  const e = err as Error & { code?: unknown; details?: Record<string, unknown> };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: String(e.message),
    ...(e.details ? { details: e.details } : {}),
  };
}
