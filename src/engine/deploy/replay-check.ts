// The pre-deploy replay check: a package is validated as a deploy validates it, loaded on a
// workflow thread of its own (never stored, routed or loaded where runs execute), and the
// newest open runs of the workflow types it exports are replayed on it to find the ones
// whose history it would not reproduce.
import {
  AionError,
  OPEN_STATUSES,
  type DeployCheckDivergence,
  type DeployCheckResult,
  type RunKey,
} from '../../core/index.js';
import {
  DeadlockError,
  ResourceExhaustedError,
  WorkflowThread,
  type ReplayOutcome,
} from '../../runtime/index.js';
import type { RunInfo, Store } from '../../store/index.js';
import type { PackageRegistry } from '../package-registry.js';

/** Open runs replayed when the caller does not say. */
export const DEFAULT_CHECK_SAMPLE = 50;
/** Most open runs one check replays. */
export const MAX_CHECK_SAMPLE = 1000;

export type { DeployCheckDivergence, DeployCheckResult };

export interface ReplayCheckDeps {
  readonly store: Store;
  readonly registry: PackageRegistry;
}

/**
 * Replays up to `sample` open runs (newest first) of the types `archive` exports against it.
 * Throws `package_invalid` for a package a deploy would refuse; stores nothing.
 */
export async function replayCheck(
  d: ReplayCheckDeps,
  namespace: string,
  archive: Uint8Array,
  sample: number = DEFAULT_CHECK_SAMPLE,
): Promise<DeployCheckResult> {
  if (!Number.isSafeInteger(sample) || sample < 1 || sample > MAX_CHECK_SAMPLE) {
    throw new AionError(
      'invalid_argument',
      `sample must be an integer from 1 to ${MAX_CHECK_SAMPLE} (got ${String(sample)})`,
      { field: 'sample' },
    );
  }
  const loaded = await d.registry.validateArchive(archive);
  const workflowTypes = loaded.manifest.workflowTypes.map((t) => t.name);
  const runs = await openRuns(d.store, namespace, workflowTypes, sample);
  const diverged: DeployCheckDivergence[] = [];
  if (runs.length > 0) {
    const { deadlockTimeoutMs, heapLimitMb, inline } = d.registry.isolation;
    const thread = new WorkflowThread({
      deadlockTimeoutMs,
      heapLimitMb,
      inline,
      onRestart: () => undefined,
    });
    try {
      await thread.loadPackage(loaded.version, loaded.bundle);
      for (const run of runs) {
        const message = await replayOn(d.store, thread, loaded.version, run);
        if (message === undefined) continue;
        const { workflowId, runId, workflowType, version } = run;
        diverged.push({ workflowId, runId, workflowType, version, message });
      }
    } finally {
      await thread.close();
    }
  }
  return {
    version: loaded.version,
    workflowTypes,
    checked: runs.length,
    passed: runs.length - diverged.length,
    diverged,
  };
}

/** The newest `limit` open runs of `types`. */
async function openRuns(
  store: Store,
  namespace: string,
  types: readonly string[],
  limit: number,
): Promise<readonly RunInfo[]> {
  if (types.length === 0) return [];
  const page = await store.listRuns({
    namespace,
    where: {
      op: 'and',
      args: [
        { op: 'in', field: { kind: 'builtin', name: 'WorkflowType' }, values: [...types] },
        {
          op: 'in',
          field: { kind: 'builtin', name: 'ExecutionStatus' },
          values: [...OPEN_STATUSES],
        },
      ],
    },
    orderBy: { field: 'StartTime', direction: 'DESC' },
    pageSize: limit,
  });
  return page.items.slice(0, limit);
}

/** Replays one run's whole history on `version`; undefined when it replays, else why not. */
async function replayOn(
  store: Store,
  thread: WorkflowThread,
  version: string,
  run: RunKey,
): Promise<string | undefined> {
  const key = `deploy-check/${run.namespace}/${run.runId}`;
  let outcome: ReplayOutcome;
  try {
    const events = await store.readHistory(run);
    outcome = await thread.replay(key, version, run, events);
  } catch (err) {
    if (err instanceof DeadlockError)
      return `workflow code did not return within ${err.timeoutMs} ms while replaying`;
    if (err instanceof ResourceExhaustedError)
      return `workflow code ran out of memory while replaying (heap limit ${err.heapLimitMb} MiB)`;
    throw err;
  } finally {
    thread.evict([key]);
  }
  if (outcome.ok) return undefined;
  const d = outcome.details ?? {};
  if (outcome.cause === 'nondeterminism' && typeof d.seq === 'number') {
    return `non-determinism at seq ${d.seq}: the history has ${String(d.expected)} but the new code issues ${String(d.found)}`;
  }
  return outcome.cause === 'nondeterminism'
    ? outcome.failure.message
    : `workflow code crashed while replaying: ${outcome.failure.message}`;
}
