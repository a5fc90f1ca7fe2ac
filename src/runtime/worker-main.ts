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
import { ReplayCrashError, replayHistory } from './replay.js';
import { PackageSandbox, type SandboxRun } from './sandbox.js';
import type {
  ActivateItem,
  ReplayOutcome,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

const port = parentPort!;
const progressBuffer = (workerData as { progress?: SharedArrayBuffer } | undefined)?.progress;
const progressCounter = progressBuffer ? new Int32Array(progressBuffer) : new Int32Array(1);
/** Tells the host's watchdog that workflow code returned (one run activated or replayed a step). */
const progress = (): void => {
  Atomics.add(progressCounter, 0, 1);
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
        run = sandboxOf(item.version).instantiate(item.init);
        runs.set(item.key, run);
        progress();
      }
      if (!run) throw new Error(`run ${item.key} is not resident in the workflow thread`);
      const g = groups.get(run.sandbox) ?? [];
      g.push({ index, run, item });
      groups.set(run.sandbox, g);
    } catch (err) {
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
    const result = replayHistory(sandboxOf(req.version), req.run, req.events, {
      onActivation: progress,
    });
    runs.set(req.key, result.run);
    return { ok: true, activations: result.activations };
  } catch (err) {
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
      if (!sandboxes.has(req.version))
        sandboxes.set(req.version, PackageSandbox.create(req.bundle, req.version));
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
  try {
    res = handle(req);
  } catch (err) {
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
