import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { HistoryExport } from '../client/index.js';
import {
  AionError,
  decodeEvent,
  NonDeterminismError,
  type HistoryEvent,
  type RunKey,
} from '../core/index.js';
import { buildPackage } from '../package/index.js';
import {
  DEFAULT_DEADLOCK_TIMEOUT_MS,
  ReplayCrashError,
  WorkflowThread,
  type ReplayOutcome,
} from '../runtime/index.js';

/** Workflow code to replay against: a workflows path (built now) or a built package. */
export type ReplayWorkflows = string | { readonly bundle: string; readonly version: string };

/** A history to replay: an export (`handle.fetchHistory()`, a history file) or bare events. */
export type ReplayableHistory = HistoryExport | readonly HistoryEvent[];

export interface ReplayOptions {
  /**
   * Longest one activation may run synchronously before replay fails with a deadlock error.
   * Default 2,000 ms (the engine's default).
   */
  readonly deadlockTimeoutMs?: number;
  /**
   * Internal, for the deterministic simulator: `'inline'` replays on the calling thread (no
   * deadlock timeout: code that never yields hangs the caller). Default `'thread'`.
   *
   * @internal
   */
  readonly workflowRuntime?: 'thread' | 'inline';
}

export interface ReplayHistoryOptions extends ReplayOptions {
  /**
   * Identity of the run when `history` is a bare event list (an export names its own). It
   * matters: the run id seeds workflow randomness (`uuid4()`, `Math.random()`). Defaults:
   * namespace `'default'`, workflow id `'replay'`, run id from `WorkflowStarted.firstRunId`.
   */
  readonly run?: Partial<RunKey>;
}

/** Outcome of a replay that matched its history. */
export interface ReplaySuccess {
  /** Workflow activations re-executed. */
  readonly activations: number;
}

/** Outcome of one history in {@link replayHistories}. */
export type ReplayResult =
  | {
      readonly workflowId: string;
      readonly runId: string;
      readonly ok: true;
      readonly activations: number;
    }
  | {
      readonly workflowId: string;
      readonly runId: string;
      readonly ok: false;
      readonly error: Error;
    };

/**
 * Re-runs a recorded history against workflow code and checks that the code makes the same
 * decisions. Throws `NonDeterminismError` (code `nondeterminism`, with `seq`, `expected` and
 * `found`) on the first divergence, a `ReplayCrashError` if the code throws where it did not,
 * a `DeadlockError` if the code does not yield within the deadlock timeout (the replay runs on
 * a workflow thread of its own, which is then terminated), and `invalid_history` for a
 * malformed history. A path is built first (`buildPackage`); a built package is used as is.
 *
 * @example
 * // A golden history recorded from an older version must still replay:
 * const history = await loadHistoryFile('test/golden/order-v1.json');
 * await replayHistory(history, './src/workflows/index.ts');
 */
export async function replayHistory(
  history: ReplayableHistory,
  workflows: ReplayWorkflows,
  options: ReplayHistoryOptions = {},
): Promise<ReplaySuccess> {
  const checked = checkHistory(history, options.run);
  const replayer = await Replayer.open(workflows, options);
  try {
    return await replayer.replay(checked);
  } finally {
    await replayer.close();
  }
}

/**
 * Replays several histories against one build of the code. Never throws for a history that
 * diverges: each result says `ok` or carries its `error` (so one CI run reports them all).
 * Throws only if the code cannot be built.
 */
export async function replayHistories(
  histories: Iterable<ReplayableHistory>,
  workflows: ReplayWorkflows,
  options: ReplayOptions = {},
): Promise<ReplayResult[]> {
  const replayer = await Replayer.open(workflows, options);
  const results: ReplayResult[] = [];
  try {
    for (const history of histories) results.push(await replayOne(replayer, history));
  } finally {
    await replayer.close();
  }
  return results;
}

async function replayOne(replayer: Replayer, history: ReplayableHistory): Promise<ReplayResult> {
  const ids = Array.isArray(history)
    ? { workflowId: 'replay', runId: '' }
    : (history as HistoryExport);
  try {
    const checked = checkHistory(history);
    const { activations } = await replayer.replay(checked);
    return { workflowId: checked.run.workflowId, runId: checked.run.runId, ok: true, activations };
  } catch (err) {
    return {
      workflowId: String(ids.workflowId),
      runId: String(ids.runId),
      ok: false,
      error: err instanceof Error ? err : new Error(String(err)),
    };
  }
}

/**
 * Parses and validates a history export: its JSON text (from `handle.fetchHistory()` or
 * `aion history --json`) or the already-parsed value. Throws `invalid_history` naming what is
 * wrong (or `unknown_event_type` for an event this Aion cannot read).
 */
