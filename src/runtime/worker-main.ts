/**
 * Entry of the workflow thread: holds package sandboxes and run instances, and executes
 * activations, replays and queries on request. Workflow code never runs on the engine's main
 * thread, so a deadlocked workflow can be stopped by terminating this thread — which is safe
 * whatever async hooks the host process uses.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  errorToFailure,
  isAionError,
  JsonPayloadConverter,
  type ActivationOutput,
} from '../core/index.js';
import { HeapBudgetExceeded, HeapGuard } from './heap-guard.js';
import { ReplayCrashError, replayHistory } from './replay.js';
import { HEAP_BUDGET_FRACTION, THREAD_ACTIVITY } from './resource-limits.js';
import { PackageSandbox, type SandboxRun } from './sandbox.js';
import type {
  ActivateItem,
  ReplayOutcome,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

const port = parentPort!;
const data = workerData as
  { progress?: SharedArrayBuffer; heapLimitMb?: number; deadlockTimeoutMs?: number } | undefined;
/** The engine's deadlock timeout, for the vm watchdog of each evaluation (default if absent). */
const sandboxOptions =
  data?.deadlockTimeoutMs !== undefined ? { deadlockTimeoutMs: data.deadlockTimeoutMs } : {};
/** [0] counts steps of workflow code that returned; [1] says what runs now (THREAD_ACTIVITY). */
const shared = data?.progress ? new Int32Array(data.progress) : new Int32Array(2);
const guard =
  data?.heapLimitMb !== undefined
    ? new HeapGuard(data.heapLimitMb * 1024 * 1024, HEAP_BUDGET_FRACTION)
    : undefined;
/**
 * Tells the host's watchdog that workflow code returned (one run activated or replayed a
 * step), then checks the heap: a run that keeps too much alive is stopped here, before the
 * next one runs.
 */
const progress = (): void => {
  Atomics.add(shared, 0, 1);
  Atomics.store(shared, 1, THREAD_ACTIVITY.code);
  guard?.check();
};
const moduleLoading = (): void => {
  Atomics.store(shared, 1, THREAD_ACTIVITY.module);
};
const sandboxes = new Map<string, PackageSandbox>();
const runs = new Map<string, SandboxRun>();
const json = new JsonPayloadConverter();

function sandboxOf(version: string): PackageSandbox {
  const s = sandboxes.get(version);
  if (!s) throw new Error(`package ${version} is not loaded in the workflow thread`);
  return s;
}

function activate(items: readonly ActivateItem[]): ActivationOutput[] {
  const outputs: ActivationOutput[] = new Array<ActivationOutput>(items.length);
  const groups = new Map<
    PackageSandbox,
    { index: number; run: SandboxRun; item: ActivateItem }[]
  >();
  items.forEach((item, index) => {
    try {
      let run = runs.get(item.key);
      if (item.init) {
        moduleLoading();
        run = sandboxOf(item.version).instantiate(item.init);
        runs.set(item.key, run);
        progress();
      }
      if (!run) throw new Error(`run ${item.key} is not resident in the workflow thread`);
      const g = groups.get(run.sandbox) ?? [];
      g.push({ index, run, item });
      groups.set(run.sandbox, g);
    } catch (err) {
      if (err instanceof HeapBudgetExceeded) throw err;
      runs.delete(item.key);
      outputs[index] = {
        commands: [],
        logs: [],
        taskFailure: { cause: 'unhandled', failure: errorToFailure(err, (v) => json.toPayload(v)) },
      };
    }
  });
  for (const [sandbox, group] of groups) {
    const results = sandbox.activateBatch(
      group.map((g) => ({ run: g.run, input: g.item.input })),
      { timeout: false, onProgress: progress },
    );
    group.forEach((g, i) => {
      outputs[g.index] = results[i]!;
      if (results[i]!.taskFailure) runs.delete(g.item.key); // half-applied: rebuild by replay
    });
  }
  return outputs;
}

function replay(req: Extract<WorkerRequest, { type: 'replay' }>): ReplayOutcome {
  runs.delete(req.key);
  try {
    moduleLoading();
    const result = replayHistory(sandboxOf(req.version), req.run, req.events, {
      onInstantiated: progress,
      onActivation: progress,
    });
    runs.set(req.key, result.run);
    return { ok: true, activations: result.activations };
  } catch (err) {
    if (err instanceof HeapBudgetExceeded) throw err;
    const failure = errorToFailure(err, (v) => json.toPayload(v));
    if (err instanceof ReplayCrashError)
      return { ok: false, cause: err.crashCause, failure: err.failure };
    if (isAionError(err) && err.code === 'nondeterminism')
      return { ok: false, cause: 'nondeterminism', failure, details: { ...err.details } };
    return { ok: false, cause: 'unhandled', failure };
  }
}

function handle(req: WorkerRequest): WorkerResponse {
  switch (req.type) {
    case 'load':
      if (!sandboxes.has(req.version)) {
        Atomics.store(shared, 1, THREAD_ACTIVITY.load);
        sandboxes.set(req.version, PackageSandbox.create(req.bundle, req.version, sandboxOptions));
      }
      return { id: req.id, ok: true };
    case 'activate':
      return { id: req.id, ok: true, outputs: activate(req.items) };
    case 'replay':
      return { id: req.id, ok: true, replay: replay(req) };
    case 'query': {
      const run = runs.get(req.key);
      if (!run) throw new Error(`run ${req.key} is not resident in the workflow thread`);
      const query = run.sandbox.query(run, req.name, req.args);
      progress();
      return { id: req.id, ok: true, query };
    }
    case 'validateUpdate': {
      const run = runs.get(req.key);
      if (!run) throw new Error(`run ${req.key} is not resident in the workflow thread`);
      const validation = run.sandbox.validateUpdate(run, req.name, req.args);
      progress();
      return { id: req.id, ok: true, validation };
    }
    case 'evict':
      for (const k of req.keys) runs.delete(k);
      return { id: req.id, ok: true };
    case 'unload':
      // Resident (closed) runs keep their sandbox alive until the residency LRU evicts them.
      sandboxes.delete(req.version);
      return { id: req.id, ok: true };
    case 'inspect': {
      Atomics.store(shared, 1, THREAD_ACTIVITY.load);
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

port.on('message', (req: WorkerRequest) => {
  let res: WorkerResponse;
  Atomics.store(shared, 1, THREAD_ACTIVITY.code);
  try {
    res = handle(req);
    // Whatever ran (a package's top level, a query handler) must leave the heap in budget too.
    guard?.check();
  } catch (err) {
    if (err instanceof HeapBudgetExceeded) {
      // The host replaces this thread: the memory cannot be given back otherwise.
      port.postMessage({
        id: req.id,
        ok: false,
        error: { code: 'resource_exhausted', message: err.message },
      } satisfies WorkerResponse);
      return;
    }
    const e = err as Error & { code?: unknown; details?: Record<string, unknown> };
    res = {
      id: req.id,
      ok: false,
      error: {
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
        message: String(e.message),
        ...(e.details ? { details: e.details } : {}),
      },
    };
  }
  port.postMessage(res);
});
