// The strings of a run's init info that runs share — its namespace, workflow type, task queue
// and package version — arrive with every run's first activation or replay as fresh copies
// (a structured clone copies every string), and a run keeps its init info while it is
// resident. Each thread keeps one copy of each and gives it to every run; a run's first run
// id and random seed, usually its run id, become that same string.
import type { WorkflowInitInfo } from '../core/index.js';

/** Distinct strings kept at most: past it, a string is used as it came. */
const MAX_SHARED = 4096;

const shared = new Map<string, string>();

function one(s: string): string {
  const known = shared.get(s);
  if (known !== undefined) return known;
  if (shared.size < MAX_SHARED) shared.set(s, s);
  return s;
}

/** `init` with its shared strings replaced by the thread's copies. */
export function withSharedStrings(init: WorkflowInitInfo): WorkflowInitInfo {
  const { runId } = init;
  return {
    ...init,
    namespace: one(init.namespace),
    workflowType: one(init.workflowType),
    taskQueue: one(init.taskQueue),
    version: one(init.version),
    firstRunId: init.firstRunId === runId ? runId : init.firstRunId,
    randomSeed: init.randomSeed === runId ? runId : init.randomSeed,
  };
}