export function parseHistory(json: unknown): HistoryExport {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new AionError(
        'invalid_history',
        `history is not valid JSON: ${(err as Error).message}`,
      );
    }
  }
  const h = value as Partial<Record<keyof HistoryExport, unknown>> | null;
  if (typeof h !== 'object' || h === null || h.format !== 'aion-history')
    throw new AionError(
      'invalid_history',
      'not an Aion history export: expected {"format": "aion-history", ...}',
    );
  if (h.formatVersion !== 1)
    throw new AionError(
      'invalid_history',
      `history export format version ${JSON.stringify(h.formatVersion)} is not supported (this Aion reads version 1)`,
      { formatVersion: h.formatVersion },
    );
  for (const field of ['namespace', 'workflowId', 'runId'] as const) {
    if (typeof h[field] !== 'string' || h[field] === '')
      throw new AionError('invalid_history', `history export has no ${field}`, { field });
  }
  if (!Array.isArray(h.events))
    throw new AionError('invalid_history', 'history export has no events array', {
      field: 'events',
    });
  const runId = h.runId as string;
  const events = h.events.map((e, i) => decodeEvent(JSON.stringify(e), { runId, seq: i + 1 }));
  return {
    format: 'aion-history',
    formatVersion: 1,
    namespace: h.namespace as string,
    workflowId: h.workflowId as string,
    runId,
    events,
  };
}

/** Reads and validates a history export file (see {@link parseHistory}). */
export async function loadHistoryFile(path: string): Promise<HistoryExport> {
  return parseHistory(await readFile(path, 'utf8'));
}

/** Writes a history export as pretty JSON (e.g. to record a golden history for replay tests). */
export async function writeHistoryFile(path: string, history: HistoryExport): Promise<void> {
  await writeFile(path, `${JSON.stringify(history, null, 2)}\n`, 'utf8');
}

interface CheckedHistory {
  readonly run: RunKey;
  readonly events: readonly HistoryEvent[];
}

function checkHistory(history: ReplayableHistory, run: Partial<RunKey> = {}): CheckedHistory {
  const exported = !Array.isArray(history);
  const events: readonly HistoryEvent[] = exported
    ? (history as HistoryExport).events
    : (history as readonly HistoryEvent[]);
  const first = events[0];
  if (first?.type !== 'WorkflowStarted')
    throw new AionError(
      'invalid_history',
      `cannot replay: the history must start with WorkflowStarted (found ${first ? first.type : 'no events'})`,
    );
  events.forEach((e, i) => {
    if (e.seq !== i + 1)
      throw new AionError(
        'invalid_history',
        `cannot replay: event ${i + 1} has seq ${String(e.seq)} (histories are contiguous from 1)`,
        { seq: e.seq },
      );
  });
  if (exported) {
    const h = history as HistoryExport;
    return {
      run: { namespace: h.namespace, workflowId: h.workflowId, runId: h.runId },
      events,
    };
  }
  return {
    run: {
      namespace: run.namespace ?? 'default',
      workflowId: run.workflowId ?? 'replay',
      runId: run.runId ?? first.firstRunId ?? '00000000-0000-4000-8000-000000000000',
    },
    events,
  };
}

/**
 * Replays on a workflow thread of its own. Workflow code under test may never yield; the
 * thread is then terminated at the deadline. (An in-process vm timeout is no option: with
 * async hooks enabled — any AsyncLocalStorage, as in activities — a timeout that fires in a
 * microtask aborts the whole process, nodejs/node#38503.)
 */
class Replayer {
  readonly #thread: WorkflowThread;
  readonly #version: string;

  private constructor(thread: WorkflowThread, version: string) {
    this.#thread = thread;
    this.#version = version;
  }

  static async open(workflows: ReplayWorkflows, options: ReplayOptions): Promise<Replayer> {
    const built =
      typeof workflows === 'string' ? await buildPackage({ workflowsPath: workflows }) : workflows;
    const thread = new WorkflowThread({
      deadlockTimeoutMs: options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
      onRestart: () => undefined,
      inline: options.workflowRuntime === 'inline',
    });
    try {
      await thread.loadPackage(built.version, built.bundle);
    } catch (err) {
      await thread.close();
      throw err;
    }
    return new Replayer(thread, built.version);
  }

  async replay(history: CheckedHistory): Promise<ReplaySuccess> {
    const key = `replay/${randomUUID()}`;
    let outcome: ReplayOutcome;
    try {
      outcome = await this.#thread.replay(key, this.#version, history.run, history.events);
    } finally {
      this.#thread.evict([key]);
    }
    if (outcome.ok) return { activations: outcome.activations };
    if (outcome.cause === 'nondeterminism') throw nonDeterminism(history.run, outcome);
    throw new ReplayCrashError(outcome.cause, outcome.failure);
  }

  close(): Promise<void> {
    return this.#thread.close();
  }
}

/** Rebuilds the typed error the workflow thread reported. */
function nonDeterminism(
  run: RunKey,
  outcome: Extract<ReplayOutcome, { ok: false }>,
): NonDeterminismError {
  const d = outcome.details ?? {};
  return new NonDeterminismError({
    workflowId: typeof d.workflowId === 'string' ? d.workflowId : run.workflowId,
    runId: typeof d.runId === 'string' ? d.runId : run.runId,
    seq: typeof d.seq === 'number' ? d.seq : 0,
    expected: typeof d.expected === 'string' ? d.expected : 'unknown',
    found: typeof d.found === 'string' ? d.found : outcome.failure.message,
  });
}
